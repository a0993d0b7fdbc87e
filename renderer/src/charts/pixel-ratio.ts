// Canvas pixels per CSS pixel for the charts: the screen's, at least 1 and at most 2 (beyond 2× the
// extra pixels cost rasterizing time, in software renderers especially, without a visible gain).
export function screenPixelRatio(): number {
  return Math.min(2, Math.max(1, globalThis.devicePixelRatio || 1));
}
