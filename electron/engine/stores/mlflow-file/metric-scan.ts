// The byte scanner under every metric file read (metric-file.ts for runs, model-metric-file.ts for
// logged models; format doc 2.5, 2.10): one line per logged value, `<timestamp> <value> <step>`
// then 0-3 more space-separated fields.
//
// Lines are scanned straight from the bytes of a file's chunks (metric-stream.ts). Acceptance mirrors MLflow's `_get_metric_from_line`: the line is
// stripped, split on single spaces, the timestamp and step go through Python's int() and the value
// through float() (so `nan`, `inf`, `-inf`, `-0.0`, `1e-300` are accepted). The scanner converts
// nothing it does not have to: a sink decides from the fields which lines it needs decoded.
import type { MetricPoint } from '../../model.ts';

// ---- line scanning ---------------------------------------------------------------------------
// The scanner writes the fields of the last line into these module variables, which the sinks
// read as live bindings: scanning allocates nothing per line.
export let L_n = 0;
export let L_ts = 0;
export let L_step = 0;
export let L_vS = 0;
export let L_vE = 0;
/** Start/end of the extra fields: run_id (models), dataset name, dataset digest. */
export let L_xS0 = 0;
export let L_xE0 = 0;
export let L_xS1 = 0;
export let L_xE1 = 0;
export let L_xS2 = 0;
export let L_xE2 = 0;

/** Python int() of the digits in [s, e) (sign already consumed); precise beyond 2^53 via Number(). */
function bigInt(buf: Buffer, s: number, e: number): number {
  return Number(buf.toString('latin1', s, e));
}

function isSpecialFloat(buf: Buffer, s: number, e: number): boolean {
  const t = buf.toString('latin1', s, e).toLowerCase();
  return t === 'nan' || t === 'inf' || t === 'infinity';
}

/** The value of a token that passed the scanner's float check. */
export function floatValue(buf: Buffer, s: number, e: number): number {
  const t = buf.toString('latin1', s, e);
  const v = Number(t);
  if (!Number.isNaN(v)) return v;
  const lower = t.toLowerCase();
  if (lower.endsWith('nan')) return NaN;
  return lower.startsWith('-') ? -Infinity : Infinity;
}

/**
 * Scans one line: `ts value [step [x0 [x1 [x2]]]]`, ASCII-whitespace stripped, fields separated by
 * single spaces. Run lines: 2, 3 or 5 fields; model lines: 4 or 6. Returns false when MLflow would
 * reject the line. Written as one loop over locals: it runs once per line of the whole store.
 */
export function scanLine(buf: Buffer, s: number, e: number, model: boolean): boolean {
  let c = 0;
  while (s < e && ((c = buf[s] as number) === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c)) s++;
  while (e > s && ((c = buf[e - 1] as number) === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c)) e--;
  if (s === e) return false;
  // timestamp: Python int()
  let i = s;
  let neg = false;
  c = buf[i] as number;
  if (c === 0x2d || c === 0x2b) {
    neg = c === 0x2d;
    i++;
  }
  let ds = i;
  let ts = 0;
  while (i < e) {
    c = (buf[i] as number) - 0x30;
    if (c === -0x10) break; // space
    if (c < 0 || c > 9) return false;
    ts = ts * 10 + c;
    i++;
  }
  if (i === ds || i === e) return false;
  if (i - ds > 15) ts = bigInt(buf, ds, i);
  // 0 - v, not -v: Python has no negative zero integers.
  if (neg) ts = 0 - ts;
  i++;
  // value: Python float() syntax
  const vS = i;
  c = buf[i] as number;
  if (c === 0x2b || c === 0x2d) i++;
  let digits = 0;
  while (i < e && (c = (buf[i] as number) - 0x30) >= 0 && c <= 9) {
    i++;
    digits++;
  }
  if (i < e && buf[i] === 0x2e) {
    i++;
    while (i < e && (c = (buf[i] as number) - 0x30) >= 0 && c <= 9) {
      i++;
      digits++;
    }
  }
  if (digits === 0) {
    const ws = i;
    while (i < e && buf[i] !== 0x20) i++;
    if (!isSpecialFloat(buf, ws, i)) return false;
  } else if (i < e && ((c = buf[i] as number) === 0x65 || c === 0x45)) {
    i++;
    if (i < e && ((c = buf[i] as number) === 0x2b || c === 0x2d)) i++;
    const es = i;
    while (i < e && (c = (buf[i] as number) - 0x30) >= 0 && c <= 9) i++;
    if (i === es) return false;
  }
  if (i < e && buf[i] !== 0x20) return false;
  L_vS = vS;
  L_vE = i;
  L_ts = ts;
  if (i === e) {
    if (model) return false;
    L_n = 2;
    L_step = 0;
    return true;
  }
  i++;
  // step: Python int()
  neg = false;
  c = buf[i] as number;
  if (c === 0x2d || c === 0x2b) {
    neg = c === 0x2d;
    i++;
  }
  ds = i;
  let step = 0;
  while (i < e) {
    c = (buf[i] as number) - 0x30;
    if (c === -0x10) break;
    if (c < 0 || c > 9) return false;
    step = step * 10 + c;
    i++;
  }
  if (i === ds) return false;
  if (i - ds > 15) step = bigInt(buf, ds, i);
  L_step = neg ? 0 - step : step;
  let n = 3;
  // Up to three more space-separated fields (run_id for models, then dataset name and digest).
  while (i < e) {
    i++;
    const fs = i;
    while (i < e && buf[i] !== 0x20) i++;
    if (i === fs || n === 6) return false;
    if (n === 3) {
      L_xS0 = fs;
      L_xE0 = i;
    } else if (n === 4) {
      L_xS1 = fs;
      L_xE1 = i;
    } else {
      L_xS2 = fs;
      L_xE2 = i;
    }
    n++;
  }
  L_n = n;
  return model ? n === 4 || n === 6 : n === 3 || n === 5;
}

/** Whether the line given to the last sink call is valid (set by scanLineAt). */
let L_ok = false;

/**
 * Finds the end of the line starting at `s` and scans it in the same pass: returns the index of its
 * newline, or -1 when `n` comes first (an incomplete line), and sets L_ok and the L_ fields. The
 * common shape (`digits value step[ x[ y[ z]]]\n`, no stray whitespace) is handled inline; anything
 * else goes to the general scanner. One pass instead of indexOf()+scan: a native call per line
 * costs as much as scanning the line.
 */
function scanLineAt(buf: Buffer, s: number, n: number, model: boolean): number {
  let i = s;
  let c = 0;
  let ts = 0;
  let ds = i;
  while (i < n && (c = (buf[i] as number) - 0x30) >= 0 && c <= 9) {
    ts = ts * 10 + c;
    i++;
  }
  if (i >= n) return slowLine(buf, s, n, model);
  if (buf[i] !== 0x20 || i === ds) return slowLine(buf, s, n, model);
  if (i - ds > 15) ts = bigInt(buf, ds, i);
  i++;
  const vS = i;
  if (i < n && ((c = buf[i] as number) === 0x2d || c === 0x2b)) i++;
  let digits = 0;
  while (i < n && (c = (buf[i] as number) - 0x30) >= 0 && c <= 9) {
    i++;
    digits++;
  }
  if (i < n && buf[i] === 0x2e) {
    i++;
    while (i < n && (c = (buf[i] as number) - 0x30) >= 0 && c <= 9) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return slowLine(buf, s, n, model);
  if (i < n && ((c = buf[i] as number) === 0x65 || c === 0x45)) {
    i++;
    if (i < n && ((c = buf[i] as number) === 0x2b || c === 0x2d)) i++;
    const es = i;
    while (i < n && (c = (buf[i] as number) - 0x30) >= 0 && c <= 9) i++;
    if (i === es) return slowLine(buf, s, n, model);
  }
  if (i >= n) return -1;
  const vE = i;
  c = buf[i] as number;
  if (c === 0x0a) {
    if (model) return slowLine(buf, s, n, model);
    L_ts = ts;
    L_vS = vS;
    L_vE = vE;
    L_step = 0;
    L_n = 2;
    L_ok = true;
    return i;
  }
  if (c !== 0x20) return slowLine(buf, s, n, model);
  i++;
  let neg = false;
  if (i < n && buf[i] === 0x2d) {
    neg = true;
    i++;
  }
  ds = i;
  let step = 0;
  while (i < n && (c = (buf[i] as number) - 0x30) >= 0 && c <= 9) {
    step = step * 10 + c;
    i++;
  }
  if (i >= n) return -1;
  if (i === ds) return slowLine(buf, s, n, model);
  if (i - ds > 15) step = bigInt(buf, ds, i);
  let fields = 3;
  c = buf[i] as number;
  while (c === 0x20) {
    i++;
    const fs = i;
    while (i < n && (c = buf[i] as number) !== 0x20 && c !== 0x0a && c > 0x20) i++;
    if (i >= n) return -1;
    if (i === fs || fields === 6 || (c !== 0x20 && c !== 0x0a)) return slowLine(buf, s, n, model);
    if (fields === 3) {
      L_xS0 = fs;
      L_xE0 = i;
    } else if (fields === 4) {
      L_xS1 = fs;
      L_xE1 = i;
    } else {
      L_xS2 = fs;
      L_xE2 = i;
    }
    fields++;
  }
  if (c !== 0x0a) return slowLine(buf, s, n, model);
  L_ts = ts;
  L_vS = vS;
  L_vE = vE;
  L_step = neg ? 0 - step : step;
  L_n = fields;
  L_ok = model ? fields === 4 || fields === 6 : fields === 3 || fields === 5;
  return i;
}

function slowLine(buf: Buffer, s: number, n: number, model: boolean): number {
  const nl = buf.indexOf(10, s);
  if (nl < 0 || nl >= n) return -1;
  L_ok = scanLine(buf, s, nl, model);
  return nl;
}

export function text(buf: Buffer, s: number, e: number): string {
  return buf.toString('utf8', s, e);
}

/** The run metric point of the last scanned line. */
export function runPoint(buf: Buffer): MetricPoint {
  const value = floatValue(buf, L_vS, L_vE);
  if (L_n === 5) {
    return { step: L_step, timestamp: L_ts, value, datasetName: text(buf, L_xS0, L_xE0), datasetDigest: text(buf, L_xS1, L_xE1) };
  }
  return { step: L_step, timestamp: L_ts, value, datasetName: null, datasetDigest: null };
}

/** The start of a line, for a diagnostic. */
export function preview(buf: Buffer, s: number, e: number): string {
  let t = buf.toString('utf8', s, Math.min(e, s + 200)).trim();
  if (e - s > 200) t += '...';
  return t;
}

/**
 * Hands every complete line of `buf` from `s` up to `n` to the sink; returns where the first
 * incomplete line starts (`n` when there is none).
 */
export function scanLines(buf: Buffer, s: number, n: number, sink: LineSink): number {
  const model = sink.model;
  let ls = s;
  for (;;) {
    const nl = scanLineAt(buf, ls, n, model);
    if (nl < 0) break;
    sink.line(buf, ls, nl, L_ok);
    ls = nl + 1;
  }
  return ls;
}

/** What receives the scanned lines of a file. */
export interface LineSink {
  /** Logged-model lines (4/6 fields) rather than run lines (2/3/5). */
  readonly model: boolean;
  /** One complete line [s, e); `ok` tells whether the scanner's L_ fields hold it. */
  line(buf: Buffer, s: number, e: number, ok: boolean): void;
  /** A line too long to be a metric line (never buffered whole). */
  longLine(preview: string): void;
  /** Called before the buffer passed to `line` is reused. */
  flush(): void;
}
