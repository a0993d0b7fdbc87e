// Compact, lossless-on-hover number and time formatting for dense tables. The full value always
// goes into a title / data attribute; what is drawn only has to be short and honest (NaN and
// infinities are spelled out, never blanked, because MLflow stores them and users log them).

/** Compact metric text: ≤ 6 significant digits, exponent for very large/small magnitudes. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const abs = Math.abs(n);
  if (Number.isInteger(n) && abs < 1e9) return String(n);
  if (abs >= 1e9 || abs < 1e-4) return trimExponent(n.toExponential(3));
  // toPrecision would switch to an exponent here; a rounded integer reads better.
  if (abs >= 1e5) return String(Math.round(n));
  return trimFraction(n.toPrecision(5));
}

function trimFraction(s: string): string {
  if (!s.includes('.') || s.includes('e')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

function trimExponent(s: string): string {
  // 1.500e+7 → 1.5e+7
  const [mant = s, exp] = s.split('e');
  return exp === undefined ? s : `${trimFraction(mant)}e${exp}`;
}

/** The exact value, as JavaScript prints it (what tooltips and `data-value` carry). */
export function exactNumber(n: number): string {
  if (Object.is(n, -0)) return '-0';
  return String(n);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const totalSec = Math.round(s);
  const m = Math.floor(totalSec / 60);
  if (m < 60) return `${m}m ${String(totalSec % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local time, `2025-11-20 14:03`; seconds in the exact form. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatTimeExact(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  return `${formatTime(ms)}:${pad(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** "3 minutes ago" style, for the detail header. */
export function formatRelative(ms: number, now: number): string {
  const diff = now - ms;
  if (!Number.isFinite(diff)) return '';
  const future = diff < 0;
  const a = Math.abs(diff) / 1000;
  const [v, unit] =
    a < 60 ? [Math.round(a), 'second'] : a < 3600 ? [Math.round(a / 60), 'minute'] : a < 86400 ? [Math.round(a / 3600), 'hour'] : a < 86400 * 30 ? [Math.round(a / 86400), 'day'] : a < 86400 * 365 ? [Math.round(a / (86400 * 30)), 'month'] : [Math.round(a / (86400 * 365)), 'year'];
  const s = `${v} ${unit}${v === 1 ? '' : 's'}`;
  return future ? `in ${s}` : `${s} ago`;
}

export function formatBytes(n: number | null): string {
  if (n === null) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Last path segment, for long source paths in narrow cells. */
export function baseName(p: string): string {
  const parts = p.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? p;
}
