// Exponential moving average for metric curves, debiased the way TensorBoard does it
// (tensorboard/plugins/scalar: `smoothed = last / debiasWeight`), so the start of a curve is not
// pulled towards zero. Non-finite values pass through unsmoothed and do not disturb the average.

/**
 * `weight` 0 = no smoothing, 0.99 = very smooth. Values are in x order; the result has the same
 * length, so point i of the smoothed series belongs to point i of the raw one.
 */
export function emaSmooth(values: ArrayLike<number>, weight: number): Float64Array {
  const w = Math.min(0.999, Math.max(0, weight));
  const out = new Float64Array(values.length);
  let last = 0;
  let debias = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i] as number;
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    last = last * w + (1 - w) * y;
    debias = debias * w + (1 - w);
    out[i] = w === 0 ? y : last / debias;
  }
  return out;
}
