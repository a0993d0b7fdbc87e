// Points for a small SVG polyline: downsampled for drawing only (min and max of each bucket are
// kept so spikes stay visible); non-finite values are skipped, not drawn as zero.
import type { MetricPoint } from '../../../preload/api.ts';

export interface SparkGeometry {
  points: string;
  /** The last finite point, for the end dot. */
  last: { x: number; y: number } | null;
  min: number;
  max: number;
  count: number;
}

export function sparkline(history: readonly MetricPoint[], width: number, height: number, maxPoints = 120, pad = 2): SparkGeometry | null {
  const pts = history.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.step)).slice().sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  if (pts.length === 0) return null;
  const sampled = downsample(pts, maxPoints);
  let min = Infinity;
  let max = -Infinity;
  for (const p of pts) {
    if (p.value < min) min = p.value;
    if (p.value > max) max = p.value;
  }
  const s0 = (sampled[0] as MetricPoint).step;
  const s1 = (sampled[sampled.length - 1] as MetricPoint).step;
  const yOf = (v: number) => (max === min ? height / 2 : pad + (1 - (v - min) / (max - min)) * (height - 2 * pad));
  // x is the step; values all logged at one step (MLflow allows several) spread out in log order.
  const n = sampled.length;
  const xOf = (step: number, i: number) =>
    s1 !== s0 ? pad + ((step - s0) / (s1 - s0)) * (width - 2 * pad) : n === 1 ? width / 2 : pad + (i / (n - 1)) * (width - 2 * pad);
  const coords = sampled.map((p, i) => ({ x: xOf(p.step, i), y: yOf(p.value) }));
  // A single point has no shape: only the end dot is drawn.
  const points = coords.length === 1 ? '' : coords.map((c) => `${c.x.toFixed(1)},${c.y.toFixed(1)}`).join(' ');
  return { points, last: coords[coords.length - 1] ?? null, min, max, count: pts.length };
}

function downsample(pts: MetricPoint[], maxPoints: number): MetricPoint[] {
  if (pts.length <= maxPoints) return pts;
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = pts.length / buckets;
  const out: MetricPoint[] = [];
  for (let b = 0; b < buckets; b++) {
    const slice = pts.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (slice.length === 0) continue;
    let lo = slice[0] as MetricPoint;
    let hi = lo;
    for (const p of slice) {
      if (p.value < lo.value) lo = p;
      if (p.value > hi.value) hi = p;
    }
    if (lo === hi) out.push(lo);
    else if (lo.step <= hi.step) out.push(lo, hi);
    else out.push(hi, lo);
  }
  const lastPt = pts[pts.length - 1] as MetricPoint;
  if (out[out.length - 1] !== lastPt) out.push(lastPt);
  return out;
}
