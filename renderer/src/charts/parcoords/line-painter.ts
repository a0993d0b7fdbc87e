// Where the parcoords lines get drawn. Stroking 10k polylines costs tens of milliseconds of CPU
// (more in a software rasterizer); on the page's main thread that was paid on every step of a
// brush drag, and the runs table's update waited behind it (brush → table p95 455 ms at 10k runs
// in `npm run bench:ui`). So the canvas is handed to a worker (OffscreenCanvas) that draws the
// latest request, folding the ones that arrive meanwhile. Where that is not possible (no
// OffscreenCanvas, or the worker fails to start) the page draws itself, once per frame.
//
// The painter creates its own <canvas> inside `host`: a canvas handed to a worker can never be
// drawn by the page again, so falling back (or React mounting twice) needs a fresh element.
import { drawLines, prepare, type LineFilter, type LineScene } from './draw.ts';
import type { Frame } from './geometry.ts';
import type { FromDrawWorker, ToDrawWorker } from './draw-protocol.ts';

export interface PainterEvents {
  /** Request `seq` (and everything before it) is on the canvas. */
  drawn(seq: number): void;
  error(message: string): void;
}

export interface CanvasAttrs {
  className: string;
  testId: string;
}

export class LinePainter {
  private canvas: HTMLCanvasElement;
  private worker: Worker | null = null;
  private seq = 0;
  private sentScene: LineScene | null = null;
  private latest: { scene: LineScene; filter: LineFilter; seq: number } | null = null;
  private frame = 0;
  private disposed = false;

  constructor(
    private readonly host: HTMLElement,
    private readonly attrs: CanvasAttrs,
    private readonly events: PainterEvents,
  ) {
    this.canvas = this.makeCanvas();
    if (canOffload()) this.startWorker();
  }

  /** Asks for a draw of `scene` (sent on only when it is a new object) with `filter`; its seq. */
  draw(scene: LineScene, filter: LineFilter): number {
    const seq = ++this.seq;
    fitToFrame(this.canvas, scene.f);
    this.latest = { scene, filter, seq };
    if (this.worker) {
      const m: ToDrawWorker = scene === this.sentScene ? { type: 'filter', seq, filter } : { type: 'scene', seq, scene, filter };
      this.sentScene = scene;
      this.worker.postMessage(m);
    } else if (!this.frame) {
      this.frame = requestAnimationFrame(() => this.drawHere());
    }
    return seq;
  }

  dispose(): void {
    this.disposed = true;
    this.worker?.terminate();
    this.worker = null;
    cancelAnimationFrame(this.frame);
    this.canvas.remove();
  }

  private makeCanvas(): HTMLCanvasElement {
    const c = document.createElement('canvas');
    c.className = this.attrs.className;
    c.setAttribute('data-testid', this.attrs.testId);
    this.host.appendChild(c);
    return c;
  }

  private startWorker(): void {
    let offscreen: OffscreenCanvas;
    try {
      offscreen = this.canvas.transferControlToOffscreen();
    } catch {
      return;
    }
    const w = new Worker(new URL('./draw-worker.ts', import.meta.url), { type: 'module', name: 'parcoords-draw' });
    w.onmessage = (e: MessageEvent<FromDrawWorker>) => {
      const m = e.data;
      if (this.disposed) return;
      if (m.type === 'drawn') this.events.drawn(m.seq);
      else this.events.error(m.message);
    };
    // The worker's script failed to load or threw outside a draw: the page draws from now on,
    // on a new canvas (the old one belongs to the dead worker).
    w.onerror = (e) => {
      e.preventDefault();
      if (this.disposed || this.worker !== w) return;
      w.terminate();
      this.worker = null;
      this.sentScene = null;
      this.fallBack();
    };
    w.postMessage({ type: 'canvas', canvas: offscreen } satisfies ToDrawWorker, [offscreen]);
    this.canvas.setAttribute('data-drawn-by', 'worker');
    this.worker = w;
  }

  private fallBack(): void {
    const fresh = this.makeCanvas();
    this.canvas.replaceWith(fresh);
    this.canvas = fresh;
    if (this.latest) this.draw(this.latest.scene, this.latest.filter);
  }

  private drawHere(): void {
    this.frame = 0;
    const job = this.latest;
    if (!job || this.disposed) return;
    try {
      const ctx = this.canvas.getContext('2d');
      if (!ctx) throw new Error('This browser gave no 2D canvas.');
      prepare(this.canvas, ctx, job.scene.f, job.scene.dpr);
      drawLines(ctx, job.scene, job.filter);
      this.events.drawn(job.seq);
    } catch (e) {
      this.events.error(e instanceof Error ? e.message : String(e));
    }
  }
}

/** Lays a canvas out at the frame's size in CSS pixels (its backing store is sized by `prepare`). */
export function fitToFrame(canvas: HTMLCanvasElement, f: Frame): void {
  canvas.style.width = `${f.width}px`;
  canvas.style.height = `${f.height}px`;
}

/** Whether this browser can hand a canvas to a worker. */
export function canOffload(): boolean {
  return typeof Worker === 'function' && typeof OffscreenCanvas === 'function' && typeof HTMLCanvasElement.prototype.transferControlToOffscreen === 'function';
}
