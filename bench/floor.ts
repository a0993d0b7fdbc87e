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
// Two strategies, matching the two I/O modes of the file store reader
// (electron/engine/stores/mlflow-file/fs-util.ts): blocking calls (what it uses on a local disk with
// a warm cache) and callbacks through libuv's pool with 48 reads in flight (its mode for slow
// storage). Files are read with open/read/close into a reused buffer, as the reader does, which is
// cheaper than readFile (no fstat, no per-file allocation): the floor must not be slower than the
// reader could possibly be.
import { close, closeSync, open, openSync, read, readdir, readdirSync, readSync, type Dirent } from 'node:fs';
import path from 'node:path';

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

export function readFloorSync(root: string, scope: FloorScope = 'all'): FloorResult {
  const t0 = performance.now();
  const buf = Buffer.allocUnsafe(CHUNK);
  let files = 0;
  let dirs = 0;
  let bytes = 0;
  const stack: [string, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [dir, depth] = stack.pop() as [string, number];
    dirs++;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!skipped(scope, depth + 1, e.name)) stack.push([p, depth + 1]);
      } else if (e.isFile()) {
        const fd = openSync(p, 'r');
        try {
          for (;;) {
            const n = readSync(fd, buf, 0, CHUNK, -1);
            bytes += n;
            if (n < CHUNK) break;
          }
        } finally {
          closeSync(fd);
        }
        files++;
      }
    }
  }
  return { ms: performance.now() - t0, files, dirs, bytes };
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
