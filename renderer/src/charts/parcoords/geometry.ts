// Geometry of our parallel-coordinates chart (ParallelCoordinates.tsx), pure so it is tested
// without a browser: where the axes stand, value positions ↔ pixels, brush ranges on an axis,
// which lines a brush keeps, and which line is under the pointer.
//
// Positions are what parcoords-trace.ts computes for an axis (a value, its log10, or a category
// index); an axis shows `range` = [bottom, top] of its positions.

export type Range = [number, number];

export interface Margin {
  l: number;
  r: number;
  t: number;
  b: number;
}

export interface Frame {
  width: number;
  height: number;
  top: number;
  bottom: number;
  /** x of each axis, left to right. */
  xs: number[];
}

export const MARGIN: Margin = { l: 64, r: 80, t: 56, b: 28 };

export function frame(width: number, height: number, axes: number, m: Margin = MARGIN): Frame {
  const left = m.l;
  const right = Math.max(left + 1, width - m.r);
  const xs = axes <= 1 ? [axes === 1 ? (left + right) / 2 : left].slice(0, axes) : Array.from({ length: axes }, (_, i) => left + ((right - left) * i) / (axes - 1));
  return { width, height, top: m.t, bottom: Math.max(m.t + 1, height - m.b), xs };
}

/** Pixel y of position p on an axis showing `range`. */
export function yOf(f: Frame, range: Range, p: number): number {
  const span = range[1] - range[0] || 1;
  return f.bottom - ((p - range[0]) / span) * (f.bottom - f.top);
}

/** Position at pixel y (clamped to the axis). */
export function posOf(f: Frame, range: Range, y: number): number {
  const c = Math.min(f.bottom, Math.max(f.top, y));
  return range[0] + ((f.bottom - c) / (f.bottom - f.top)) * (range[1] - range[0]);
}

export function inRanges(p: number, ranges: readonly Range[]): boolean {
  for (const [a, b] of ranges) if (p >= a && p <= b) return true;
  return false;
}

/** `ranges` with `r` added; overlapping ranges merge; sorted. */
export function addRange(ranges: readonly Range[], r: Range): Range[] {
  const all = [...ranges, [Math.min(r[0], r[1]), Math.max(r[0], r[1])] as Range].sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  for (const cur of all) {
    const last = out[out.length - 1];
    if (last && cur[0] <= last[1]) last[1] = Math.max(last[1], cur[1]);
    else out.push([cur[0], cur[1]]);
  }
  return out;
}

/** Index of the range containing p, or -1. */
export function rangeAt(ranges: readonly Range[], p: number): number {
  return ranges.findIndex(([a, b]) => p >= a && p <= b);
}

/**
 * Which lines every brushed axis keeps (1) — all of them when nothing is brushed.
 * `values[axis][line]` are positions; `brushes[axis]` that axis' ranges (empty: no brush).
 */
export function keptLines(values: readonly ArrayLike<number>[], brushes: readonly (readonly Range[])[], n: number): Uint8Array {
  const kept = new Uint8Array(n).fill(1);
  values.forEach((vals, a) => {
    const rs = brushes[a];
    if (!rs || rs.length === 0) return;
    for (let i = 0; i < n; i++) if (kept[i] && !inRanges(vals[i] as number, rs)) kept[i] = 0;
  });
  return kept;
}

/**
 * The kept line nearest to (x, y) within `tolerance` px, measured vertically on the segment
 * between the two axes around x; the one drawn last (highest index) wins a tie. -1: none.
 * `ys[axis][line]` are pixel ys.
 */
export function lineAt(f: Frame, ys: readonly Float32Array[], kept: Uint8Array, x: number, y: number, tolerance = 5): number {
  const { xs } = f;
  if (xs.length === 0 || ys.length !== xs.length) return -1;
  let k = 0;
  if (xs.length === 1) {
    if (Math.abs(x - (xs[0] as number)) > tolerance) return -1;
  } else {
    if (x < (xs[0] as number) - tolerance || x > (xs[xs.length - 1] as number) + tolerance) return -1;
    while (k < xs.length - 2 && x > (xs[k + 1] as number)) k++;
  }
  const a = ys[k] as Float32Array;
  const b = (ys[Math.min(k + 1, ys.length - 1)] ?? a) as Float32Array;
  const x0 = xs[k] as number;
  const x1 = (xs[k + 1] ?? x0) as number;
  const t = x1 === x0 ? 0 : Math.min(1, Math.max(0, (x - x0) / (x1 - x0)));
  let best = -1;
  let bestD = tolerance;
  for (let i = 0; i < kept.length; i++) {
    if (!kept[i]) continue;
    const ya = a[i] as number;
    const d = Math.abs(ya + ((b[i] as number) - ya) * t - y);
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Where an axis dragged to x lands: the index of the nearest axis slot. */
export function slotAt(f: Frame, x: number): number {
  let best = 0;
  f.xs.forEach((ax, i) => {
    if (Math.abs(ax - x) < Math.abs((f.xs[best] as number) - x)) best = i;
  });
  return best;
}

/** `keys` with the one at `from` moved to `to`. */
export function moveKey<T>(keys: readonly T[], from: number, to: number): T[] {
  const next = [...keys];
  const [k] = next.splice(from, 1);
  next.splice(to, 0, k as T);
  return next;
}
