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
import { watch as fsWatch, readdirSync, readFileSync, statSync, type Dirent, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { StoreWatcher } from './store-watcher.ts';

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
 * Finished runs whose metric files one poll sweeps when they have no metrics watch (non-Linux,
 * beyond the inotify budget, polling mode): a run's listing and stats cost ~30-70 µs, so a poll
 * stays well under 0.2 s; a store with more such runs is covered over several polls.
 */
export const SWEEP_RUNS_PER_POLL = 4000;
/** At most this many finished runs get metric-folder watches (~26 MB of RSS at 20k). */
export const MAX_METRIC_WATCHES = 20_000;
/** Quiet period that closes a burst of metrics-watch events into one onChange. */
const METRIC_EVENT_DEBOUNCE_MS = 20;
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
  /** When each cold run was last active (WatchedRun.lastActive). */
  private lastActive = new Map<string, number>();
  /** Tiered, Linux: the fs.watch handles on each cold run's metric folders. */
  private metricWatches = new Map<string, FSWatcher[]>();
  /** How many more metric-folder watches the inotify budget allows. */
  private metricWatchRoom = 0;
  /** Tiered: cold runs without a metrics watch → newest mtime + total size of their metric files. */
  private unwatchedMetrics = new Map<string, number>();
  /** Runs in the sweep, in the order the next polls take them (each once). */
  private sweepQueue = new Set<string>();
  private metricEvents = new Set<string>();
  /** Cold runs whose metrics watch is being set up (watchColdMetrics runs concurrently). */
  private settingUp = new Set<string>();
  private metricEventTimer: NodeJS.Timeout | null = null;
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
    this.metricWatchRoom =
      this.mode === 'tiered' && !options.polling && process.platform === 'linux'
        ? Math.min(MAX_METRIC_WATCHES, Math.max(0, Math.floor(budget / 2) - hotRuns * FOLDERS_PER_RUN - 100))
        : 0;
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
      await this.watchColdMetrics([...this.cold.keys()], null);
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
        this.unwatchMetrics(r.dir);
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
    if (this.hotWatched && finished.length > 0) void this.watchColdMetrics(finished, null);
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
      this.unwatchMetrics(d);
    }
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
   * - finished runs with a metric file written since the snapshot (watchColdMetrics);
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
      const sig = await this.signature(dir);
      if (tiered) this.cold.set(dir, sig);
      if (sig === 0 || sig >= after) changed.push(dir);
    }
    // Finished runs whose metric files were appended to since the snapshot (in place: no folder's
    // mtime changes). Tiered, their metric folders are watched from here on, before they are checked.
    changed.push(...(await this.watchColdMetrics([...this.cold.keys()], after, tiered)));
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
      changed.push(...(await this.sweepMetrics()));
      if (changed.length > 0 && !this.closed) this.options.onChange(changed);
    } finally {
      this.polling = false;
    }
  }

  /**
   * Tiered: gives each of `dirs` (cold runs) a watch on its metric folders while the budget has
   * room (most recently active first), else a place in the sweep. With `after`, returns the runs
   * whose metric files were written since then (checked once the watch is in place, so a line
   * is either seen here or evented). Blocking listings in slices, as the poll does.
   */
  private async watchColdMetrics(dirs: string[], after: number | null, watch = true): Promise<string[]> {
    const changed: string[] = [];
    const order = [...dirs].sort((a, b) => (this.lastActive.get(b) ?? 0) - (this.lastActive.get(a) ?? 0));
    for (const dir of order) {
      if (this.closed) return [];
      if (!this.cold.has(dir) || this.metricWatches.has(dir) || this.settingUp.has(dir)) continue;
      this.settingUp.add(dir);
      try {
        const folders = await this.probe.tree(path.join(dir, 'metrics'));
        if (this.closed || !this.cold.has(dir)) continue;
        if (!watch) {
          // Full mode's catch-up: every folder is watched natively from now on.
        } else if (folders.length > 0 && folders.length <= this.metricWatchRoom && this.watchMetricFolders(dir, folders)) {
          this.unwatchedMetrics.delete(dir);
        } else {
          this.sweepQueue.add(dir);
        }
        const state = await this.metricFilesState(folders);
        if (watch && !this.metricWatches.has(dir) && this.cold.has(dir)) this.unwatchedMetrics.set(dir, state.signature);
        if (after !== null && state.newest >= after) changed.push(dir);
      } finally {
        this.settingUp.delete(dir);
      }
    }
    return changed;
  }

  /** Opens the watches; false (and none left open) when the OS refuses one (budget exhausted). */
  private watchMetricFolders(dir: string, folders: string[]): boolean {
    const watches: FSWatcher[] = [];
    try {
      for (const folder of folders) {
        const w = fsWatch(folder, { persistent: false }, (_event, name) => this.onMetricEvent(dir, folder, name));
        w.on('error', () => {
          // The folder went away (run deleted) or the watch broke: the sweep takes the run over.
          this.unwatchMetrics(dir);
          if (this.cold.has(dir) && !this.unwatchedMetrics.has(dir)) {
            this.unwatchedMetrics.set(dir, -1);
            this.sweepQueue.add(dir);
          }
        });
        watches.push(w);
      }
    } catch {
      for (const w of watches) w.close();
      this.metricWatchRoom = 0;
      return false;
    }
    this.metricWatches.set(dir, watches);
    this.metricWatchRoom -= watches.length;
    return true;
  }

  private unwatchMetrics(dir: string): void {
    this.unwatchedMetrics.delete(dir);
    const watches = this.metricWatches.get(dir);
    if (!watches) return;
    for (const w of watches) w.close();
    this.metricWatches.delete(dir);
    this.metricWatchRoom += watches.length;
  }

  private onMetricEvent(dir: string, folder: string, name: string | Buffer | null): void {
    if (this.closed || !this.metricWatches.has(dir)) return;
    const p = name ? path.join(folder, name.toString()) : dir;
    if (this.options.ignored?.(p)) return;
    // A new nested key's folder: it needs a watch of its own (or the run moves to the sweep).
    if (name && this.probe.isFolder(p)) {
      this.unwatchMetrics(dir);
      void this.watchColdMetrics([dir], null);
    }
    this.metricEvents.add(p);
    if (this.metricEventTimer) clearTimeout(this.metricEventTimer);
    this.metricEventTimer = setTimeout(() => {
      this.metricEventTimer = null;
      const batch = [...this.metricEvents];
      this.metricEvents.clear();
      if (!this.closed && batch.length > 0) this.options.onChange(batch);
    }, METRIC_EVENT_DEBOUNCE_MS);
  }

  /** Newest mtime among the metric files in `folders`, and a signature that any append changes. */
  private async metricFilesState(folders: string[]): Promise<{ newest: number; signature: number }> {
    let newest = 0;
    let size = 0;
    for (const folder of folders) {
      for (const name of await this.probe.files(folder)) {
        const st = await this.probe.stat(path.join(folder, name));
        if (!st) continue;
        if (st.mtimeMs > newest) newest = st.mtimeMs;
        size += st.size;
      }
    }
    // An append grows the total size, even within one tick of a coarse file-system clock.
    return { newest, signature: newest * 1024 + size };
  }

  /** Part of the poll: the metric files of up to SWEEP_RUNS_PER_POLL unwatched cold runs. */
  private async sweepMetrics(): Promise<string[]> {
    const changed: string[] = [];
    const n = Math.min(this.sweepQueue.size, SWEEP_RUNS_PER_POLL);
    const take = [...this.sweepQueue].slice(0, n);
    for (const dir of take) {
      if (this.closed) return [];
      // Taken from the front; back at the end unless it left the sweep (watched, hot, removed).
      this.sweepQueue.delete(dir);
      const before = this.unwatchedMetrics.get(dir);
      if (before === undefined || !this.cold.has(dir)) continue;
      this.sweepQueue.add(dir);
      const { signature } = await this.metricFilesState(await this.probe.tree(path.join(dir, 'metrics')));
      if (signature === before) continue;
      this.unwatchedMetrics.set(dir, signature);
      changed.push(dir);
    }
    return changed;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.metricEventTimer) clearTimeout(this.metricEventTimer);
    for (const watches of this.metricWatches.values()) for (const w of watches) w.close();
    this.metricWatches.clear();
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
    let entries: Dirent[] | null = null;
    if (this.slow) {
      entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
    } else {
      await this.slice();
      const t0 = performance.now();
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        // Missing or unreadable.
      }
      this.timed(t0);
    }
    if (!entries) return { folders: [], files: [], ok: false };
    return {
      folders: entries.filter((e) => e.isDirectory()).map((e) => e.name),
      files: entries.filter((e) => e.isFile()).map((e) => e.name),
      ok: true,
    };
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
