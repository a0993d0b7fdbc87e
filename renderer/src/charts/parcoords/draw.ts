// Drawing the parallel-coordinates lines onto a 2D context: used by the drawing worker
// (draw-worker.ts, on an OffscreenCanvas) and, where a canvas cannot be handed to a worker, on
// the page's own canvas (line-painter.ts). No DOM and no React here, so both can run it.
import type { Frame } from './geometry.ts';

/** What the lines are drawn from; everything but `kept` changes only with new data. */
export interface LineScene {
  f: Frame;
  /** Device pixels per CSS pixel (at most 2). */
  dpr: number;
  /** Pixel y of every line on every axis, in draw order. */
  ys: Float32Array[];
  /** Each line's place (0..1) on the colour scale. */
  colors: Float32Array;
  /** The colour of each band the ordinary lines are batched into. */
  bandColors: string[];
  /** Lines from this index on are drawn emphasized (selected, best). */
  emphasizedFrom: number;
  /** The colour of the lines a brush removed. */
  dimmed: string;
}

/** Which lines a brush keeps (1) and whether any brush is set (else nothing is dimmed). */
export interface LineFilter {
  kept: Uint8Array;
  brushed: boolean;
}

/** The part of a 2D context drawing uses: the page's and an OffscreenCanvas' both have it. */
export type Ctx2D = Pick<
  CanvasRenderingContext2D,
  'setTransform' | 'clearRect' | 'beginPath' | 'moveTo' | 'lineTo' | 'stroke' | 'globalAlpha' | 'strokeStyle' | 'lineWidth' | 'lineJoin'
>;

/** A canvas whose backing store can be sized: HTMLCanvasElement or OffscreenCanvas. */
export interface Sizable {
  width: number;
  height: number;
}

/** Backing-store size in device pixels for a frame. */
export function deviceSize(f: Frame, dpr: number): { w: number; h: number } {
  return { w: Math.max(1, Math.round(f.width * dpr)), h: Math.max(1, Math.round(f.height * dpr)) };
}

/** Sizes the canvas for the frame (only when it changed: resizing clears it) and clears it. */
export function prepare(canvas: Sizable, ctx: Ctx2D, f: Frame, dpr: number): void {
  const { w, h } = deviceSize(f, dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, f.width, f.height);
  ctx.lineJoin = 'round';
}

/** Opacity of ordinary lines: dense charts need light lines for their overlaps to read. */
export function lineAlpha(n: number): number {
  return Math.min(0.9, Math.max(0.22, 2 * Math.sqrt(100 / Math.max(1, n))));
}

function bandOf(color: number, bands: number): number {
  return Math.min(bands - 1, Math.max(0, Math.floor(color * bands)));
}

/**
 * Draws every line: the ones a brush removed as one faint path underneath, the ordinary kept
 * ones batched by colour band (one path per band, their order kept within it), the emphasized
 * ones last, opaque and wider, one by one.
 */
export function drawLines(ctx: Ctx2D, scene: LineScene, filter: LineFilter): void {
  const { f, ys, colors, bandColors, emphasizedFrom } = scene;
  const { kept, brushed } = filter;
  const n = colors.length;
  const axes = ys.length;
  if (axes === 0 || n === 0) return;
  const path = (i: number) => {
    ctx.moveTo(f.xs[0] as number, (ys[0] as Float32Array)[i] as number);
    for (let a = 1; a < axes; a++) ctx.lineTo(f.xs[a] as number, (ys[a] as Float32Array)[i] as number);
    if (axes === 1) ctx.lineTo((f.xs[0] as number) + 0.5, (ys[0] as Float32Array)[i] as number);
  };
  if (brushed) {
    ctx.globalAlpha = 0.35;
    ctx.strokeStyle = scene.dimmed;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i < n; i++) if (!kept[i]) path(i);
    ctx.stroke();
  }
  // Counting sort by band keeps the lines' order within a band.
  const ordinary = Math.min(n, emphasizedFrom);
  const bands = bandColors.length;
  const band = new Uint16Array(ordinary);
  const counts = new Uint32Array(bands + 1);
  for (let i = 0; i < ordinary; i++) {
    const b = bandOf(colors[i] as number, bands);
    band[i] = b;
    if (kept[i]) counts[b + 1] = (counts[b + 1] as number) + 1;
  }
  for (let b = 1; b < counts.length; b++) counts[b] = (counts[b] as number) + (counts[b - 1] as number);
  const next = counts.slice();
  const sorted = new Uint32Array(counts[bands] as number);
  for (let i = 0; i < ordinary; i++) if (kept[i]) sorted[(next[band[i] as number] as number)++] = i;
  ctx.globalAlpha = lineAlpha(ordinary);
  ctx.lineWidth = 1;
  for (let b = 0; b < bands; b++) {
    const from = counts[b] as number;
    const to = counts[b + 1] as number;
    if (from === to) continue;
    ctx.strokeStyle = bandColors[b] as string;
    ctx.beginPath();
    for (let j = from; j < to; j++) path(sorted[j] as number);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  ctx.lineWidth = 2;
  for (let i = ordinary; i < n; i++) {
    if (!kept[i]) continue;
    ctx.strokeStyle = bandColors[bandOf(colors[i] as number, bands)] as string;
    ctx.beginPath();
    path(i);
    ctx.stroke();
  }
}
