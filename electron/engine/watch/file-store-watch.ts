// How a file store is watched, sized to the OS's inotify budget.
//
// inotify needs one watch per folder, and a run has about five (run, metrics, params, tags,
// inputs/outputs; more for keys with `/`). Linux's default budget (max_user_watches, often 8192
// to ~200k) is shared by every program of the user. Watching a 100k-run store folder by folder
// would exhaust it, and chokidar's fallback then polls millions of files — the process stops
// answering. So:
// - **full**: when the estimate fits comfortably in the budget, every folder is watched natively
//   (lowest latency: an append is seen within milliseconds, whatever the run's status);
// - **tiered**: otherwise, the store root, experiment folders and run folders' *listings* are
//   watched (new/removed runs), the registry fully, and only *hot* runs (RUNNING/SCHEDULED — the
//   ones training writes to) fully; finished runs are polled slowly, by the mtimes of their
//   meta.yaml and metric/tag/param folders, which catches reruns, tag edits and deletes.
// Artifact folders are never watched: they can be huge and no index field comes from them.
import { readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { StoreWatcher } from './store-watcher.ts';

export interface WatchedRun {
  /** Absolute run folder. */
  dir: string;
  /** RUNNING or SCHEDULED: written to right now, watched natively. */
  hot: boolean;
}

export interface FileStoreWatchOptions {
  root: string;
  polling?: boolean;
  pollingInterval?: number;
  onChange: (paths: string[]) => void;
  onProblem?: (message: string) => void;
  ignored?: (p: string) => boolean;
  /** Overrides the inotify budget (tests). */
  watchBudget?: number;
  /** How often finished runs are checked in tiered mode. */
  coldPollMs?: number;
}

const FOLDERS_PER_RUN = 5;

export function inotifyBudget(): number {
  try {
    return Number(readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim()) || 8192;
  } catch {
    // Not Linux: macOS and Windows watch recursively with one handle, no per-folder budget.
    return Number.POSITIVE_INFINITY;
  }
}

const isArtifactsPath = (p: string) => /[/\\]artifacts([/\\]|$)/.test(p);

export class FileStoreWatch {
  readonly mode: 'full' | 'tiered';
  private readonly options: FileStoreWatchOptions;
  private readonly main: StoreWatcher;
  private hotWatcher: StoreWatcher | null = null;
  private hot = new Set<string>();
  private cold = new Map<string, number>();
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;
  private closed = false;
  private readonly probe = new Probe();

  constructor(options: FileStoreWatchOptions, runs: WatchedRun[]) {
    this.options = options;
    const budget = options.watchBudget ?? inotifyBudget();
    // Half the budget at most: the user's editor and other tools need watches too.
    const estimate = runs.length * FOLDERS_PER_RUN + 100;
    this.mode = options.polling || estimate <= budget / 2 ? 'full' : 'tiered';
    const ignored = (p: string) => isArtifactsPath(p) || (options.ignored ? options.ignored(p) : false);
    const common = {
      polling: options.polling,
      pollingInterval: options.pollingInterval,
      onChange: options.onChange,
      onProblem: options.onProblem,
      ignored,
    };
    if (this.mode === 'full') {
      this.main = new StoreWatcher({ ...common, paths: [options.root] });
      return;
    }
    // Root (depth 0) → experiment folders (1) → run folders appear/disappear (2 = their listing).
    this.main = new StoreWatcher({ ...common, paths: [options.root], depth: 1 });
    this.hotWatcher = new StoreWatcher({ ...common, paths: [path.join(options.root, 'models')] });
    for (const r of runs) {
      if (r.hot) this.hot.add(r.dir);
      else this.cold.set(r.dir, 0);
    }
  }

  async start(): Promise<void> {
    await this.main.start();
    if (this.hotWatcher) {
      this.hotWatcher.add([...this.hot]);
      await this.hotWatcher.start();
      this.options.onProblem?.(
        `This store is large for the system's file-watch budget: runs that are training are watched live, finished runs are checked every ${formatMs(this.options.coldPollMs ?? 5000)}`,
      );
      await this.primeCold();
      this.pollTimer = setInterval(() => void this.pollCold(), this.options.coldPollMs ?? 5000);
      this.pollTimer.unref();
    }
  }

  /** After a refresh: runs that started or stopped training move between tiers. */
  updateRuns(runs: WatchedRun[]): void {
    if (this.mode === 'full' || !this.hotWatcher) return;
    const heat: string[] = [];
    const cool: string[] = [];
    for (const r of runs) {
      if (r.hot && !this.hot.has(r.dir)) {
        this.hot.add(r.dir);
        this.cold.delete(r.dir);
        heat.push(r.dir);
      } else if (!r.hot && this.hot.has(r.dir)) {
        this.hot.delete(r.dir);
        this.cold.set(r.dir, 0);
        cool.push(r.dir);
      } else if (!r.hot && !this.cold.has(r.dir) && !this.hot.has(r.dir)) {
        this.cold.set(r.dir, 0);
      }
    }
    this.hotWatcher.add(heat);
    this.hotWatcher.remove(cool);
    if (heat.length > 0) {
      // A new watch is live only after chokidar has scanned the folder; whatever training wrote
      // in between would be missed, so re-read those runs once the watch is surely in place.
      const timer = setTimeout(() => {
        if (!this.closed) this.options.onChange(heat);
      }, 250);
      timer.unref();
    }
  }

  removeRunIds(runIds: string[]): void {
    if (runIds.length === 0 || this.mode === 'full') return;
    const ids = new Set(runIds);
    for (const d of this.cold.keys()) if (ids.has(path.basename(d))) this.cold.delete(d);
    for (const d of [...this.hot]) {
      if (!ids.has(path.basename(d))) continue;
      this.hot.delete(d);
      this.hotWatcher?.remove([d]);
    }
  }

  /** The newest mtime among the files/folders a run's index record comes from; 0 when none exists. */
  private async signature(dir: string): Promise<number> {
    let newest = 0;
    for (const rel of ['meta.yaml', 'metrics', 'params', 'tags', 'inputs', 'outputs']) {
      const t = await this.probe.mtime(path.join(dir, rel));
      if (t > newest) newest = t;
    }
    return newest;
  }

  private async primeCold(): Promise<void> {
    for (const dir of this.cold.keys()) {
      if (this.closed) return;
      this.cold.set(dir, await this.signature(dir));
    }
  }

  private async pollCold(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const changed: string[] = [];
      for (const [dir, before] of this.cold) {
        if (this.closed) return;
        const now = await this.signature(dir);
        if (now !== before) {
          this.cold.set(dir, now);
          changed.push(dir);
        }
      }
      if (changed.length > 0) this.options.onChange(changed);
    } finally {
      this.polling = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await Promise.all([this.main.close(), this.hotWatcher?.close()]);
  }
}

/** Longest stretch of blocking stats before the event loop gets a turn. */
const SLICE_MS = 8;
/** A stat slower than this waited for the device (or the network), not just for the CPU. */
const SLOW_STAT_MS = 2;

/**
 * mtimes for the poll of finished runs. Blocking calls in short slices while the storage answers
 * fast: a stat through fs/promises pays a thread-pool round trip and a rejected promise for every
 * missing folder, which made the poll of a 10k-run store cost ~1.5 s of CPU (27% of a core at one
 * poll every 5 s) against ~0.2 s blocking (measured). Once stats are seen waiting for the device
 * (network mount, cold disk), the rest goes through the thread pool.
 */
class Probe {
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

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
