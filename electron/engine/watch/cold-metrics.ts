// Tiered watching's finished runs: MLflow also appends to a finished run's metric files
// (`log_metric` after `end_run`), which changes no folder's mtime, so the poll of signatures
// (file-store-watch.ts) would not see it. On Linux each finished run's `metrics` folder (and its
// nested-key folders) gets one plain inotify watch (fs.watch: no scan, no per-file record, ~1.3 KB
// of RSS), the most recently active runs first, as far as the budget allows; the metric files of
// runs without one are swept by the poll, SWEEP_RUNS_PER_POLL runs at a time.
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Probe } from './watch-probe.ts';

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

/** What the metric watches need from the store watch they serve. */
export interface ColdMetricsHost {
  probe: Probe;
  /** Whether `dir` is a finished (cold) run the watch knows. */
  isCold(dir: string): boolean;
  /** When the run was last active (ms; 0 when unknown): who gets a watch first. */
  lastActive(dir: string): number;
  isClosed(): boolean;
  onChange(paths: string[]): void;
  ignored?: (p: string) => boolean;
}

export class ColdMetricWatches {
  private readonly host: ColdMetricsHost;
  /** Linux: the fs.watch handles on each cold run's metric folders. */
  private readonly watches = new Map<string, FSWatcher[]>();
  /** How many more metric-folder watches the inotify budget allows. */
  private room: number;
  /** Cold runs without a metrics watch → newest mtime + total size of their metric files. */
  private readonly unwatched = new Map<string, number>();
  /** Runs in the sweep, in the order the next polls take them (each once). */
  private readonly sweepQueue = new Set<string>();
  private readonly events = new Set<string>();
  /** Cold runs whose metrics watch is being set up (watch() runs concurrently). */
  private readonly settingUp = new Set<string>();
  private eventTimer: NodeJS.Timeout | null = null;

  constructor(host: ColdMetricsHost, room: number) {
    this.host = host;
    this.room = room;
  }

  /**
   * Tiered: gives each of `dirs` (cold runs) a watch on its metric folders while the budget has
   * room (most recently active first), else a place in the sweep. With `after`, returns the runs
   * whose metric files were written since then (checked once the watch is in place, so a line
   * is either seen here or evented). Blocking listings in slices, as the poll does.
   */
  async watch(dirs: string[], after: number | null, watch = true): Promise<string[]> {
    const changed: string[] = [];
    const order = [...dirs].sort((a, b) => this.host.lastActive(b) - this.host.lastActive(a));
    for (const dir of order) {
      if (this.host.isClosed()) return [];
      if (!this.host.isCold(dir) || this.watches.has(dir) || this.settingUp.has(dir)) continue;
      this.settingUp.add(dir);
      try {
        const folders = await this.host.probe.tree(path.join(dir, 'metrics'));
        if (this.host.isClosed() || !this.host.isCold(dir)) continue;
        if (!watch) {
          // Full mode's catch-up: every folder is watched natively from now on.
        } else if (folders.length > 0 && folders.length <= this.room && this.watchFolders(dir, folders)) {
          this.unwatched.delete(dir);
        } else {
          this.sweepQueue.add(dir);
        }
        const state = await this.filesState(folders);
        if (watch && !this.watches.has(dir) && this.host.isCold(dir)) this.unwatched.set(dir, state.signature);
        if (after !== null && state.newest >= after) changed.push(dir);
      } finally {
        this.settingUp.delete(dir);
      }
    }
    return changed;
  }

  /** Opens the watches; false (and none left open) when the OS refuses one (budget exhausted). */
  private watchFolders(dir: string, folders: string[]): boolean {
    const watches: FSWatcher[] = [];
    try {
      for (const folder of folders) {
        const w = fsWatch(folder, { persistent: false }, (_event, name) => this.onEvent(dir, folder, name));
        w.on('error', () => {
          // The folder went away (run deleted) or the watch broke: the sweep takes the run over.
          this.unwatch(dir);
          if (this.host.isCold(dir) && !this.unwatched.has(dir)) {
            this.unwatched.set(dir, -1);
            this.sweepQueue.add(dir);
          }
        });
        watches.push(w);
      }
    } catch {
      for (const w of watches) w.close();
      this.room = 0;
      return false;
    }
    this.watches.set(dir, watches);
    this.room -= watches.length;
    return true;
  }

  unwatch(dir: string): void {
    this.unwatched.delete(dir);
    const watches = this.watches.get(dir);
    if (!watches) return;
    for (const w of watches) w.close();
    this.watches.delete(dir);
    this.room += watches.length;
  }

  private onEvent(dir: string, folder: string, name: string | Buffer | null): void {
    if (this.host.isClosed() || !this.watches.has(dir)) return;
    const p = name ? path.join(folder, name.toString()) : dir;
    if (this.host.ignored?.(p)) return;
    // A new nested key's folder: it needs a watch of its own (or the run moves to the sweep).
    if (name && this.host.probe.isFolder(p)) {
      this.unwatch(dir);
      void this.watch([dir], null);
    }
    this.events.add(p);
    if (this.eventTimer) clearTimeout(this.eventTimer);
    this.eventTimer = setTimeout(() => {
      this.eventTimer = null;
      const batch = [...this.events];
      this.events.clear();
      if (!this.host.isClosed() && batch.length > 0) this.host.onChange(batch);
    }, METRIC_EVENT_DEBOUNCE_MS);
  }

  /** Newest mtime among the metric files in `folders`, and a signature that any append changes. */
  private async filesState(folders: string[]): Promise<{ newest: number; signature: number }> {
    let newest = 0;
    let size = 0;
    for (const folder of folders) {
      for (const name of await this.host.probe.files(folder)) {
        const st = await this.host.probe.stat(path.join(folder, name));
        if (!st) continue;
        if (st.mtimeMs > newest) newest = st.mtimeMs;
        size += st.size;
      }
    }
    // An append grows the total size, even within one tick of a coarse file-system clock.
    return { newest, signature: newest * 1024 + size };
  }

  /** Part of the poll: the metric files of up to SWEEP_RUNS_PER_POLL unwatched cold runs. */
  async sweep(): Promise<string[]> {
    const changed: string[] = [];
    const n = Math.min(this.sweepQueue.size, SWEEP_RUNS_PER_POLL);
    const take = [...this.sweepQueue].slice(0, n);
    for (const dir of take) {
      if (this.host.isClosed()) return [];
      // Taken from the front; back at the end unless it left the sweep (watched, hot, removed).
      this.sweepQueue.delete(dir);
      const before = this.unwatched.get(dir);
      if (before === undefined || !this.host.isCold(dir)) continue;
      this.sweepQueue.add(dir);
      const { signature } = await this.filesState(await this.host.probe.tree(path.join(dir, 'metrics')));
      if (signature === before) continue;
      this.unwatched.set(dir, signature);
      changed.push(dir);
    }
    return changed;
  }

  close(): void {
    if (this.eventTimer) clearTimeout(this.eventTimer);
    for (const watches of this.watches.values()) for (const w of watches) w.close();
    this.watches.clear();
  }
}
