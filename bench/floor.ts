// The raw read floor of a cold index: visit every folder (readdir) and read every file of the store
// once, doing nothing with the bytes. Whatever the reader does on top (parsing, assembling runs,
// indexing) is the overhead the cold-index benchmark reports as a ratio to this.
//
// Two scopes: `all` is every folder and file below the store root (the literal "read the whole
// store"); `reader` leaves out what the reader never opens — the runs' `artifacts/` folders
// (mlruns/<exp>/<run>/artifacts), which a cold index has no reason to list — so it is the tightest
// floor for the information the index needs. In a generated store those folders are empty, so both
// scopes read the same bytes and differ only by one readdir per run.
//
// Three strategies, matching the I/O modes of the file store reader
// (electron/engine/stores/mlflow-file/): blocking calls on one thread; blocking calls on the main
// thread plus one helper thread taking batches of 64 run folders from a shared counter (what the
// reader does on a local disk with a warm cache, load-worker.ts); and callbacks through libuv's
// pool with 48 reads in flight (its mode for slow storage). Files are read with open/read/close into a reused buffer, as the reader does, which is
// cheaper than readFile (no fstat, no per-file allocation): the floor must not be slower than the
// reader could possibly be.
import { close, closeSync, open, openSync, read, readdir, readdirSync, readSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface FloorResult {
  ms: number;
  files: number;
  dirs: number;
  bytes: number;
}

const CHUNK = 64 * 1024;

export type FloorScope = 'all' | 'reader';

/** `mlruns/<exp>/<run>/artifacts` is at depth 3 below the root. */
function skipped(scope: FloorScope, depth: number, name: string): boolean {
  return scope === 'reader' && depth === 3 && name === 'artifacts';
}

interface Totals {
  files: number;
  dirs: number;
  bytes: number;
}

/** Blocking walk of `dir` (at `depth` below the store root) and everything below it. */
function walkSync(dir: string, depth: number, scope: FloorScope, buf: Buffer, t: Totals): void {
  const stack: [string, number][] = [[dir, depth]];
  while (stack.length > 0) {
    const [d, dp] = stack.pop() as [string, number];
    t.dirs++;
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!skipped(scope, dp + 1, e.name)) stack.push([p, dp + 1]);
      } else if (e.isFile()) {
        readOneSync(p, buf, t);
      }
    }
  }
}

function readOneSync(p: string, buf: Buffer, t: Totals): void {
  const fd = openSync(p, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, -1);
      t.bytes += n;
      if (n < CHUNK) break;
    }
  } finally {
    closeSync(fd);
  }
  t.files++;
}

export function readFloorSync(root: string, scope: FloorScope = 'all'): FloorResult {
  const t0 = performance.now();
  const t: Totals = { files: 0, dirs: 0, bytes: 0 };
  walkSync(root, 0, scope, Buffer.allocUnsafe(CHUNK), t);
  return { ms: performance.now() - t0, ...t };
}

export interface FloorWorkerData {
  units: string[];
  counter: SharedArrayBuffer;
  batch: number;
  scope: FloorScope;
}

/** Reads batches of units (folders two levels below the root) until the shared counter runs out. */
export function readUnitsFromCounter(units: string[], counter: Int32Array, batch: number, scope: FloorScope): Totals {
  const t: Totals = { files: 0, dirs: 0, bytes: 0 };
  const buf = Buffer.allocUnsafe(CHUNK);
  const batches = Math.ceil(units.length / batch);
  for (;;) {
    const b = Atomics.add(counter, 0, 1);
    if (b >= batches) break;
    for (let i = b * batch; i < Math.min((b + 1) * batch, units.length); i++) walkSync(units[i] as string, 2, scope, buf, t);
  }
  return t;
}

/**
 * The reader's warm-disk strategy: the main thread lists the top two levels (store root and
 * experiment folders), then it and `threads - 1` helper threads read the run folders in batches of
 * 64 taken from a shared counter. Starting the helpers is part of the measured time, as it is for
 * the reader.
 */
export async function readFloorThreads(root: string, scope: FloorScope = 'reader', threads = 2): Promise<FloorResult> {
  const t0 = performance.now();
  const t: Totals = { files: 0, dirs: 0, bytes: 0 };
  const buf = Buffer.allocUnsafe(CHUNK);
  const units: string[] = [];
  // Levels 0 and 1: files read here, level-2 folders become units.
  const level = (dir: string, depth: number): void => {
    t.dirs++;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (depth + 1 < 2) level(p, depth + 1);
        else units.push(p);
      } else if (e.isFile()) readOneSync(p, buf, t);
    }
  };
  level(root, 0);
  const counter = new Int32Array(new SharedArrayBuffer(8));
  const batch = 64;
  const helpers: Promise<Totals>[] = [];
  for (let i = 1; i < threads; i++) {
    const data: FloorWorkerData = { units, counter: counter.buffer as SharedArrayBuffer, batch, scope };
    const w = new Worker(new URL('./floor-worker.ts', import.meta.url), { workerData: data });
    helpers.push(
      new Promise<Totals>((resolve, reject) => {
        w.on('message', (m: { totals?: Totals }) => {
          if (m.totals) {
            resolve(m.totals);
            void w.terminate();
          }
        });
        w.on('error', reject);
      }),
    );
  }
  const mine = readUnitsFromCounter(units, counter, batch, scope);
  for (const h of [mine, ...(await Promise.all(helpers))]) {
    t.files += h.files;
    t.dirs += h.dirs;
    t.bytes += h.bytes;
  }
  return { ms: performance.now() - t0, ...t };
}

function cbReaddir(dir: string): Promise<Dirent[]> {
  return new Promise((resolve) => readdir(dir, { withFileTypes: true }, (e, d) => resolve(e ? [] : d)));
}

function cbReadFile(p: string, buf: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    open(p, 'r', (e, fd) => {
      if (e) return reject(e);
      let total = 0;
      const step = (): void => {
        read(fd, buf, 0, CHUNK, -1, (re, n) => {
          if (re) return close(fd, () => reject(re));
          total += n;
          if (n < CHUNK) close(fd, () => resolve(total));
          else step();
        });
      };
      step();
    });
  });
}

/** Callback I/O, at most `limit` operations in flight (the reader's RUN_CONCURRENCY is 48). */
export async function readFloorAsync(root: string, scope: FloorScope = 'all', limit = 48): Promise<FloorResult> {
  const t0 = performance.now();
  let files = 0;
  let dirs = 0;
  let bytes = 0;
  const queue: { kind: 'dir' | 'file'; p: string; depth: number }[] = [{ kind: 'dir', p: root, depth: 0 }];
  let active = 0;
  const buffers: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      if (queue.length === 0 && active === 0) return resolve();
      while (active < limit && queue.length > 0) {
        const job = queue.pop() as { kind: 'dir' | 'file'; p: string; depth: number };
        active++;
        const buf = buffers.pop() ?? Buffer.allocUnsafe(CHUNK);
        const work =
          job.kind === 'dir'
            ? cbReaddir(job.p).then((entries) => {
                dirs++;
                for (const e of entries) {
                  const p = path.join(job.p, e.name);
                  if (e.isDirectory()) {
                    if (!skipped(scope, job.depth + 1, e.name)) queue.push({ kind: 'dir', p, depth: job.depth + 1 });
                  } else if (e.isFile()) queue.push({ kind: 'file', p, depth: job.depth + 1 });
                }
              })
            : cbReadFile(job.p, buf).then((n) => {
                files++;
                bytes += n;
              });
        work.then(
          () => {
            active--;
            buffers.push(buf);
            pump();
          },
          (e: unknown) => reject(e),
        );
      }
    };
    pump();
  });
  return { ms: performance.now() - t0, files, dirs, bytes };
}
