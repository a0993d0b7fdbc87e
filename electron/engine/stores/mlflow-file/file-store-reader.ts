// StoreReader for MLflow's file store (`mlruns/`, format doc section 2): the facade over the
// modules that do the work, one job each.
//
// One cold `load()` walks the whole tree (cold-load.ts, with a second thread for big stores:
// load-helper.ts, load-worker.ts). Afterwards the reader keeps a compact per-run cache
// (store-cache.ts: cold runs, and a few hot ones whose metric files are read incrementally) so
// that `refresh()` re-reads only what the changed paths touch (refresh-plan.ts names it,
// refresh.ts reads it). Experiments, logged models and the registry are read by
// experiment-read.ts, one run folder by run-read.ts. The invariant the tests check: whatever
// sequence of refreshes, the state equals a fresh load.
import path from 'node:path';
import type { MetricPoint, Run, StoreInfo, StoreSnapshot } from '../../model.ts';
import type { LoadOptions, StoreChange, StoreReader, WarmStart } from '../reader.ts';
import { coldLoad, type LoadSettings } from './cold-load.ts';
import { DiagBook } from './diagnostics.ts';
import { asyncIo, SyncIo } from './fs-util.ts';
import { DEFAULT_WORKER_URL, readBatch, type BatchPayload, type HelperJob } from './load-helper.ts';
import { readRunMetricHistory } from './metric-file.ts';
import { isSafeName, type ReadContext } from './read-context.ts';
import { refreshStore } from './refresh.ts';
import { MAX_HOT, runDir, StoreCache } from './store-cache.ts';
import { captureWarmState, changedSinceWarmState, restoreWarmState, type FileWarmState } from './warm-start.ts';

export type { BatchPayload, HelperJob, HelperMessage } from './load-helper.ts';

export interface FileStoreReaderOptions {
  io?: 'auto' | 'async';
  workerUrl?: URL | null;
  /** Let the helper thread start before this thread takes batches (tests: a deterministic split). */
  waitForHelper?: boolean;
  /** How many runs keep their full state for incremental refreshes (default MAX_HOT). */
  maxHotRuns?: number;
}

export class FileStoreReader implements StoreReader {
  readonly info: StoreInfo;
  private readonly ctx: ReadContext;
  private readonly cache: StoreCache;
  private readonly settings: LoadSettings;
  private queue: Promise<unknown> = Promise.resolve();
  /** How the last load went (for tests and benchmarks): the I/O mode and runs read by the helper. */
  lastLoad: { io: 'sync' | 'async'; helperRuns: number } | null = null;

  /**
   * `io: 'async'` forces the thread-pool back end (tests; normally chosen by measurement).
   * `workerUrl`: where load-worker.ts lives once bundled; null reads big stores on one thread.
   */
  constructor(info: StoreInfo, options: FileStoreReaderOptions = {}) {
    this.info = info;
    const book = new DiagBook(info.id);
    const syncIo = new SyncIo();
    this.ctx = { root: path.resolve(info.path), book, io: options.io === 'async' ? asyncIo : syncIo, syncIo };
    this.cache = new StoreCache(book, Math.max(1, options.maxHotRuns ?? MAX_HOT));
    this.settings = {
      info,
      workerUrl: options.workerUrl === undefined ? DEFAULT_WORKER_URL : options.workerUrl,
      waitForHelper: options.waitForHelper ?? false,
    };
  }

  /** load and refresh mutate the cache: they run one at a time, in call order. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  load(options?: LoadOptions): Promise<StoreSnapshot> {
    return this.serial(async () => {
      const { runs, lastLoad } = await coldLoad(this.ctx, this.cache, this.settings, options ?? {});
      this.lastLoad = lastLoad;
      return this.snapshot(runs);
    });
  }

  /** Warm starts (warm-start.ts): the cache from a snapshot, then what changed since it. */
  readonly warm: WarmStart = {
    capture: (readStarted, signal) => this.serial(() => captureWarmState(this.ctx, this.cache, readStarted, this.settings.workerUrl, signal)),
    restore: (state, records, indexedRuns) =>
      this.serial(async () => {
        restoreWarmState(this.ctx, this.cache, state, records);
        const goneRunIds: string[] = [];
        for (const id of indexedRuns) if (!this.cache.runs.has(id)) goneRunIds.push(id);
        return { changedPaths: await changedSinceWarmState(this.ctx, this.cache, state as FileWarmState, this.settings.workerUrl), goneRunIds };
      }),
  };

  refresh(changedPaths: readonly string[]): Promise<StoreChange> {
    return this.serial(() => refreshStore(this.ctx, this.cache, changedPaths));
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    const entry = this.cache.runs.get(runId);
    if (!entry) return [];
    const segments = key.split('/');
    if (!segments.every(isSafeName)) return [];
    return readRunMetricHistory(this.ctx.io, path.join(runDir(entry), 'metrics', ...segments));
  }

  diagnostics() {
    return this.ctx.book.all();
  }

  async close(): Promise<void> {
    await this.queue;
    this.cache.clear();
  }

  /** Helper thread side (load-worker.ts): reads some runs and returns them as plain data. */
  readBatch(jobs: readonly HelperJob[]): Promise<BatchPayload> {
    return readBatch(this.ctx, this.cache, jobs);
  }

  private snapshot(runs: Run[]): StoreSnapshot {
    return {
      info: this.info,
      experiments: [...this.cache.exps.values()].map((e) => e.exp),
      runs,
      loggedModels: [...this.cache.models.values()].map((m) => m.model),
      registry: this.cache.registry,
      diagnostics: this.ctx.book.all(),
    };
  }
}
