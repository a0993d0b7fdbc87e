// How the watch's poll and catch-up read mtimes and folder listings without flooding the thread
// pool or stalling the event loop (the file-store watch's one way to look at the disk).
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Longest stretch of blocking stats before the event loop gets a turn. */
const SLICE_MS = 8;
/** A stat slower than this waited for the device (or the network), not just for the CPU. */
const SLOW_STAT_MS = 2;

/**
 * mtimes and folder listings for the poll and the catch-up. Blocking calls in short slices while
 * the storage answers fast: a stat through fs/promises pays a thread-pool round trip and a
 * rejected promise for every missing folder, which made the poll of a 10k-run store cost ~1.5 s of
 * CPU (27% of a core at one poll every 5 s) against ~0.2 s blocking (measured). Once stats are seen
 * waiting for the device (network mount, cold disk), the rest goes through the thread pool.
 */
export class Probe {
  private sliceStart = 0;
  private calls = 0;
  private slowCalls = 0;
  private slow = false;

  async mtime(p: string): Promise<number> {
    if (this.slow) return stat(p).then((st) => st.mtimeMs, () => 0);
    await this.slice();
    const t0 = performance.now();
    let time = 0;
    try {
      time = statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    } catch {
      // ENOTDIR, EACCES…: as good as missing.
    }
    this.timed(t0);
    return time;
  }

  /** mtime and size, or null when missing. */
  async stat(p: string): Promise<{ mtimeMs: number; size: number } | null> {
    if (this.slow) return stat(p).then((st) => ({ mtimeMs: st.mtimeMs, size: st.size }), () => null);
    await this.slice();
    const t0 = performance.now();
    let out: { mtimeMs: number; size: number } | null = null;
    try {
      const st = statSync(p, { throwIfNoEntry: false });
      if (st) out = { mtimeMs: st.mtimeMs, size: st.size };
    } catch {
      // ENOTDIR, EACCES…: as good as missing.
    }
    this.timed(t0);
    return out;
  }

  /** Whether `p` is a folder now (one blocking stat; for watch events). */
  isFolder(p: string): boolean {
    try {
      return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
    } catch {
      return false;
    }
  }

  /** `dir` and every folder below it (nested metric keys); [] when `dir` is missing. */
  async tree(dir: string): Promise<string[]> {
    const out: string[] = [];
    const stack = [dir];
    while (stack.length > 0) {
      const d = stack.pop() as string;
      const { folders, ok } = await this.list(d);
      if (!ok) continue;
      out.push(d);
      for (const f of folders) stack.push(path.join(d, f));
    }
    return out;
  }

  /** Names of the plain files of `dir`; [] when unreadable. */
  async files(dir: string): Promise<string[]> {
    return (await this.list(dir)).files;
  }

  private async list(dir: string): Promise<{ folders: string[]; files: string[]; ok: boolean }> {
    const entries = await this.entries(dir);
    if (!entries) return { folders: [], files: [], ok: false };
    return {
      folders: entries.filter((e) => e.isDirectory()).map((e) => e.name),
      files: entries.filter((e) => e.isFile()).map((e) => e.name),
      ok: true,
    };
  }

  /** Names of the sub-folders (or links, as the reader counts them) of `dir`; [] when unreadable. */
  async folders(dir: string): Promise<string[]> {
    return ((await this.entries(dir)) ?? []).filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name);
  }

  /** The entries of `dir`; null when it is missing or unreadable. */
  private async entries(dir: string): Promise<Dirent[] | null> {
    if (this.slow) return readdir(dir, { withFileTypes: true }).catch(() => null);
    await this.slice();
    const t0 = performance.now();
    let entries: Dirent[] | null = null;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      // Missing or unreadable.
    }
    this.timed(t0);
    return entries;
  }

  private async slice(): Promise<void> {
    const now = performance.now();
    if (now - this.sliceStart < SLICE_MS) return;
    if (this.sliceStart !== 0) await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }

  /** Slow storage when slow calls are frequent, not when a busy CPU preempted a few. */
  private timed(t0: number): void {
    this.calls++;
    if (performance.now() - t0 <= SLOW_STAT_MS) return;
    this.slowCalls++;
    if (this.slowCalls >= 16 && this.slowCalls * 10 > this.calls) this.slow = true;
  }
}
