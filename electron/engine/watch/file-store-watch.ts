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
//   meta.yaml and metric/tag/param folders, which catches reruns, tag edits and deletes. MLflow
//   also appends to a finished run's metric files (`log_metric` after `end_run`), which changes
//   no folder's mtime: on Linux each finished run's `metrics` folder (and its nested-key folders)
//   gets one plain inotify watch (fs.watch: no scan, no per-file record, ~1.3 KB of RSS; the most
//   recently active MAX_METRIC_WATCHES runs, within the budget), and the metric files of runs
//   without one are swept by the poll, SWEEP_RUNS_PER_POLL runs at a time. On a 10k-run store
//   that is every finished run watched: ~+13 MB of RSS, and the watcher's start (in the
//   background, after the store is queryable) lists and stats every metric file once.
// Artifact folders are never watched: they can be huge and no index field comes from them.
//
// Catch-up: the engine indexes a store before its watch is in place (a full scan takes seconds),
// so whatever was written between the index snapshot and the watch going live would be missed.
// With `changedSince`, start() ends by reporting, through onChange like any other change, every
// place that may have changed since then (see catchUp()).
//
// The work is in: cold-metrics.ts (finished runs' metric watches and sweep), change-scan.ts
// (signatures and experiment changes from mtimes), watch-probe.ts (cheap stats and listings).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { changedInExperiments, signature } from './change-scan.ts';
import { ColdMetricWatches, MAX_METRIC_WATCHES } from './cold-metrics.ts';
import { StoreWatcher } from './store-watcher.ts';
import { Probe } from './watch-probe.ts';

export { MAX_METRIC_WATCHES, SWEEP_RUNS_PER_POLL } from './cold-metrics.ts';

export interface WatchedRun {
  /** Absolute run folder. */
  dir: string;
  /** RUNNING or SCHEDULED: written to right now, watched natively. */
  hot: boolean;
  /** When the run was last active (end time, else start time; ms): who gets a metrics watch first. */
  lastActive?: number;
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
  /** When each cold run was last active (WatchedRun.lastActive). */
  private lastActive = new Map<string, number>();
  /** Tiered: the finished runs' metric-folder watches and sweep. */
  private readonly metrics: ColdMetricWatches;
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
    // What is left of our half of the budget once the hot runs and the folder listings are watched.
    const hotRuns = runs.filter((r) => r.hot).length;
    const metricWatchRoom =
      this.mode === 'tiered' && !options.polling && process.platform === 'linux'
        ? Math.min(MAX_METRIC_WATCHES, Math.max(0, Math.floor(budget / 2) - hotRuns * FOLDERS_PER_RUN - 100))
        : 0;
    this.metrics = new ColdMetricWatches(
      {
        probe: this.probe,
        isCold: (dir) => this.cold.has(dir),
        lastActive: (dir) => this.lastActive.get(dir) ?? 0,
        isClosed: () => this.closed,
        onChange: (paths) => this.options.onChange(paths),
        ignored: options.ignored,
      },
      metricWatchRoom,
    );
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
        if (r.lastActive !== undefined) this.lastActive.set(r.dir, r.lastActive);
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
    else if (this.mode === 'tiered') {
      await this.primeCold();
      await this.metrics.watch([...this.cold.keys()], null);
    }
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
    const finished: string[] = [];
    for (const r of runs) {
      if (r.lastActive !== undefined) this.lastActive.set(r.dir, r.lastActive);
      if (r.hot && !this.hot.has(r.dir)) {
        this.hot.add(r.dir);
        this.cold.delete(r.dir);
        this.metrics.unwatch(r.dir);
        heat.push(r.dir);
      } else if (!r.hot && this.hot.has(r.dir)) {
        this.hot.delete(r.dir);
        this.cold.set(r.dir, 0);
        cool.push(r.dir);
        finished.push(r.dir);
      } else if (!r.hot && !this.cold.has(r.dir) && !this.hot.has(r.dir)) {
        this.cold.set(r.dir, 0);
        finished.push(r.dir);
      }
    }
    // Runs that finished (or appeared finished) get their metric folders watched or swept; a
    // line written before the watch is in place is in what the refresh that told us just read.
    if (this.hotWatched && finished.length > 0) void this.metrics.watch(finished, null);
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
    for (const d of this.cold.keys()) {
      if (!ids.has(path.basename(d))) continue;
      this.cold.delete(d);
      this.lastActive.delete(d);
      this.metrics.unwatch(d);
    }
    for (const d of [...this.hot]) {
      if (!ids.has(path.basename(d))) continue;
      this.hot.delete(d);
      if (this.hotWatched) this.hotWatcher?.remove([d]);
    }
  }

  private async primeCold(): Promise<void> {
    for (const dir of this.cold.keys()) {
      if (this.closed) return;
      this.cold.set(dir, await signature(this.probe, dir));
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
   * - finished runs with a metric file written since the snapshot (cold-metrics.ts);
   * Not covered, exactly as in the tiered poll of finished runs: a tag file rewritten in place
   * between the snapshot and the watch going live; edits inside runs of experiments already
   * deleted at snapshot time (the engine watches active experiments' runs only).
   */
  private async catchUp(since: number): Promise<void> {
    const after = since - MTIME_SLACK_MS;
    const changed: string[] = [this.options.root, ...this.hot];
    const tiered = this.mode === 'tiered';
    for (const dir of this.cold.keys()) {
      if (this.closed) return;
      const sig = await signature(this.probe, dir);
      if (tiered) this.cold.set(dir, sig);
      if (sig === 0 || sig >= after) changed.push(dir);
    }
    // Finished runs whose metric files were appended to since the snapshot (in place: no folder's
    // mtime changes). Tiered, their metric folders are watched from here on, before they are checked.
    changed.push(...(await this.metrics.watch([...this.cold.keys()], after, tiered)));
    changed.push(...(await changedInExperiments(this.probe, this.options.root, [...this.hot, ...this.cold.keys()], after, () => this.closed)));
    if (!this.closed) this.options.onChange(changed);
  }

  private async pollCold(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const changed: string[] = [];
      for (const [dir, before] of this.cold) {
        if (this.closed) return;
        const now = await signature(this.probe, dir);
        if (now !== before) {
          this.cold.set(dir, now);
          changed.push(dir);
        }
      }
      changed.push(...(await this.metrics.sweep()));
      if (changed.length > 0 && !this.closed) this.options.onChange(changed);
    } finally {
      this.polling = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.metrics.close();
    await Promise.all([this.main.close(), this.hotWatcher?.close()]);
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
