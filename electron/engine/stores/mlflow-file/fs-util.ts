// File-system primitives for reading a large `mlruns/` tree quickly and safely.
//
// Two interchangeable I/O back ends (`Io`):
// - `syncIo`: blocking calls, used in short slices between event-loop turns. On a local disk with a
//   warm cache a store is hundreds of thousands of tiny files, and each asynchronous call pays a
//   thread-pool round trip that costs several times the system call itself (measured: reading a
//   10k-run store took ~2 s synchronously and ~9-12 s through fs/promises on a 2-core machine).
// - `asyncIo`: libuv thread pool, used with many reads in flight when the storage is slow (cold
//   disk, network mount), where overlapping the waits is what matters.
// The reader starts synchronous and measures metadata latency (open/readdir); past a threshold it
// switches to the asynchronous pool (see cold-load.ts).
//
// Errors are returned as codes, never thrown: the reader turns them into diagnostics. The walk of
// key folders (params/, tags/, metrics/) is in key-walk.ts.
import {
  close,
  closeSync,
  fstat,
  fstatSync,
  open,
  openSync,
  read,
  readdir,
  readdirSync,
  readSync,
  stat,
  statSync,
  type Dirent,
  type Stats,
} from 'node:fs';

type Maybe<T> = T | Promise<T>;

export interface Io {
  readonly sync: boolean;
  open(p: string): Maybe<number>;
  read(fd: number, buf: Buffer, offset: number, length: number, position: number): Maybe<number>;
  fstat(fd: number): Maybe<Stats>;
  close(fd: number): Maybe<void>;
  readdir(dir: string): Maybe<Dirent[]>;
  readdirRaw(dir: string): Maybe<Buffer[]>;
  stat(p: string): Maybe<Stats>;
}

/** A metadata call or small read slower than this waited for the device (or the network). */
const SLOW_OP_MS = 0.05;
/** Time one call in 4: enough to judge the storage, without a clock read around every call. */
const SAMPLE_MASK = 3;

/**
 * Blocking I/O. Counts how many opens, listings and small reads were slow: on slow storage most
 * are, while on a busy CPU only the few that happen to be preempted are, so the fraction tells the
 * storage apart from the load of the machine.
 */
export class SyncIo implements Io {
  readonly sync = true;
  /** Timed calls (one in SAMPLE_EVERY of the calls that matter) and how many of them were slow. */
  ops = 0;
  slowOps = 0;
  private tick = 0;
  private time(t0: number): void {
    this.ops++;
    if (performance.now() - t0 > SLOW_OP_MS) this.slowOps++;
  }
  open(p: string): number {
    if ((++this.tick & SAMPLE_MASK) !== 0) return openSync(p, 'r');
    const t0 = performance.now();
    try {
      return openSync(p, 'r');
    } finally {
      this.time(t0);
    }
  }
  read(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
    if (length > SMALL || (++this.tick & SAMPLE_MASK) !== 0) return readSync(fd, buf, offset, length, position);
    const t0 = performance.now();
    try {
      return readSync(fd, buf, offset, length, position);
    } finally {
      this.time(t0);
    }
  }
  fstat(fd: number): Stats {
    return fstatSync(fd);
  }
  close(fd: number): void {
    closeSync(fd);
  }
  readdir(dir: string): Dirent[] {
    if ((++this.tick & SAMPLE_MASK) !== 0) return readdirSync(dir, { withFileTypes: true });
    const t0 = performance.now();
    try {
      return readdirSync(dir, { withFileTypes: true });
    } finally {
      this.time(t0);
    }
  }
  readdirRaw(dir: string): Buffer[] {
    return readdirSync(dir, { encoding: 'buffer' });
  }
  stat(p: string): Stats {
    return statSync(p);
  }
}

function cb<T>(run: (done: (e: NodeJS.ErrnoException | null, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((e, v) => (e ? reject(e) : resolve(v))));
}

export const asyncIo: Io = {
  sync: false,
  open: (p) => cb<number>((d) => open(p, 'r', d)),
  read: (fd, buf, offset, length, position) => cb<number>((d) => read(fd, buf, offset, length, position, d)),
  fstat: (fd) => cb<Stats>((d) => fstat(fd, d)),
  close: (fd) => new Promise<void>((resolve) => close(fd, () => resolve())),
  readdir: (dir) => cb<Dirent[]>((d) => readdir(dir, { withFileTypes: true }, d)),
  readdirRaw: (dir) => cb<Buffer[]>((d) => readdir(dir, { encoding: 'buffer' }, d)),
  stat: (p) => cb<Stats>((d) => stat(p, d)),
};

/** First-read buffer: most store files (meta.yaml, params, 100-line metric files) fit. */
export const SMALL = 16 * 1024;
const pool: Buffer[] = [];
const POOL_MAX = 1024;

export function takeBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafe(SMALL);
}
export function releaseBuffer(b: Buffer): void {
  if (b.length === SMALL && pool.length < POOL_MAX) pool.push(b);
}

export function errCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EIO';
}

/** Short human wording of an fs error code, for diagnostics. */
export function describeError(code: string, viaSymlink = false): string {
  switch (code) {
    case 'ENOENT':
      return viaSymlink ? 'dangling symbolic link' : 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'EISDIR':
      return viaSymlink ? 'symbolic link to a folder (not followed)' : 'is a folder where a file is expected';
    case 'ENOTDIR':
      return 'is a file where a folder is expected';
    case 'ENAMETOOLONG':
      return 'path too long';
    default:
      return `cannot be read (${code})`;
  }
}

export async function safeClose(io: Io, fd: number): Promise<void> {
  try {
    await io.close(fd);
  } catch {
    // nothing useful to do: the descriptor is gone either way
  }
}

/** A file that could not be opened or read, by its errno code (ENOENT, EISDIR, …). */
export type ReadFailure = { ok: false; code: string };

/**
 * Opens `p` for reading, runs `read` on the descriptor and closes it. A failure to open, or an
 * exception from `read`, comes back as its errno code instead of a throw: readers report or skip
 * such a file, they never stop on it.
 */
export async function withOpenFile<T>(io: Io, p: string, read: (fd: number) => Promise<T>): Promise<T | ReadFailure> {
  let fd: number;
  try {
    fd = await io.open(p);
  } catch (e) {
    return { ok: false, code: errCode(e) };
  }
  try {
    return await read(fd);
  } catch (e) {
    return { ok: false, code: errCode(e) };
  } finally {
    await safeClose(io, fd);
  }
}

export type ReadResult = { ok: true; data: Buffer; release: Buffer | null } | ReadFailure;

/**
 * Reads a whole file. When `release` is set, `data` lives in that pooled buffer: decode it, then
 * hand the buffer back with releaseBuffer(). A short read is taken as end of file (regular files
 * never return short reads before EOF), which saves an fstat per file.
 */
export function readWhole(io: Io, p: string): Promise<ReadResult> {
  return withOpenFile(io, p, async (fd): Promise<ReadResult> => {
    const first = takeBuffer();
    try {
      let n = await io.read(fd, first, 0, SMALL, 0);
      if (n < SMALL) return { ok: true, data: first.subarray(0, n), release: first };
      const parts: Buffer[] = [Buffer.from(first)];
      releaseBuffer(first);
      let total = n;
      for (;;) {
        const b = Buffer.allocUnsafe(SMALL * 16);
        n = await io.read(fd, b, 0, b.length, total);
        if (n === 0) break;
        parts.push(b.subarray(0, n));
        total += n;
      }
      return { ok: true, data: Buffer.concat(parts, total), release: null };
    } catch (e) {
      releaseBuffer(first);
      throw e;
    }
  });
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

export type TextResult = { ok: true; text: string; badUtf8: boolean } | { ok: false; code: string };

function decode(data: Buffer): TextResult {
  const text = data.toString('utf8');
  // U+FFFD in the decoded text is either really there or a replaced invalid byte: check which.
  const badUtf8 = text.includes('\ufffd') && !isValidUtf8(data);
  return { ok: true, text, badUtf8 };
}

/**
 * A whole file as UTF-8 text (MLflow reads every text file as UTF-8). With blocking I/O a small
 * file is read without any promise: this runs for every param, tag and meta.yaml of the store.
 */
export function readText(io: Io, p: string): TextResult | Promise<TextResult> {
  if (io.sync) {
    const small = readSmallSync(io as SyncIo, p);
    if (small !== null) return small;
  }
  return readTextAsync(io, p);
}

function readSmallSync(io: SyncIo, p: string): TextResult | null {
  let fd: number;
  try {
    fd = io.open(p);
  } catch (e) {
    return { ok: false, code: errCode(e) };
  }
  const buf = takeBuffer();
  try {
    const n = io.read(fd, buf, 0, SMALL, 0);
    return n < SMALL ? decode(buf.subarray(0, n)) : null;
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

async function readTextAsync(io: Io, p: string): Promise<TextResult> {
  const r = await readWhole(io, p);
  if (!r.ok) return r;
  try {
    return decode(r.data);
  } finally {
    if (r.release) releaseBuffer(r.release);
  }
}

export function isValidUtf8(b: Buffer): boolean {
  try {
    fatalUtf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

export interface Listing {
  ok: true;
  entries: Dirent[];
  /** Names that are not valid UTF-8 (shown with U+FFFD); they are left out of `entries`. */
  badNames: string[];
}
export type ListResult = Listing | { ok: false; code: string };

/** A folder's entries; synchronous (no promise) with blocking I/O. */
export function listDir(io: Io, dir: string): ListResult | Promise<ListResult> {
  if (io.sync) {
    let entries: Dirent[];
    try {
      entries = io.readdir(dir) as Dirent[];
    } catch (e) {
      return { ok: false, code: errCode(e) };
    }
    if (!entries.some((e) => e.name.includes('\ufffd'))) return { ok: true, entries, badNames: [] };
    return withoutBadNames(io, dir, entries);
  }
  return listDirAsync(io, dir);
}

async function listDirAsync(io: Io, dir: string): Promise<ListResult> {
  let entries: Dirent[];
  try {
    entries = await io.readdir(dir);
  } catch (e) {
    return { ok: false, code: errCode(e) };
  }
  if (!entries.some((e) => e.name.includes('\ufffd'))) return { ok: true, entries, badNames: [] };
  return withoutBadNames(io, dir, entries);
}

async function withoutBadNames(io: Io, dir: string, entries: Dirent[]): Promise<ListResult> {
  const badNames = await undecodableNames(io, dir);
  if (badNames.length > 0) {
    const bad = new Set(badNames);
    entries = entries.filter((e) => !bad.has(e.name));
  }
  return { ok: true, entries, badNames };
}

async function undecodableNames(io: Io, dir: string): Promise<string[]> {
  try {
    const raw = await io.readdirRaw(dir);
    return raw.filter((b) => !isValidUtf8(b)).map((b) => b.toString('utf8'));
  } catch {
    return [];
  }
}

export async function isDir(io: Io, p: string): Promise<boolean> {
  try {
    return (await io.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function runPool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      await fn(items[i] as T, i);
    }
  };
  const workers: Promise<void>[] = [];
  for (let k = 0; k < Math.min(limit, items.length); k++) workers.push(worker());
  await Promise.all(workers);
}

/** Gives the event loop a turn (timers and I/O callbacks run). */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
