// Watching an indexed store (engine.ts starts it in the background once the store is open): a
// FileStoreWatch for a file store (full or tiered, file-store-watch.ts), a StoreWatcher on the
// database and its journals for SQLite; what they report goes to the engine's refresh queue.
import path from 'node:path';
import type { Experiment, Diagnostic, StoreInfo } from '../model.ts';
import type { WatchedRunInfo } from '../first-read.ts';
import { FileStoreWatch, type WatchedRun } from './file-store-watch.ts';
import { StoreWatcher } from './store-watcher.ts';

export interface WatchOptions {
  /** Stat polling instead of inotify (network mounts). */
  polling?: boolean;
  pollingInterval?: number;
  /** Overrides the OS file-watch budget that picks full or tiered watching (tests). */
  watchBudget?: number;
  /** Overrides the run count above which file stores are watched tiered (tests). */
  maxFullWatchRuns?: number;
  /** Tiered watching: how often finished runs are checked. */
  coldPollMs?: number;
  /**
   * Test seam: awaited before a store's watcher starts, as a slow initial scan would be (the store
   * is already queryable meanwhile). Closing the store does not wait for it.
   */
  beforeWatchStart?: (store: StoreInfo) => Promise<void>;
}

/** What watching needs of the engine. */
export interface WatchingHost<S extends WatchedStore> {
  readonly options: WatchOptions;
  enqueueRefresh(open: S, changed: string[]): void;
  emitDiagnostics(): void;
}

/** What watching reads and sets of an open store. */
export interface WatchedStore {
  info: StoreInfo;
  experiments: Experiment[];
  watcher: StoreWatcher | FileStoreWatch | null;
  watcherProblems: Diagnostic[];
  watcherNotice: Diagnostic | null;
  closing: AbortController;
}

/**
 * Starts watching a store that is already indexed, then catches up with what changed since the
 * snapshot began (`snapshotStart`), which the watch could not see:
 * - file stores: FileStoreWatch reports, once its watches are live, the store root (experiments
 *   and registry), the runs that were training, finished runs and experiment folders whose
 *   mtimes are newer than the snapshot (the tiered poll's signatures) — see its catchUp();
 * - SQLite stores: one refresh, which diffs the database against what the reader last read.
 * Those paths go through enqueueRefresh like any watcher event, so the per-store queue keeps
 * applying refreshes one at a time, in order: a change the watcher reports after the catch-up
 * is applied after it, and a catch-up re-read of something a live event already applied just
 * reads the same state again. Never rejects: failures become watcher diagnostics. Closing the
 * store aborts `closing`, which stops the start wherever it is (see closeStores).
 */
export async function startWatching<S extends WatchedStore>(host: WatchingHost<S>, open: S, runs: readonly WatchedRunInfo[], snapshotStart: number): Promise<void> {
  const { info, closing } = open;
  const common = {
    polling: host.options.polling,
    pollingInterval: host.options.pollingInterval,
    // Our own atomic writes (registry) go through `.<name>.tmp-*` files.
    ignored: (p: string) => /\.tmp-[^/\\]*$/.test(p),
    onChange: (changed: string[]) => host.enqueueRefresh(open, changed),
    onProblem: (problem: string) => {
      open.watcherProblems = [{ store: info.id, path: info.path, problem }];
      host.emitDiagnostics();
    },
  };
  try {
    const gate = host.options.beforeWatchStart;
    if (gate) await untilAborted(gate(info), closing.signal);
    if (closing.signal.aborted) return;
    let watcher: StoreWatcher | FileStoreWatch;
    if (info.kind === 'file') {
      watcher = new FileStoreWatch(
        {
          ...common,
          root: info.path,
          watchBudget: host.options.watchBudget,
          maxFullRuns: host.options.maxFullWatchRuns,
          coldPollMs: host.options.coldPollMs,
          changedSince: snapshotStart,
          onNotice: (notice: string) => {
            open.watcherNotice = { store: info.id, path: info.path, problem: notice, severity: 'notice' };
            host.emitDiagnostics();
          },
        },
        watchedRuns(open, runs),
      );
    } else {
      watcher = new StoreWatcher({ ...common, paths: [info.path, `${info.path}-wal`, `${info.path}-journal`] });
    }
    // Set before starting, so that closing the store closes it whatever stage the start is at.
    open.watcher = watcher;
    await watcher.start();
    if (!closing.signal.aborted && watcher instanceof StoreWatcher) host.enqueueRefresh(open, [info.path]);
  } catch (e) {
    if (closing.signal.aborted) return;
    open.watcherProblems = [{ store: info.id, path: info.path, problem: `File watcher could not start: ${String(e)}` }];
    host.emitDiagnostics();
  }
}

/** Run folders of live experiments, and whether training is writing to them. */
export function watchedRuns(open: Pick<WatchedStore, 'info' | 'experiments'>, runs: readonly WatchedRunInfo[]): WatchedRun[] {
  const active = new Set(open.experiments.filter((e) => e.lifecycleStage === 'active').map((e) => e.experimentId));
  return runs
    .filter((r) => active.has(r.experimentId))
    .map((r) => ({
      dir: path.join(open.info.path, r.experimentId, r.runId),
      hot: r.status === 'RUNNING' || r.status === 'SCHEDULED',
      lastActive: r.endTime ?? r.startTime ?? 0,
    }));
}

/** Settles with `work`, or as soon as `signal` aborts (the work is left to finish unobserved). */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
