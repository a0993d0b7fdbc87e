// The parcoords drawing worker: owns the lines' canvas (an OffscreenCanvas the page handed over)
// and draws the latest scene and filter it was sent. Requests that arrive while a draw is pending
// are folded into it: a brush dragged over 10k lines costs one draw per turn of this thread, and
// none on the page's main thread, which stays free for the table and the pointer.
import { drawLines, prepare, type Ctx2D, type LineFilter, type LineScene } from './draw.ts';
import type { FromDrawWorker, ToDrawWorker } from './draw-protocol.ts';

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToDrawWorker>) => void) | null;
  postMessage(m: FromDrawWorker): void;
}
const scope = self as unknown as WorkerScope;

let canvas: OffscreenCanvas | null = null;
let ctx: (Ctx2D & { getImageData(x: number, y: number, w: number, h: number): unknown }) | null = null;
let scene: LineScene | null = null;
let filter: LineFilter | null = null;
let seq = 0;
let pending = false;

function draw(): void {
  pending = false;
  if (!canvas || !scene || !filter) return;
  try {
    if (!ctx) {
      // willReadFrequently: rasterized on the CPU. A GPU-backed context is rasterized through
      // whatever GL there is; software GL (Mesa llvmpipe, no GPU) took 4.3 s for 10k lines where
      // the CPU rasterizer takes a tenth of a second (`npm run bench:ui`, the harness' llvmpipe run).
      ctx = canvas.getContext('2d', { willReadFrequently: true });
      if (!ctx) throw new Error('This browser gave no 2D canvas to the drawing worker.');
    }
    prepare(canvas, ctx, scene.f, scene.dpr);
    drawLines(ctx, scene, filter);
    // A 2D canvas rasterizes lazily; reading one pixel makes "drawn" mean the pixels exist.
    ctx.getImageData(0, 0, 1, 1);
    scope.postMessage({ type: 'drawn', seq });
  } catch (e) {
    scope.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'canvas') canvas = m.canvas;
  else {
    if (m.type === 'scene') scene = m.scene;
    filter = m.filter;
    seq = m.seq;
  }
  if (!pending) {
    pending = true;
    setTimeout(draw, 0);
  }
};
