// Display-only reduction of long metric histories. A curve never needs more points than the plot
// has pixels across; keeping, per pixel column, the first, lowest, highest and last point (M4,
// Jugel et al., VLDB 2014) draws the same picture as all points — spikes included, which a mean
// or a stride would hide. Numbers shown to the user (last/min/max, hover) come from the full
// series, never from this.
//
// Both functions return the indices of the points to keep, in ascending order, so the caller can
// pick x, y and anything else (timestamps, steps) consistently.

/**
 * M4: per bucket of equal x width, the first, min, max and last point. `xs` must be sorted
 * ascending. Non-finite y values are kept (once per bucket) so gaps and NaN markers survive.
 */
export function m4Indices(xs: ArrayLike<number>, ys: ArrayLike<number>, buckets: number): number[] {
  const n = xs.length;
  if (n <= buckets * 4 || buckets < 1) return Array.from({ length: n }, (_, i) => i);
  const x0 = xs[0] as number;
  const x1 = xs[n - 1] as number;
  const span = x1 - x0;
  if (!(span > 0) || !Number.isFinite(span)) return lttbIndices(xs, ys, buckets * 4);
  const out: number[] = [];
  let i = 0;
  while (i < n) {
    const b = Math.min(buckets - 1, Math.floor((((xs[i] as number) - x0) / span) * buckets));
    const first = i;
    let minI = -1;
    let maxI = -1;
    let odd = -1;
    let j = i;
    for (; j < n; j++) {
      const bj = Math.min(buckets - 1, Math.floor((((xs[j] as number) - x0) / span) * buckets));
      if (bj !== b) break;
      const y = ys[j] as number;
      if (!Number.isFinite(y)) {
        if (odd < 0) odd = j;
        continue;
      }
      if (minI < 0 || y < (ys[minI] as number)) minI = j;
      if (maxI < 0 || y > (ys[maxI] as number)) maxI = j;
    }
    const last = j - 1;
    const keep = new Set([first, last]);
    if (minI >= 0) keep.add(minI);
    if (maxI >= 0) keep.add(maxI);
    if (odd >= 0) keep.add(odd);
    for (const k of [...keep].sort((a, c) => a - c)) out.push(k);
    i = j;
  }
  return out;
}

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): `threshold` points that keep the visual
 * shape. Used when x has no usable span (all points at one step). Non-finite y count as 0 for
 * the area only.
 */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): number[] {
  const n = xs.length;
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const yv = (i: number) => {
    const y = ys[i] as number;
    return Number.isFinite(y) ? y : 0;
  };
  const out = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let b = 0; b < threshold - 2; b++) {
    const avgStart = Math.floor((b + 1) * every) + 1;
    const avgEnd = Math.min(n, Math.floor((b + 2) * every) + 1);
    let avgX = 0;
    let avgY = 0;
    for (let i = avgStart; i < avgEnd; i++) {
      avgX += xs[i] as number;
      avgY += yv(i);
    }
    const len = Math.max(1, avgEnd - avgStart);
    avgX /= len;
    avgY /= len;
    const rangeStart = Math.floor(b * every) + 1;
    const rangeEnd = Math.floor((b + 1) * every) + 1;
    const ax = xs[a] as number;
    const ay = yv(a);
    let best = rangeStart;
    let bestArea = -1;
    for (let i = rangeStart; i < rangeEnd; i++) {
      const area = Math.abs((ax - avgX) * (yv(i) - ay) - (ax - (xs[i] as number)) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(n - 1);
  return out;
}
