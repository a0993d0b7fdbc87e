// Metric files (format doc 2.5 for runs, 2.10 for logged models): one line per logged value,
// `<timestamp> <value> <step>[ <dataset_name> <dataset_digest>]` for runs (2 fields in very old
// stores), `<timestamp> <value> <step> <run_id>[ <dataset_name> <dataset_digest>]` for models.
//
// Files are streamed in chunks (a metric logged every step of a long training can be tens of MB) and
// parsed straight from the bytes. Parsing mirrors MLflow's `_get_metric_from_line`: the line is
// stripped, split on single spaces, the timestamp and step go through Python's int() and the value
// through float() (so `nan`, `inf`, `-inf`, `-0.0`, `1e-300` are accepted).
//
// The "latest" value is Python's `max(..., key=(step, timestamp, value))` over the lines in file
// order (format doc 1.5): the first maximum wins on ties and NaN never compares greater.
import type { LoggedModelMetric, MetricPoint } from '../../model.ts';
import {
  closeFile,
  errCode,
  openFile,
  readAt,
  releaseBuffer,
  statFd,
  takeBuffer,
} from './fs-util.ts';

/**
 * An unterminated last line is a writer caught mid-line and is held back; once the file has not
 * changed for this long the line is taken as complete (MLflow itself reads it; a hand-made file may
 * lack the final newline).
 */
export const TAIL_GRACE_MS = 2000;
/** Longer lines cannot be metric lines; they are skipped without buffering them whole. */
const MAX_LINE = 64 * 1024;
const BIG_CHUNK = 1024 * 1024;

// ---- line parsing ----------------------------------------------------------------------------

/** Fields of the last parsed line (a scratch record: parsing allocates nothing per line). */
const F = {
  n: 0,
  ts: 0,
  value: 0,
  step: 0,
  starts: [0, 0, 0, 0, 0, 0, 0],
  ends: [0, 0, 0, 0, 0, 0, 0],
};

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** Splits a line into F.starts/F.ends; returns the field count (7 means "too many"). */
function splitFields(buf: Buffer, s: number, e: number): number {
  while (s < e && isWs(buf[s] as number)) s++;
  while (e > s && isWs(buf[e - 1] as number)) e--;
  let n = 0;
  let fs = s;
  for (let i = s; i < e; i++) {
    if (buf[i] === 0x20) {
      if (n === 6) return 7;
      F.starts[n] = fs;
      F.ends[n] = i;
      n++;
      fs = i + 1;
    }
  }
  if (n === 6) return 7;
  F.starts[n] = fs;
  F.ends[n] = e;
  return n + 1;
}

/** Python int() of an ASCII token; NaN when invalid. */
function parseIntToken(buf: Buffer, s: number, e: number): number {
  if (s >= e) return NaN;
  let neg = false;
  const c0 = buf[s];
  if (c0 === 0x2d || c0 === 0x2b) {
    neg = c0 === 0x2d;
    s++;
    if (s >= e) return NaN;
  }
  if (e - s > 15) {
    for (let i = s; i < e; i++) {
      const c = buf[i] as number;
      if (c < 0x30 || c > 0x39) return NaN;
    }
    const v = Number(buf.toString('latin1', s, e));
    return neg ? -v : v;
  }
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = (buf[i] as number) - 0x30;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

let floatOk = true;

/** Python float() of an ASCII token; sets floatOk=false when invalid. */
function parseFloatToken(buf: Buffer, s: number, e: number): number {
  floatOk = true;
  let plain = true;
  for (let i = s; i < e; i++) {
    const c = buf[i] as number;
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d)) {
      plain = false;
      break;
    }
  }
  const text = buf.toString('latin1', s, e);
  if (plain) {
    const v = Number(text);
    if (Number.isNaN(v)) floatOk = false;
    return v;
  }
  switch (text.toLowerCase()) {
    case 'nan':
    case '+nan':
    case '-nan':
      return NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      floatOk = false;
      return NaN;
  }
}

/** Parses a run metric line into F; false when it is not one of the 2/3/5-field forms. */
function parseRunLine(buf: Buffer, s: number, e: number): boolean {
  const n = splitFields(buf, s, e);
  if (n !== 2 && n !== 3 && n !== 5) return false;
  F.n = n;
  F.ts = parseIntToken(buf, F.starts[0] as number, F.ends[0] as number);
  if (Number.isNaN(F.ts)) return false;
  F.value = parseFloatToken(buf, F.starts[1] as number, F.ends[1] as number);
  if (!floatOk) return false;
  if (n >= 3) {
    F.step = parseIntToken(buf, F.starts[2] as number, F.ends[2] as number);
    if (Number.isNaN(F.step)) return false;
  } else F.step = 0;
  return true;
}

/** Parses a logged-model metric line (4 or 6 fields) into F. */
function parseModelLine(buf: Buffer, s: number, e: number): boolean {
  const n = splitFields(buf, s, e);
  if (n !== 4 && n !== 6) return false;
  F.n = n;
  F.ts = parseIntToken(buf, F.starts[0] as number, F.ends[0] as number);
  if (Number.isNaN(F.ts)) return false;
  F.value = parseFloatToken(buf, F.starts[1] as number, F.ends[1] as number);
  if (!floatOk) return false;
  F.step = parseIntToken(buf, F.starts[2] as number, F.ends[2] as number);
  return !Number.isNaN(F.step);
}

function field(buf: Buffer, i: number): string {
  return buf.toString('utf8', F.starts[i] as number, F.ends[i] as number);
}

function runPointFromF(buf: Buffer): MetricPoint {
  if (F.n === 5) {
    return { step: F.step, timestamp: F.ts, value: F.value, datasetName: field(buf, 3), datasetDigest: field(buf, 4) };
  }
  return { step: F.step, timestamp: F.ts, value: F.value, datasetName: null, datasetDigest: null };
}

/** Python's tuple `>` on (step, timestamp, value): true when `b` replaces the running max `a`. */
export function beats(a: { step: number; timestamp: number; value: number } | null, step: number, ts: number, value: number) {
  if (a === null) return true;
  if (step !== a.step) return step > a.step;
  if (ts !== a.timestamp) return ts > a.timestamp;
  return value > a.value;
}

function lineText(buf: Buffer, s: number, e: number): string {
  let t = buf.toString('utf8', s, Math.min(e, s + 200)).trim();
  if (e - s > 200) t += '...';
  return t;
}

// ---- streaming -------------------------------------------------------------------------------

interface LineSink {
  line(buf: Buffer, s: number, e: number): void;
  /** A line too long to be a metric line (never buffered whole). */
  longLine(preview: string): void;
}

interface StreamResult {
  /** Byte offset just after the last complete line. */
  end: number;
  /** The unterminated last line, if any (a copy). */
  tail: Buffer | null;
  /** Bytes read in total (for deciding whether anything changed). */
  read: number;
}

async function streamLines(fd: number, start: number, sink: LineSink): Promise<StreamResult> {
  let buf = takeBuffer();
  let pooled = true;
  let pos = start;
  let end = start;
  let carry: Buffer | null = null;
  let discarding = false;
  let read = 0;
  try {
    for (;;) {
      const n = await readAt(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      const chunkStart = pos;
      pos += n;
      read += n;
      // A view of the bytes just read: searching the whole buffer would scan stale bytes.
      const data = n === buf.length ? buf : buf.subarray(0, n);
      let ls = 0;
      if (carry !== null || discarding) {
        const nl = data.indexOf(10, 0);
        if (nl < 0) {
          if (!discarding) {
            const c: Buffer = carry as Buffer;
            if (c.length + n > MAX_LINE) {
              sink.longLine(lineText(c, 0, c.length));
              discarding = true;
              carry = null;
            } else carry = Buffer.concat([c, data]);
          }
          if (n < buf.length) break;
          if (pooled) {
            releaseBuffer(buf);
            pooled = false;
            buf = Buffer.allocUnsafe(BIG_CHUNK);
          }
          continue;
        }
        if (discarding) discarding = false;
        else {
          const line = Buffer.concat([carry as Buffer, data.subarray(0, nl)]);
          sink.line(line, 0, line.length);
        }
        carry = null;
        ls = nl + 1;
        end = chunkStart + ls;
      }
      for (;;) {
        const nl = data.indexOf(10, ls);
        if (nl < 0) break;
        sink.line(data, ls, nl);
        ls = nl + 1;
      }
      end = chunkStart + ls;
      if (ls < n) {
        if (n - ls > MAX_LINE) {
          sink.longLine(lineText(data, ls, n));
          discarding = true;
        } else carry = Buffer.from(data.subarray(ls, n));
      }
      // A short read means end of file for a regular file; a full one means a big file: read on
      // with a larger buffer so a 50 MB file takes 50 reads, not 800.
      if (n < buf.length) break;
      if (pooled) {
        releaseBuffer(buf);
        pooled = false;
        buf = Buffer.allocUnsafe(BIG_CHUNK);
      }
    }
  } finally {
    if (pooled) releaseBuffer(buf);
  }
  return { end, tail: discarding ? null : carry, read };
}

function hasContent(b: Buffer | null): b is Buffer {
  if (b === null) return false;
  for (let i = 0; i < b.length; i++) if (!isWs(b[i] as number)) return true;
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

class LatestSink implements LineSink {
  st: RunMetricState;
  constructor(st: RunMetricState) {
    this.st = st;
  }
  line(buf: Buffer, s: number, e: number): void {
    const st = this.st;
    st.lines++;
    if (!parseRunLine(buf, s, e)) {
      st.noteBad(st.lines, lineText(buf, s, e));
      return;
    }
    if (beats(st.best, F.step, F.ts, F.value)) st.best = runPointFromF(buf);
  }
  longLine(preview: string): void {
    this.st.lines++;
    this.st.noteBad(this.st.lines, preview);
  }
}

export type MetricReadResult = { ok: true; changed: boolean } | { ok: false; code: string };

/**
 * Brings `st` up to date with the file: reads only what was appended since the last call. With
 * `checkReplaced` (refresh) the file is stat'ed first: a file that shrank or was replaced (new
 * inode) is re-read from the start, and an unchanged size skips the read.
 */
export async function updateRunMetric(abs: string, st: RunMetricState, checkReplaced: boolean): Promise<MetricReadResult> {
  let fd: number;
  try {
    fd = await openFile(abs);
  } catch (e) {
    return { ok: false, code: errCode(e) };
  }
  try {
    const before = st.latest();
    const hadBadTail = st.badTail;
    let mtimeMs: number | null = null;
    if (checkReplaced) {
      const s = await statFd(fd);
      mtimeMs = s.mtimeMs;
      if ((st.ino !== -1 && s.ino !== st.ino) || s.size < st.offset) st.reset();
      st.ino = s.ino;
      if (s.size === st.offset && st.tail === null && st.badTail === null && !st.pending) {
        return { ok: true, changed: false };
      }
    }
    const r = await streamLines(fd, st.offset, new LatestSink(st));
    st.offset = r.end;
    st.tail = null;
    st.badTail = null;
    st.pending = false;
    if (hasContent(r.tail)) {
      if (mtimeMs === null) mtimeMs = (await statFd(fd)).mtimeMs;
      if (Date.now() - mtimeMs >= TAIL_GRACE_MS) {
        if (parseRunLine(r.tail, 0, r.tail.length)) st.tail = runPointFromF(r.tail);
        else st.badTail = lineText(r.tail, 0, r.tail.length);
      } else st.pending = true;
    }
    const after = st.latest();
    const changed = !samePoint(before, after) || hadBadTail !== st.badTail || r.read > 0;
    return { ok: true, changed };
  } catch (e) {
    return { ok: false, code: errCode(e) };
  } finally {
    await closeFile(fd);
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

/** The diagnostic text for a file's bad lines, or null when it has none. */
export function badLinesProblem(rel: string, st: { bad: number; firstBadLine: number; firstBadText: string; badTail: string | null; lines: number }, expected: string): string | null {
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

export const RUN_LINE_FORM = '<timestamp> <value> <step>';
export const MODEL_LINE_FORM = '<timestamp> <value> <step> <run_id>';

// ---- full history -----------------------------------------------------------------------------

class HistorySink implements LineSink {
  points: MetricPoint[] = [];
  line(buf: Buffer, s: number, e: number): void {
    if (parseRunLine(buf, s, e)) this.points.push(runPointFromF(buf));
  }
  longLine(): void {}
}

/** Every valid line of a run metric file, in file order (duplicates kept, as MLflow returns them). */
export async function readRunMetricHistory(abs: string): Promise<MetricPoint[]> {
  let fd: number;
  try {
    fd = await openFile(abs);
  } catch {
    return [];
  }
  try {
    const sink = new HistorySink();
    const r = await streamLines(fd, 0, sink);
    if (hasContent(r.tail) && Date.now() - (await statFd(fd)).mtimeMs >= TAIL_GRACE_MS) {
      if (parseRunLine(r.tail, 0, r.tail.length)) sink.points.push(runPointFromF(r.tail));
    }
    return sink.points;
  } catch {
    return [];
  } finally {
    await closeFile(fd);
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
  line(buf: Buffer, s: number, e: number): void {
    this.lines++;
    if (!parseModelLine(buf, s, e)) {
      this.noteBad(lineText(buf, s, e));
      return;
    }
    this.take(buf);
  }
  take(buf: Buffer): void {
    const name = F.n === 6 ? field(buf, 4) : null;
    const digest = F.n === 6 ? field(buf, 5) : null;
    // MLflow groups a model's metric lines by (dataset_name, dataset_digest) and keeps the max of each.
    const group = `${name ?? '\u0000'}\u0001${digest ?? '\u0000'}`;
    const cur = this.byDataset.get(group) ?? null;
    if (beats(cur, F.step, F.ts, F.value)) {
      this.byDataset.set(group, {
        key: this.key,
        value: F.value,
        step: F.step,
        timestamp: F.ts,
        runId: field(buf, 3),
        datasetName: name,
        datasetDigest: digest,
      });
    }
  }
  noteBad(text: string): void {
    if (this.bad === 0) {
      this.firstBadLine = this.lines;
      this.firstBadText = text;
    }
    this.bad++;
  }
  longLine(preview: string): void {
    this.lines++;
    this.noteBad(preview);
  }
}

export type ModelMetricResult =
  | { ok: true; metrics: LoggedModelMetric[]; problem: string | null }
  | { ok: false; code: string };

/** Latest value per dataset of one logged-model metric file, plus a bad-lines problem if any. */
export async function readModelMetric(abs: string, key: string, rel: string): Promise<ModelMetricResult> {
  let fd: number;
  try {
    fd = await openFile(abs);
  } catch (e) {
    return { ok: false, code: errCode(e) };
  }
  try {
    const sink = new ModelSink(key);
    const r = await streamLines(fd, 0, sink);
    if (hasContent(r.tail) && Date.now() - (await statFd(fd)).mtimeMs >= TAIL_GRACE_MS) {
      if (parseModelLine(r.tail, 0, r.tail.length)) sink.take(r.tail);
      else sink.badTail = lineText(r.tail, 0, r.tail.length);
    }
    let problem = badLinesProblem(rel, sink, MODEL_LINE_FORM);
    if (problem === null && sink.lines === 0 && sink.byDataset.size === 0 && !hasContent(r.tail)) {
      problem = `${rel}: empty metric file (metric skipped)`;
    }
    return { ok: true, metrics: [...sink.byDataset.values()], problem };
  } catch (e) {
    return { ok: false, code: errCode(e) };
  } finally {
    await closeFile(fd);
  }
}

/** Exposed for tests: parse one run metric line (null when MLflow would reject it). */
export function parseRunMetricLine(line: string): MetricPoint | null {
  const b = Buffer.from(line, 'utf8');
  return parseRunLine(b, 0, b.length) ? runPointFromF(b) : null;
}
