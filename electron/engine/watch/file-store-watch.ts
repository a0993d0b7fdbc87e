// How a file store is watched, sized to the store and to the OS's inotify budget.
//
// inotify needs one watch per folder, and a run has about five (run, metrics, params, tags,
// inputs/outputs; more for keys with `/`). Linux's default budget (max_user_watches, often 8192
// to ~200k) is shared by every program of the user. Watching a 100k-run store folder by folder
// would exhaust it, and chokidar's fallback then polls millions of files — the process stops
// answering. Within the budget, watching every file still costs chokidar an lstat and a record per
// file: measured on a 10k-run store (360k files), 14-20 s of initial scan and +1.27 GB of RSS,
// against 1.1-2 s and +150 MB tiered; 1000 runs: 1.6 s / +257 MB full, 0.5 s / +20 MB tiered. So:
// - **full**: up to FULL_WATCH_MAX_RUNS runs, when the estimate also fits comfortably in the
//   budget, every folder is watched natively (lowest latency: an append is seen within
//   milliseconds, whatever the run's status);
// - **tiered**: otherwise, the store root, experiment folders and run folders' *listings* are
//   watched (new/removed runs), the registry fully, and only *hot* runs (RUNNING/SCHEDULED — the
//   ones training writes to) fully; finished runs are polled slowly, by the mtimes of their
//   meta.yaml and metric/tag/param folders, which catches reruns, tag edits and deletes.
// Artifact folders are never watched: they can be huge and no index field comes from them.
//
// Catch-up: the engine indexes a store before its watch is in place (a full scan takes seconds),
// so whatever was written between the index snapshot and the watch going live would be missed.
// With `changedSince`, start() ends by reporting, through onChange like any other change, every
// place that may have changed since then (see catchUp()).
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
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
  /** How the store is watched, when the user should know it (tiered mode): not a problem. */
  onNotice?: (message: string) => void;
  ignored?: (p: string) => boolean;
  /** Overrides the inotify budget (tests). */
  watchBudget?: number;
  /** Overrides FULL_WATCH_MAX_RUNS (tests). */
  maxFullRuns?: number;
  /** How often finished runs are checked in tiered mode. */
  coldPollMs?: number;
  /**
   * Wall-clock time (ms) at which the index snapshot this watch follows began: once the watches
   * are live, start() reports what may have changed since then (catch-up).
   */
  changedSince?: number;
}

const FOLDERS_PER_RUN = 5;
/**
 * Above this many runs finished runs are polled, not watched, whatever the inotify budget: full
 * watching costs ~1.5 ms of scan and ~0.13 MB of RSS per run (measured, see the file comment), so
 * 1000 runs is ~1.5 s and ~250 MB — already half of what the whole engine needs at 100k runs.
 */
export const FULL_WATCH_MAX_RUNS = 1000;
/**
 * How far before the snapshot an mtime still counts as "changed since": file times trail the wall
 * clock by the file system's granularity (a kernel tick on ext4/APFS/NTFS, 1 s on HFS+ and ext3,
 * 2 s on FAT), so a write just after the snapshot may carry an earlier time. Catching a few runs
 * written just before the snapshot twice is the price.
 */
const MTIME_SLACK_MS = 2000;
/** What a run's index record comes from (artifacts/ is never read into it). */
const RUN_SIGNATURE = ['meta.yaml', 'metrics', 'params', 'tags', 'inputs', 'outputs'];
const MODEL_SIGNATURE = ['meta.yaml', 'metrics', 'params', 'tags'];
/** Names inside an experiment folder that are not runs (as the reader has them). */
const RESERVED_IN_EXPERIMENT = new Set(['tags', 'datasets', 'models', 'traces']);

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
  /** Why the store is watched tiered; null in full mode. */
  readonly tieredBecause: 'budget' | 'size' | null;
  private readonly options: FileStoreWatchOptions;
  private readonly main: StoreWatcher;
  private hotWatcher: StoreWatcher | null = null;
  /** Whether hotWatcher has been handed the hot runs (before that, updateRuns only notes them). */
  private hotWatched = false;
  /** Tiered: how runs are watched. Full: the runs the catch-up checks (then emptied). */
  private hot = new Set<string>();
  private cold = new Map<string, number>();
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;
  private closed = false;
  private readonly probe = new Probe();

  constructor(options: FileStoreWatchOptions, runs: WatchedRun[]) {
    this.options = options;
    const budget = options.watchBudget ?? inotifyBudget();
    // Half the budget at most: the user's editor and other tools need watches too. (Polling uses
    // no inotify watches, but its cost grows with the files watched all the same.)
    const estimate = runs.length * FOLDERS_PER_RUN + 100;
    this.tieredBecause =
      !options.polling && estimate > budget / 2 ? 'budget' : runs.length > (options.maxFullRuns ?? FULL_WATCH_MAX_RUNS) ? 'size' : null;
    this.mode = this.tieredBecause === null ? 'full' : 'tiered';
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
    } else {
      // Root (depth 0) → experiment folders (1) → run folders appear/disappear (2 = their listing).
      this.main = new StoreWatcher({ ...common, paths: [options.root], depth: 1 });
      this.hotWatcher = new StoreWatcher({ ...common, paths: [path.join(options.root, 'models')] });
    }
    // Full mode needs these only for the catch-up.
    if (this.mode === 'tiered' || options.changedSince !== undefined) {
      for (const r of runs) {
        if (r.hot) this.hot.add(r.dir);
        else this.cold.set(r.dir, 0);
      }
    }
  }

  /**
   * Resolves once the watches are live and, with `changedSince`, the catch-up is reported. After
   * close() it stops early and reports nothing.
   */
  async start(): Promise<void> {
    await this.main.start();
    if (this.closed) return;
    if (this.hotWatcher) {
      this.hotWatcher.add([...this.hot]);
      this.hotWatched = true;
      await this.hotWatcher.start();
      if (this.closed) return;
      const why =
        this.tieredBecause === 'budget'
          ? "This store is large for the system's file-watch budget"
          : 'This store has too many runs to watch every file';
      this.options.onNotice?.(
        `${why}: runs that are training are watched live, finished runs are checked every ${formatMs(this.options.coldPollMs ?? 5000)}`,
      );
    }
    if (this.options.changedSince !== undefined) await this.catchUp(this.options.changedSince);
    else if (this.mode === 'tiered') await this.primeCold();
    if (this.closed) return;
    if (this.mode === 'full') {
      this.hot.clear();
      this.cold.clear();
      return;
    }
    this.pollTimer = setInterval(() => void this.pollCold(), this.options.coldPollMs ?? 5000);
    this.pollTimer.unref();
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
    // Before start() has handed the hot set over, it takes these along.
    if (!this.hotWatched) return;
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
      if (this.hotWatched) this.hotWatcher?.remove([d]);
    }
  }

  /** The newest mtime among the files/folders a record comes from; 0 when none exists. */
  private async signature(dir: string, parts: readonly string[] = RUN_SIGNATURE): Promise<number> {
    let newest = 0;
    for (const rel of parts) {
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

  /**
   * Reports, once the watches are live, everything that may have changed since `since` without
   * the watch seeing it. Each path is one the reader's refresh() already maps to a cheap re-read:
   * - the store root: experiments created, deleted or restored (listing of the root and .trash)
   *   and the whole registry (small, and its edits are in-place rewrites mtimes do not reveal);
   * - runs that were training at snapshot time: re-read whole (~30 small files each), because
   *   appends to a metric file change no folder's mtime;
   * - finished runs whose signature (the tiered poll's: mtimes of meta.yaml and the metric, param,
   *   tag, input and output folders) is newer than the snapshot, or that are gone. In tiered mode
   *   this is the poll's priming, done once;
   * - in experiments whose folder listing changed: run folders the index does not know; an
   *   experiment's meta.yaml when it or its tags changed; logged models added, removed or changed.
   * Not covered, exactly as in the tiered poll of finished runs: a line appended to an existing
   * metric file of a *finished* run, or a tag file rewritten in place, between the snapshot and the
   * watch going live; edits inside runs of experiments already deleted at snapshot time (the
   * engine watches active experiments' runs only).
   */
  private async catchUp(since: number): Promise<void> {
    const after = since - MTIME_SLACK_MS;
    const changed: string[] = [this.options.root, ...this.hot];
    const tiered = this.mode === 'tiered';
    for (const dir of this.cold.keys()) {
      if (this.closed) return;
      const sig = await this.signature(dir);
      if (tiered) this.cold.set(dir, sig);
      if (sig === 0 || sig >= after) changed.push(dir);
    }
    changed.push(...(await this.changedInExperiments(after)));
    if (!this.closed) this.options.onChange(changed);
  }

  private async changedInExperiments(after: number): Promise<string[]> {
    const out: string[] = [];
    const known = new Map<string, Set<string>>();
    for (const dir of [...this.hot, ...this.cold.keys()]) {
      const exp = path.dirname(dir);
      let names = known.get(exp);
      if (!names) known.set(exp, (names = new Set()));
      names.add(path.basename(dir));
    }
    const root = this.options.root;
    for (const name of await this.probe.folders(root)) {
      if (this.closed) return [];
      if (name.startsWith('.') || name === 'models') continue;
      const exp = path.join(root, name);
      if ((await this.probe.mtime(exp)) >= after) {
        // Its listing changed: runs created or deleted, or meta.yaml replaced.
        out.push(path.join(exp, 'meta.yaml'));
        const runs = known.get(exp);
        for (const child of await this.probe.folders(exp)) {
          if (!child.startsWith('.') && !RESERVED_IN_EXPERIMENT.has(child) && !runs?.has(child)) out.push(path.join(exp, child));
        }
      } else if ((await this.signature(exp, ['meta.yaml', 'tags'])) >= after) {
        out.push(path.join(exp, 'meta.yaml'));
      }
      const models = path.join(exp, 'models');
      const modelsTime = await this.probe.mtime(models);
      if (modelsTime === 0) continue;
      if (modelsTime >= after) out.push(models);
      for (const id of await this.probe.folders(models)) {
        if (!id.startsWith('.') && (await this.signature(path.join(models, id), MODEL_SIGNATURE)) >= after) out.push(path.join(models, id));
      }
    }
    return out;
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
 * mtimes and folder listings for the poll and the catch-up. Blocking calls in short slices while
 * the storage answers fast: a stat through fs/promises pays a thread-pool round trip and a
 * rejected promise for every missing folder, which made the poll of a 10k-run store cost ~1.5 s of
 * CPU (27% of a core at one poll every 5 s) against ~0.2 s blocking (measured). Once stats are seen
 * waiting for the device (network mount, cold disk), the rest goes through the thread pool.
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

  /** Names of the sub-folders (or links, as the reader counts them) of `dir`; [] when unreadable. */
  async folders(dir: string): Promise<string[]> {
    let entries: Dirent[] = [];
    if (this.slow) {
      entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    } else {
      await this.slice();
      const t0 = performance.now();
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        // Missing or unreadable: nothing to report from here.
      }
      this.timed(t0);
    }
    return entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name);
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
