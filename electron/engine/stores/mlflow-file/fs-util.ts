// File-system primitives for reading a large `mlruns/` tree quickly and safely.
// - Reads go through the callback API (open/read/close) with pooled buffers: a store has hundreds
//   of thousands of tiny files, and the promise/FileHandle layers or an fstat per file are a
//   measurable share of a cold index.
// - Errors are returned as codes, never thrown: the reader turns them into diagnostics.
// - Key folders (params/, tags/, metrics/) are walked without following symlinked folders, so a
//   link pointing to an ancestor cannot make the walk recurse forever.
import { close, fstat, open, read, type Dirent, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export const CHUNK = 64 * 1024;
const pool: Buffer[] = [];
const POOL_MAX = 128;

export function takeBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafe(CHUNK);
}
export function releaseBuffer(b: Buffer): void {
  if (b.length === CHUNK && pool.length < POOL_MAX) pool.push(b);
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

export function openFile(p: string): Promise<number> {
  return new Promise((resolve, reject) => open(p, 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
}
export function closeFile(fd: number): Promise<void> {
  return new Promise((resolve) => close(fd, () => resolve()));
}
export function readAt(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, buf, offset, length, position, (e, n) => (e ? reject(e) : resolve(n))),
  );
}
export function statFd(fd: number): Promise<Stats> {
  return new Promise((resolve, reject) => fstat(fd, (e, s) => (e ? reject(e) : resolve(s))));
}

export type ReadResult = { ok: true; data: Buffer } | { ok: false; code: string };

/**
 * Reads a whole (small) file. The returned buffer is only valid until `done` is called: callers
 * decode it first. A short read is taken as end of file (regular files never return short reads
 * before EOF), which saves an fstat per file.
 */
export async function readWhole(p: string): Promise<ReadResult & { done: () => void }> {
  let fd: number;
  try {
    fd = await openFile(p);
  } catch (e) {
    return { ok: false, code: errCode(e), done: noop };
  }
  const first = takeBuffer();
  try {
    let n = await readAt(fd, first, 0, CHUNK, -1);
    if (n < CHUNK) return { ok: true, data: first.subarray(0, n), done: () => releaseBuffer(first) };
    const parts: Buffer[] = [Buffer.from(first)];
    releaseBuffer(first);
    let total = n;
    for (;;) {
      const b = Buffer.allocUnsafe(CHUNK * 4);
      n = await readAt(fd, b, 0, b.length, -1);
      if (n === 0) break;
      parts.push(b.subarray(0, n));
      total += n;
    }
    return { ok: true, data: Buffer.concat(parts, total), done: noop };
  } catch (e) {
    releaseBuffer(first);
    return { ok: false, code: errCode(e), done: noop };
  } finally {
    await closeFile(fd);
  }
}

function noop(): void {}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

export type TextResult = { ok: true; text: string; badUtf8: boolean } | { ok: false; code: string };

/** A whole file as UTF-8 text (MLflow reads every text file as UTF-8). */
export async function readText(p: string): Promise<TextResult> {
  const r = await readWhole(p);
  if (!r.ok) return r;
  try {
    const text = r.data.toString('utf8');
    // U+FFFD in the decoded text is either really there or a replaced invalid byte: check which.
    const badUtf8 = text.includes('\ufffd') && !isValidUtf8(r.data);
    return { ok: true, text, badUtf8 };
  } finally {
    r.done();
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

export async function listDir(dir: string): Promise<ListResult> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    return { ok: false, code: errCode(e) };
  }
  let badNames: string[] = [];
  if (entries.some((e) => e.name.includes('\ufffd'))) {
    badNames = await undecodableNames(dir);
    if (badNames.length > 0) {
      const bad = new Set(badNames);
      entries = entries.filter((e) => !bad.has(e.name));
    }
  }
  return { ok: true, entries, badNames };
}

async function undecodableNames(dir: string): Promise<string[]> {
  try {
    const raw = await readdir(dir, { encoding: 'buffer' });
    return raw.filter((b) => !isValidUtf8(b)).map((b) => b.toString('utf8'));
  } catch {
    return [];
  }
}

export interface KeyFile {
  /** `/`-separated key (the path below the walked folder). */
  key: string;
  abs: string;
  viaSymlink: boolean;
}

export interface WalkProblem {
  path: string;
  problem: string;
}

/**
 * Every file below `base` as a key (format doc 2.1: keys with `/` are sub-folders). A missing
 * `base` is normal (empty folders may be missing). Symlinked entries are returned as files: reading
 * them tells what they are (a file, a folder we do not follow, a loop, a dangling link).
 */
export async function walkKeys(base: string, problems: WalkProblem[]): Promise<KeyFile[]> {
  const out: KeyFile[] = [];
  await walkInto(base, '', out, problems, true);
  return out;
}

async function walkInto(dir: string, prefix: string, out: KeyFile[], problems: WalkProblem[], top: boolean) {
  const l = await listDir(dir);
  if (!l.ok) {
    if (!(top && l.code === 'ENOENT')) problems.push({ path: dir, problem: `folder ${describeError(l.code)} (skipped)` });
    return;
  }
  for (const name of l.badNames) {
    problems.push({ path: path.join(dir, name), problem: 'file name is not valid UTF-8 (skipped)' });
  }
  const subdirs: Promise<void>[] = [];
  for (const e of l.entries) {
    const key = prefix === '' ? e.name : `${prefix}/${e.name}`;
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) subdirs.push(walkInto(abs, key, out, problems, false));
    else if (e.isFile() || e.isSymbolicLink()) out.push({ key, abs, viaSymlink: e.isSymbolicLink() });
  }
  if (subdirs.length > 0) await Promise.all(subdirs);
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
