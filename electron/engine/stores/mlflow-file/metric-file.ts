// Run metric files (format doc 2.5): one line per logged value,
// `<timestamp> <value> <step>[ <dataset_name> <dataset_digest>]` (2 fields in very old stores),
// read through the byte scanner (metric-scan.ts): incrementally for the latest value, whole for a
// metric's history.
//
// The "latest" value is Python's `max(..., key=(step, timestamp, value))` over the lines in file
// order (format doc 1.5): the first maximum wins on ties and NaN never compares greater. Scanning
// for it only converts a value when it is needed (a tie on step and timestamp, or the final
// winner), which keeps a cold index of millions of lines cheap.
import type { MetricPoint } from '../../model.ts';
import { closeSync } from 'node:fs';
import { errCode, releaseBuffer, safeClose, SMALL, takeBuffer, withOpenFile, type Io, type SyncIo } from './fs-util.ts';
import {
  floatValue,
  L_n,
  L_step,
  L_ts,
  L_vE,
  L_vS,
  L_xE0,
  L_xE1,
  L_xS0,
  L_xS1,
  preview,
  runPoint,
  scanLine,
  scanLines,
  text,
  type LineSink,
} from './metric-scan.ts';
import { hasContent, hasContentIn, streamLines } from './metric-stream.ts';

/**
 * An unterminated last line is a writer caught mid-line and is held back; once the file has not
 * changed for this long the line is taken as complete (MLflow itself reads it; a hand-made file may
 * lack the final newline).
 */
export const TAIL_GRACE_MS = 2000;

export const RUN_LINE_FORM = '<timestamp> <value> <step>';
export const MODEL_LINE_FORM = '<timestamp> <value> <step> <run_id>';

/** Python's tuple `>` on (step, timestamp, value): true when the new triple replaces the max `a`. */
export function beats(a: { step: number; timestamp: number; value: number } | null, step: number, ts: number, value: number) {
  if (a === null) return true;
  if (step !== a.step) return step > a.step;
  if (ts !== a.timestamp) return ts > a.timestamp;
  return value > a.value;
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
    const ls = scanLines(buf, 0, n, sink);
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

function updateRunMetricAsync(io: Io, abs: string, st: RunMetricState, checkReplaced: boolean): Promise<MetricReadResult> {
  return withOpenFile(io, abs, async (fd): Promise<MetricReadResult> => {
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
  });
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

/** One run metric line as MLflow would read it, or null when MLflow rejects it (for tests). */
export function parseRunMetricLine(line: string): MetricPoint | null {
  const b = Buffer.from(line, 'utf8');
  return scanLine(b, 0, b.length, false) ? runPoint(b) : null;
}
