// The parcoords lines' drawing (charts/parcoords/draw.ts), which the drawing worker and the page's
// fallback both run: recorded on a fake 2D context, so what is stroked, in which colour and
// order, is checked without a browser.
import { describe, expect, it } from 'vitest';
import { deviceSize, drawLines, lineAlpha, prepare, type Ctx2D, type LineScene } from '../../renderer/src/charts/parcoords/draw.ts';
import { frame } from '../../renderer/src/charts/parcoords/geometry.ts';

interface Stroke {
  color: string;
  alpha: number;
  width: number;
  /** One entry per polyline in the path: the ys it went through. */
  lines: number[][];
}

function recorder(): { ctx: Ctx2D; strokes: Stroke[]; cleared: number } {
  const out = { ctx: null as unknown as Ctx2D, strokes: [] as Stroke[], cleared: 0 };
  let path: number[][] = [];
  const ctx = {
    globalAlpha: 1,
    strokeStyle: '#000',
    lineWidth: 1,
    lineJoin: 'miter',
    setTransform() {},
    clearRect() {
      out.cleared++;
    },
    beginPath() {
      path = [];
    },
    moveTo(_x: number, y: number) {
      path.push([y]);
    },
    lineTo(_x: number, y: number) {
      path[path.length - 1]?.push(y);
    },
    stroke() {
      out.strokes.push({ color: String(ctx.strokeStyle), alpha: ctx.globalAlpha, width: ctx.lineWidth, lines: path.map((l) => [...l]) });
    },
  };
  out.ctx = ctx as unknown as Ctx2D;
  return out;
}

const f = frame(400, 200, 2, { l: 0, r: 0, t: 0, b: 0 });
/** Four lines over two axes; line i sits at y = 10·i on the first axis and 100 + i on the second. */
function scene(overrides: Partial<LineScene> = {}): LineScene {
  return {
    f,
    dpr: 1,
    ys: [Float32Array.from([0, 10, 20, 30]), Float32Array.from([100, 101, 102, 103])],
    colors: Float32Array.from([0.9, 0.1, 0.95, 0.5]),
    bandColors: ['#band0', '#band1'],
    emphasizedFrom: 3,
    dimmed: '#dim',
    ...overrides,
  };
}

describe('parcoords line drawing', () => {
  it('strokes ordinary lines batched by colour band, keeping their order in a band, then the emphasized ones on top', () => {
    const r = recorder();
    drawLines(r.ctx, scene(), { kept: Uint8Array.from([1, 1, 1, 1]), brushed: false });
    expect(r.strokes.map((s) => s.color)).toEqual(['#band0', '#band1', '#band1']);
    // Band 0 (colour < 0.5): line 1. Band 1: lines 0 and 2, in that order.
    expect(r.strokes[0]?.lines).toEqual([[10, 101]]);
    expect(r.strokes[1]?.lines).toEqual([
      [0, 100],
      [20, 102],
    ]);
    expect(r.strokes[1]?.alpha).toBe(lineAlpha(3));
    // Line 3 is emphasized: alone, opaque, wider, last.
    expect(r.strokes[2]).toEqual({ color: '#band1', alpha: 1, width: 2, lines: [[30, 103]] });
  });

  it('draws the lines a brush removed as one faint path underneath, and leaves them out of the colours', () => {
    const r = recorder();
    drawLines(r.ctx, scene(), { kept: Uint8Array.from([0, 1, 1, 0]), brushed: true });
    expect(r.strokes[0]).toMatchObject({ color: '#dim', alpha: 0.35, lines: [[0, 100], [30, 103]] });
    const coloured = r.strokes.slice(1);
    expect(coloured.flatMap((s) => s.lines)).toEqual([
      [10, 101],
      [20, 102],
    ]);
    // A removed emphasized line is not drawn on top either.
    expect(coloured.some((s) => s.width === 2)).toBe(false);
  });

  it('draws nothing without lines or axes, and a one-axis chart as ticks', () => {
    const none = recorder();
    drawLines(none.ctx, scene({ colors: new Float32Array(0), ys: [new Float32Array(0), new Float32Array(0)] }), { kept: new Uint8Array(0), brushed: false });
    expect(none.strokes).toEqual([]);
    const one = recorder();
    drawLines(one.ctx, scene({ ys: [Float32Array.from([5, 6, 7, 8])], f: frame(400, 200, 1) }), { kept: Uint8Array.from([1, 1, 1, 1]), brushed: false });
    expect(one.strokes.flatMap((s) => s.lines)).toContainEqual([5, 5]);
  });

  it('sizes the backing store to the frame at the pixel ratio only when it changed, and clears it', () => {
    const r = recorder();
    const canvas = { width: 0, height: 0 };
    prepare(canvas, r.ctx, f, 2);
    expect(deviceSize(f, 2)).toEqual({ w: 800, h: 400 });
    expect(canvas).toEqual({ width: 800, height: 400 });
    expect(r.cleared).toBe(1);
  });
});
