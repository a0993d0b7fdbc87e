// The built renderer, served from memory. The serve process's event loop is busy right after
// launch (a store's snapshot or first read lands in slices), and a file streamed from disk needs
// a turn of it per 64 KB chunk: the app's 400 KB entry took ~0.5 s to arrive on a warm reopen. A
// file held in memory is answered in the request's own turn. Each answer checks the file's size and
// mtime (a synchronous stat, microseconds), so a rebuilt renderer is served fresh.
import { readFileSync, readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isInside } from '../engine/fs/paths.ts';

/** Bigger files (plotly, 5 MB, loaded on demand) are streamed, not kept. */
const MAX_CACHED_BYTES = 2 * 1024 * 1024;

export type StaticFile =
  | { kind: 'memory'; file: string; body: Buffer }
  | { kind: 'stream'; file: string; size: number };

interface Cached {
  size: number;
  mtimeMs: number;
  body: Buffer;
}

export class StaticFiles {
  readonly dir: string;
  private readonly cache = new Map<string, Cached>();

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  /** Reads the shell and its small assets ahead of the first request (a missing folder is fine). */
  preload(): void {
    const names = ['index.html', ...safeList(path.join(this.dir, 'assets')).map((n) => `assets/${n}`)];
    for (const rel of names) this.lookup(rel);
  }

  /** The file under the folder for a request path ('' = the shell); null when there is none. */
  lookup(rel: string): StaticFile | null {
    const file = path.resolve(this.dir, rel);
    if (!isInside(this.dir, file)) return null;
    let st: Stats;
    try {
      st = statSync(file);
    } catch {
      return null;
    }
    if (!st.isFile()) return null;
    if (st.size > MAX_CACHED_BYTES) return { kind: 'stream', file, size: st.size };
    const hit = this.cache.get(file);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return { kind: 'memory', file, body: hit.body };
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      return null;
    }
    this.cache.set(file, { size: st.size, mtimeMs: st.mtimeMs, body });
    return { kind: 'memory', file, body };
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
