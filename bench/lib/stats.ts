// The statistics every benchmark reports with, one definition of each: a quantile is the nearest
// rank (the smallest sample with at least that share of the samples at or below it), the median
// is the 0.5 quantile (for an even count the lower of the two middle samples, never an average of
// two samples), and reported numbers are rounded for the JSON only after the quantile is taken.

/** A sample's distribution as the results report it. */
export interface Dist {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

/** `Math.round` to `digits` decimals. */
export function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Nearest-rank quantile `q` (0…1) of samples sorted ascending; NaN for none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.max(0, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.min(i, sorted.length - 1)] as number;
}

const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/** The nearest-rank median (unrounded); NaN for none. */
export function median(xs: readonly number[]): number {
  return quantile(ascending(xs), 0.5);
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/** n, min, p50, p95 and max of `xs`, each rounded to `digits` decimals. */
export function dist(xs: readonly number[], digits: number): Dist {
  const s = ascending(xs);
  const r = (x: number): number => round(x, digits);
  return { n: s.length, min: r(s[0] ?? NaN), p50: r(quantile(s, 0.5)), p95: r(quantile(s, 0.95)), max: r(s[s.length - 1] ?? NaN) };
}

/** Bytes as MB (MiB), one decimal. */
export function mb(bytes: number): number {
  return round(bytes / 1024 / 1024, 1);
}

/** `dist` and the mean (the engine results report it). */
export function distWithMean(xs: readonly number[], digits: number): Dist & { mean: number } {
  return { ...dist(xs, digits), mean: round(mean(xs), digits) };
}
