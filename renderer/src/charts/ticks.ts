// Axis ticks for the charts whose ticks we place ourselves (parallel coordinates with a "missing"
// tick or a log scale, where plotly cannot). Same idea as d3's ticks: steps of 1, 2 or 5 × 10^k.

export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** About `count` round values within [lo, hi] (inclusive), ascending. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  if (lo > hi) [lo, hi] = [hi, lo];
  const step = niceStep(hi - lo, count);
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const out: number[] = [];
  for (let i = first; i <= last && out.length < 1000; i++) {
    // Multiply rather than accumulate, then trim float noise (0.30000000000000004).
    out.push(Number((i * step).toPrecision(12)));
  }
  return out;
}

/**
 * Ticks for a log10 axis whose positions span [lo, hi] (in log10 units): the decades inside,
 * with 2× and 5× added when fewer than three decades would show. Returned as positions.
 */
export function logTicks(lo: number, hi: number): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  const out: number[] = [];
  const d0 = Math.floor(lo);
  const d1 = Math.ceil(hi);
  const fine = d1 - d0 <= 2;
  for (let d = d0; d <= d1; d++) {
    for (const m of fine ? [1, 2, 5] : [1]) {
      const p = d + Math.log10(m);
      if (p >= lo - 1e-9 && p <= hi + 1e-9) out.push(p);
    }
  }
  if (out.length === 0) out.push(lo, hi);
  return out;
}
