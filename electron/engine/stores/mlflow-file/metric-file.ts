// Metric files (format doc 2.5 for runs, 2.10 for logged models): one line per logged value,
// `<timestamp> <value> <step>[ <dataset_name> <dataset_digest>]` for runs (2 fields in very old
// stores), `<timestamp> <value> <step> <run_id>[ <dataset_name> <dataset_digest>]` for models.
//
// Files are streamed in chunks (a metric logged every step of a long training can be tens of MB) and
// scanned straight from the bytes. Acceptance mirrors MLflow's `_get_metric_from_line`: the line is
// stripped, split on single spaces, the timestamp and step go through Python's int() and the value
// through float() (so `nan`, `inf`, `-inf`, `-0.0`, `1e-300` are accepted).
//
// The "latest" value is Python's `max(..., key=(step, timestamp, value))` over the lines in file
// order (format doc 1.5): the first maximum wins on ties and NaN never compares greater. Scanning
// for it only converts a value when it is needed (a tie on step and timestamp, or the final
// winner), which keeps a cold index of millions of lines cheap.
import type { LoggedModelMetric, MetricPoint } from '../../model.ts';
import { closeSync } from 'node:fs';
import { errCode, releaseBuffer, safeClose, SMALL, takeBuffer, type Io, type SyncIo } from './fs-util.ts';

/**
 * An unterminated last line is a writer caught mid-line and is held back; once the file has not
 * changed for this long the line is taken as complete (MLflow itself reads it; a hand-made file may
 * lack the final newline).
 */
export const TAIL_GRACE_MS = 2000;
/** Longer lines cannot be metric lines; they are skipped without buffering them whole. */
const MAX_LINE = 64 * 1024;
const BIG_CHUNK = 1024 * 1024;

export const RUN_LINE_FORM = '<timestamp> <value> <step>';
export const MODEL_LINE_FORM = '<timestamp> <value> <step> <run_id>';

// ---- line scanning ---------------------------------------------------------------------------
// The scanner writes the fields of the last line into these module variables: scanning allocates
// nothing per line.

let L_n = 0;
let L_ts = 0;
let L_step = 0;
let L_vS = 0;
let L_vE = 0;
/** Start/end of the extra fields: run_id (models), dataset name, dataset digest. */
let L_xS0 = 0;
let L_xE0 = 0;
let L_xS1 = 0;
let L_xE1 = 0;
let L_xS2 = 0;
let L_xE2 = 0;

/** Python int() of the digits in [s, e) (sign already consumed); precise beyond 2^53 via Number(). */
function bigInt(buf: Buffer, s: number, e: number): number {
  return Number(buf.toString('latin1', s, e));
}

function isSpecialFloat(buf: Buffer, s: number, e: number): boolean {
  const t = buf.toString('latin1', s, e).toLowerCase();
  return t === 'nan' || t === 'inf' || t === 'infinity';
}

/** The value of a token that passed the scanner's float check. */
function floatValue(buf: Buffer, s: number, e: number): number {
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
function scanLine(buf: Buffer, s: number, e: number, model: boolean): boolean {
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

function text(buf: Buffer, s: number, e: number): string {
  return buf.toString('utf8', s, e);
}

/** The run metric point of the last scanned line. */
function runPoint(buf: Buffer): MetricPoint {
  const value = floatValue(buf, L_vS, L_vE);
  if (L_n === 5) {
    return { step: L_step, timestamp: L_ts, value, datasetName: text(buf, L_xS0, L_xE0), datasetDigest: text(buf, L_xS1, L_xE1) };
  }
  return { step: L_step, timestamp: L_ts, value, datasetName: null, datasetDigest: null };
}

/** Python's tuple `>` on (step, timestamp, value): true when the new triple replaces the max `a`. */
export function beats(a: { step: number; timestamp: number; value: number } | null, step: number, ts: number, value: number) {
  if (a === null) return true;
  if (step !== a.step) return step > a.step;
  if (ts !== a.timestamp) return ts > a.timestamp;
  return value > a.value;
}

function preview(buf: Buffer, s: number, e: number): string {
  let t = buf.toString('utf8', s, Math.min(e, s + 200)).trim();
  if (e - s > 200) t += '...';
  return t;
}

// ---- streaming -------------------------------------------------------------------------------

interface LineSink {
  /** Logged-model lines (4/6 fields) rather than run lines (2/3/5). */
  readonly model: boolean;
  /** One complete line [s, e); `ok` tells whether the scanner's L_ fields hold it. */
  line(buf: Buffer, s: number, e: number, ok: boolean): void;
  /** A line too long to be a metric line (never buffered whole). */
  longLine(preview: string): void;
  /** Called before the buffer passed to `line` is reused. */
  flush(): void;
}

interface StreamResult {
  /** Byte offset just after the last complete line. */
  end: number;
  /** The unterminated last line, if any (a copy). */
  tail: Buffer | null;
  /** Bytes read in total. */
  read: number;
}

/** Yield to the event loop every this many bytes of a big file (sync I/O would block otherwise). */
const YIELD_BYTES = 4 * BIG_CHUNK;

async function streamLines(io: Io, fd: number, start: number, sink: LineSink): Promise<StreamResult> {
  let buf = takeBuffer();
  let pooled = true;
  let pos = start;
  let end = start;
  let carry: Buffer | null = null;
  let discarding = false;
  let read = 0;
  let sinceYield = 0;
  const grow = () => {
    // A full small read means a big file: continue with a larger buffer (a 50 MB file then takes
    // 50 reads, not 3000).
    if (pooled) {
      releaseBuffer(buf);
      pooled = false;
      buf = Buffer.allocUnsafe(BIG_CHUNK);
    }
  };
  try {
    for (;;) {
      const n = await io.read(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      const chunkStart = pos;
      pos += n;
      read += n;
      sinceYield += n;
      // A view of the bytes just read: searching the whole buffer would scan stale bytes.
      const data = n === buf.length ? buf : buf.subarray(0, n);
      let ls = 0;
      if (carry !== null || discarding) {
        const nl = data.indexOf(10, 0);
        if (nl < 0) {
          if (!discarding) {
            const c: Buffer = carry as Buffer;
            if (c.length + n > MAX_LINE) {
              sink.longLine(preview(c, 0, c.length));
              discarding = true;
              carry = null;
            } else carry = Buffer.concat([c, data]);
          }
          if (n < buf.length) break;
          grow();
          continue;
        }
        if (discarding) discarding = false;
        else {
          const line = Buffer.concat([carry as Buffer, data.subarray(0, nl)]);
          sink.line(line, 0, line.length, scanLine(line, 0, line.length, sink.model));
        }
        carry = null;
        ls = nl + 1;
      }
      const model = sink.model;
      for (;;) {
        const nl = scanLineAt(data, ls, n, model);
        if (nl < 0) break;
        sink.line(data, ls, nl, L_ok);
        ls = nl + 1;
      }
      sink.flush();
      end = chunkStart + ls;
      if (ls < n) {
        if (n - ls > MAX_LINE) {
          sink.longLine(preview(data, ls, n));
          discarding = true;
        } else carry = Buffer.from(data.subarray(ls, n));
      }
      // A short read means end of file for a regular file.
      if (n < buf.length) break;
      grow();
      if (io.sync && sinceYield >= YIELD_BYTES) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    sink.flush();
    if (pooled) releaseBuffer(buf);
  }
  return { end, tail: discarding ? null : carry, read };
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}

function hasContent(b: Buffer | null): b is Buffer {
  return b !== null && hasContentIn(b, 0, b.length);
}

function hasContentIn(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (!isWs(b[i] as number)) return true;
  return false;
}

// ---- run metric files: incremental latest ------------------------------------------------------

/** What is remembered per run metric file between reads (kept small: one per file of the store). */
export class RunMetricState {
  /** Bytes consumed: just after the last complete line. */
  offset = 0;
  /** Complete lines consumed (for line numbers in diagnostics). */
  lines = 0;
  /** Inode seen at the last checked read, -1 before one (a replaced file is re-read from 0). */
  ino = -1;
  /** Running max over the complete lines. */
  best: MetricPoint | null = null;
  /** A stale unterminated last line, counted but not consumed (it may still grow). */
  tail: MetricPoint | null = null;
  bad = 0;
  firstBadLine = 0;
  firstBadText = '';
  /** A stale unterminated last line that does not parse (reported, not counted in `bad`). */
  badTail: string | null = null;
  /** An unterminated last line is being held back (a writer is mid-line). */
  pending = false;

  reset(): void {
    this.offset = 0;
    this.lines = 0;
    this.best = null;
    this.tail = null;
    this.bad = 0;
    this.firstBadLine = 0;
    this.firstBadText = '';
    this.badTail = null;
    this.pending = false;
  }

  /** The point the run shows for this key, or null when the file has no valid line yet. */
  latest(): MetricPoint | null {
    const t = this.tail;
    if (t !== null && beats(this.best, t.step, t.timestamp, t.value)) return t;
    return this.best;
  }

  noteBad(line: number, text: string): void {
    if (this.bad === 0) {
      this.firstBadLine = line;
      this.firstBadText = text;
    }
    this.bad++;
  }
}

/** Running max with lazy conversion: the winner's value and dataset are decoded at flush. */
class LatestSink implements LineSink {
  st: RunMetricState;
  has: boolean;
  step = 0;
  ts = 0;
  value = 0;
  valueKnown = true;
  /** Where the pending (not yet materialized) winner is; null when `st.best` is current. */
  lazyBuf: Buffer | null = null;
  vS = 0;
  vE = 0;
  n = 0;
  dS0 = 0;
  dE0 = 0;
  dS1 = 0;
  dE1 = 0;

  constructor(st: RunMetricState) {
    this.st = st;
    const b = st.best;
    this.has = b !== null;
    if (b !== null) {
      this.step = b.step;
      this.ts = b.timestamp;
      this.value = b.value;
    }
  }

  readonly model = false;
  line(buf: Buffer, s: number, e: number, ok: boolean): void {
    const st = this.st;
    st.lines++;
    if (!ok) {
      st.noteBad(st.lines, preview(buf, s, e));
      return;
    }
    if (!this.has || L_step > this.step || (L_step === this.step && L_ts > this.ts)) {
      this.take(buf, false, 0);
    } else if (L_step === this.step && L_ts === this.ts) {
      const v = floatValue(buf, L_vS, L_vE);
      if (v > this.currentValue()) this.take(buf, true, v);
    }
  }

  private currentValue(): number {
    if (!this.valueKnown && this.lazyBuf !== null) {
      this.value = floatValue(this.lazyBuf, this.vS, this.vE);
      this.valueKnown = true;
    }
    return this.value;
  }

  private take(buf: Buffer, known: boolean, v: number): void {
    this.has = true;
    this.step = L_step;
    this.ts = L_ts;
    this.valueKnown = known;
    this.value = v;
    this.lazyBuf = buf;
    this.vS = L_vS;
    this.vE = L_vE;
    this.n = L_n;
    this.dS0 = L_xS0;
    this.dE0 = L_xE0;
    this.dS1 = L_xS1;
    this.dE1 = L_xE1;
  }

  flush(): void {
    const buf = this.lazyBuf;
    if (buf === null) return;
    const value = this.currentValue();
    const five = this.n === 5;
    this.st.best = {
      step: this.step,
      timestamp: this.ts,
      value,
      datasetName: five ? text(buf, this.dS0, this.dE0) : null,
      datasetDigest: five ? text(buf, this.dS1, this.dE1) : null,
    };
    this.lazyBuf = null;
  }

  longLine(p: string): void {
    this.st.lines++;
    this.st.noteBad(this.st.lines, p);
  }
}

export type MetricReadResult = { readonly ok: true; readonly changed: boolean } | { readonly ok: false; readonly code: string };
const CHANGED: MetricReadResult = Object.freeze({ ok: true, changed: true });
const UNCHANGED: MetricReadResult = Object.freeze({ ok: true, changed: false });

/**
 * Brings `st` up to date with the file: reads only what was appended since the last call. With
 * `checkReplaced` (refresh) the file is stat'ed first: a file that shrank or was replaced (new
 * inode) is re-read from the start, and an unchanged size skips the read.
 */
export function updateRunMetric(
  io: Io,
  abs: string,
  st: RunMetricState,
  checkReplaced: boolean,
): MetricReadResult | Promise<MetricReadResult> {
  if (io.sync && !checkReplaced && st.offset === 0 && st.lines === 0) {
    const r = firstReadSmallSync(io as SyncIo, abs, st);
    if (r !== null) return r;
  }
  return updateRunMetricAsync(io, abs, st, checkReplaced);
}

/**
 * The first read of a small metric file with blocking I/O, without a single promise (this runs for
 * every metric file of a cold index). Null when the file is too big for one read: the general path
 * then streams it.
 */
function firstReadSmallSync(io: SyncIo, abs: string, st: RunMetricState): MetricReadResult | null {
  let fd: number;
  try {
    fd = io.open(abs);
  } catch (e) {
    return { ok: false, code: errCode(e) };
  }
  const buf = takeBuffer();
  try {
    const n = io.read(fd, buf, 0, SMALL, 0);
    if (n === SMALL) return null;
    const sink = new LatestSink(st);
    let ls = 0;
    for (;;) {
      const nl = scanLineAt(buf, ls, n, false);
      if (nl < 0) break;
      sink.line(buf, ls, nl, L_ok);
      ls = nl + 1;
    }
    sink.flush();
    st.offset = ls;
    if (ls < n && hasContentIn(buf, ls, n)) {
      if (Date.now() - io.fstat(fd).mtimeMs >= TAIL_GRACE_MS) {
        if (scanLine(buf, ls, n, false)) st.tail = runPoint(buf);
        else st.badTail = preview(buf, ls, n);
      } else st.pending = true;
    }
    return CHANGED;
  } catch (e) {
    return { ok: false, code: errCode(e) };
  } finally {
    releaseBuffer(buf);
    try {
      closeSync(fd);
    } catch {
      // the descriptor is gone either way
    }
  }
}

async function updateRunMetricAsync(io: Io, abs: string, st: RunMetricState, checkReplaced: boolean): Promise<MetricReadResult> {
  let fd: number;
  try {
    fd = await io.open(abs);
  } catch (e) {
    return { ok: false, code: errCode(e) };
  }
  try {
    const before = st.latest();
    const hadBadTail = st.badTail;
    let mtimeMs: number | null = null;
    if (checkReplaced) {
      const s = await io.fstat(fd);
      if (s.isDirectory()) return { ok: false, code: 'EISDIR' };
      mtimeMs = s.mtimeMs;
      if ((st.ino !== -1 && s.ino !== st.ino) || s.size < st.offset) st.reset();
      st.ino = s.ino;
      if (s.size === st.offset && st.tail === null && st.badTail === null && !st.pending) {
        return UNCHANGED;
      }
    }
    const r = await streamLines(io, fd, st.offset, new LatestSink(st));
    st.offset = r.end;
    st.tail = null;
    st.badTail = null;
    st.pending = false;
    if (hasContent(r.tail)) {
      if (mtimeMs === null) mtimeMs = (await io.fstat(fd)).mtimeMs;
      if (Date.now() - mtimeMs >= TAIL_GRACE_MS) {
        if (scanLine(r.tail, 0, r.tail.length, false)) st.tail = runPoint(r.tail);
        else st.badTail = preview(r.tail, 0, r.tail.length);
      } else st.pending = true;
    }
    const changed = r.read > 0 || !samePoint(before, st.latest()) || hadBadTail !== st.badTail;
    return changed ? CHANGED : UNCHANGED;
  } catch (e) {
    return { ok: false, code: errCode(e) };
  } finally {
    await safeClose(io, fd);
  }
}

export function samePoint(a: MetricPoint | null, b: MetricPoint | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return (
    a.step === b.step &&
    a.timestamp === b.timestamp &&
    Object.is(a.value, b.value) &&
    (a.datasetName ?? null) === (b.datasetName ?? null) &&
    (a.datasetDigest ?? null) === (b.datasetDigest ?? null)
  );
}

interface BadLines {
  bad: number;
  firstBadLine: number;
  firstBadText: string;
  badTail: string | null;
  lines: number;
}

/** The diagnostic text for a file's bad lines, or null when it has none. */
export function badLinesProblem(rel: string, st: BadLines, expected: string): string | null {
  const parts: string[] = [];
  if (st.bad > 0) {
    const more = st.bad > 1 ? `; ${st.bad} bad lines in this file` : '';
    parts.push(`${rel} line ${st.firstBadLine}: expected "${expected}", got "${st.firstBadText}" (line skipped${more})`);
  }
  if (st.badTail !== null) {
    parts.push(`${rel} line ${st.lines + 1}: expected "${expected}", got "${st.badTail}" (unfinished last line skipped)`);
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

// ---- full history -----------------------------------------------------------------------------

class HistorySink implements LineSink {
  readonly model = false;
  points: MetricPoint[] = [];
  line(buf: Buffer, _s: number, _e: number, ok: boolean): void {
    if (ok) this.points.push(runPoint(buf));
  }
  longLine(): void {}
  flush(): void {}
}

/** Every valid line of a run metric file, in file order (duplicates kept, as MLflow returns them). */
export async function readRunMetricHistory(io: Io, abs: string): Promise<MetricPoint[]> {
  let fd: number;
  try {
    fd = await io.open(abs);
  } catch {
    return [];
  }
  try {
    const sink = new HistorySink();
    const r = await streamLines(io, fd, 0, sink);
    if (hasContent(r.tail) && Date.now() - (await io.fstat(fd)).mtimeMs >= TAIL_GRACE_MS) {
      if (scanLine(r.tail, 0, r.tail.length, false)) sink.points.push(runPoint(r.tail));
    }
    return sink.points;
  } catch {
    return [];
  } finally {
    await safeClose(io, fd);
  }
}

// ---- logged model metric files -----------------------------------------------------------------

class ModelSink implements LineSink {
  key: string;
  byDataset = new Map<string, LoggedModelMetric>();
  lines = 0;
  bad = 0;
  firstBadLine = 0;
  firstBadText = '';
  badTail: string | null = null;
  constructor(key: string) {
    this.key = key;
  }
  readonly model = true;
  line(buf: Buffer, s: number, e: number, ok: boolean): void {
    this.lines++;
    if (!ok) {
      this.noteBad(preview(buf, s, e));
      return;
    }
    this.take(buf);
  }
  take(buf: Buffer): void {
    const six = L_n === 6;
    const name = six ? text(buf, L_xS1, L_xE1) : null;
    const digest = six ? text(buf, L_xS2, L_xE2) : null;
    // MLflow groups a model's metric lines by (dataset_name, dataset_digest) and keeps the max of each.
    const group = six ? `${name}\u0001${digest}` : '';
    const cur = this.byDataset.get(group) ?? null;
    const value = floatValue(buf, L_vS, L_vE);
    if (beats(cur, L_step, L_ts, value)) {
      this.byDataset.set(group, {
        key: this.key,
        value,
        step: L_step,
        timestamp: L_ts,
        runId: text(buf, L_xS0, L_xE0),
        datasetName: name,
        datasetDigest: digest,
      });
    }
  }
  noteBad(t: string): void {
    if (this.bad === 0) {
      this.firstBadLine = this.lines;
      this.firstBadText = t;
    }
    this.bad++;
  }
  longLine(p: string): void {
    this.lines++;
    this.noteBad(p);
  }
  flush(): void {}
}

export type ModelMetricResult =
  | { ok: true; metrics: LoggedModelMetric[]; problem: string | null }
  | { ok: false; code: string };

/** Latest value per dataset of one logged-model metric file, plus a bad-lines problem if any. */
export async function readModelMetric(io: Io, abs: string, key: string, rel: string): Promise<ModelMetricResult> {
  let fd: number;
  try {
    fd = await io.open(abs);
  } catch (e) {
    return { ok: false, code: errCode(e) };
  }
  try {
    const sink = new ModelSink(key);
    const r = await streamLines(io, fd, 0, sink);
    if (hasContent(r.tail) && Date.now() - (await io.fstat(fd)).mtimeMs >= TAIL_GRACE_MS) {
      if (scanLine(r.tail, 0, r.tail.length, true)) sink.take(r.tail);
      else sink.badTail = preview(r.tail, 0, r.tail.length);
    }
    let problem = badLinesProblem(rel, sink, MODEL_LINE_FORM);
    if (problem === null && sink.lines === 0 && !hasContent(r.tail)) {
      problem = `${rel}: empty metric file (metric skipped)`;
    }
    return { ok: true, metrics: [...sink.byDataset.values()], problem };
  } catch (e) {
    return { ok: false, code: errCode(e) };
  } finally {
    await safeClose(io, fd);
  }
}

/** One run metric line as MLflow would read it, or null when MLflow rejects it (for tests). */
export function parseRunMetricLine(line: string): MetricPoint | null {
  const b = Buffer.from(line, 'utf8');
  return scanLine(b, 0, b.length, false) ? runPoint(b) : null;
}
