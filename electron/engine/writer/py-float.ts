// Python's number formatting, which MLflow's files and JSON carry: str(float) and str(int).
import { TrackingWriteError } from './types.ts';

/**
 * Python's `str(float)` (repr, "short" style): shortest round-trip digits, fixed notation when the
 * decimal exponent is in (-4, 16], `.0` on integral values, two-digit exponents (`1e-05`,
 * `1e+16`), `nan`/`inf`/`-inf`, `-0.0`. MLflow writes metric values with it (format doc 2.5).
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const ax = Math.abs(x);
  if (ax >= 1e-4 && ax < 1e16) {
    // Both languages print the same shortest round-trip digits, and JS uses fixed notation here.
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const sign = x < 0 ? '-' : '';
  const [mant = '', expText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  const decpt = exp + 1;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${sign}${m}e${e}`;
}

export function pyInt(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (!Number.isInteger(n)) throw new TrackingWriteError(`Expected an integer, got ${n}`);
  // Integral doubles beyond 2^53 still print exactly as Python ints would (no exponent).
  return BigInt(n).toString();
}
