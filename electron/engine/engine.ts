// The engine facade every host wraps (Electron main via IPC, the browser bridge, the CLI):
// discover stores → read them → index them → watch them → answer queries. Plain Node: no
// `electron` import may ever appear under electron/engine/ (lint-enforced).
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { ArtifactResolver, listArtifactsLevel, type ResolveOptions } from './artifacts.ts';
import { discoverStores, fileStoreInfo, sqliteStoreInfo } from './discovery.ts';
import { createRunIndex, type RunIndex } from './index/index.ts';
import type {
  ArtifactEntry,
  IndexChangedEvent,
  IndexProgressEvent,
  ArtifactLocation,
  Diagnostic,
  LoggedModel,
  MetricPoint,
  Run,
  StoreInfo,
  StoreSnapshot,
} from './model.ts';
import { EngineError, type EngineErrorCode } from './errors.ts';
import { countProblems } from './model.ts';
import { createFileStoreReader } from './stores/mlflow-file/index.ts';
import { createSqliteStoreReader } from './stores/mlflow-sqlite/index.ts';
import { isEmptyChange, type StoreChange, type StoreReader } from './stores/reader.ts';
import { FileStoreWatch, type WatchedRun } from './watch/file-store-watch.ts';
import { StoreWatcher } from './watch/store-watcher.ts';

/** How often a store's first read tells the app to look again while its runs stream in. */
const STREAM_BUMP_MS = 500;

export interface EngineOptions {
  /** Watch stores and emit indexChanged (default true). The CLI's one-shot commands turn it off. */
  watch?: boolean;
  /** Stat polling instead of inotify (network mounts). */
  polling?: boolean;
  pollingInterval?: number;
  /** Where sql.js finds its wasm (bundled hosts). */
  sqlWasmPath?: string;
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

export interface EngineEvents {
  indexChanged: [IndexChangedEvent];
  indexProgress: [IndexProgressEvent];
  diagnosticsChanged: [{ count: number }];
}

interface OpenStore {
  info: StoreInfo;
  reader: StoreReader;
  resolver: ArtifactResolver;
  watcher: StoreWatcher | FileStoreWatch | null;
  /** Serialises refreshes: a burst arriving mid-refresh waits for the previous one. */
  queue: Promise<void>;
  watcherProblems: Diagnostic[];
  /** How the watcher watches this store, when the user should know (a notice, not a problem). */
  watcherNotice: Diagnostic | null;
  experiments: StoreSnapshot['experiments'];
  /** The watcher's start in the background, catch-up included; never rejects. */
  watchStart: Promise<void>;
  /** Aborted when the store is closed: a start still under way stops there. */
  closing: AbortController;
}

export type { IndexChangedEvent, IndexProgressEvent };

/** What the watcher needs of a run. */
type WatchedRunInfo = Pick<Run, 'experimentId' | 'runId' | 'status' | 'startTime' | 'endTime'>;

export class Engine {
  readonly events = new EventEmitter<EngineEvents>();
  private stores = new Map<string, OpenStore>();
  /**
   * Stores whose first read is under way: listed, their experiments and runs queryable as they
   * stream in; what needs the open store (reader, artifacts) waits for `opened`.
   */
  private loading = new Map<string, { info: StoreInfo; opened: Promise<OpenStore> }>();
  private discoveryDiagnostics: Diagnostic[] = [];
  private generation = 0;
  private projectPath: string | null = null;

  readonly index: RunIndex;
  private readonly options: EngineOptions;

  private constructor(index: RunIndex, options: EngineOptions) {
    this.index = index;
    this.options = options;
  }

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const index = await createRunIndex(options.sqlWasmPath ? { wasmPath: options.sqlWasmPath } : undefined);
    return new Engine(index, options);
  }

  get project(): string | null {
    return this.projectPath;
  }

  /** Opens a project folder (or a store path): every store found in it is indexed and watched. */
  async openProject(target: string): Promise<{ stores: StoreInfo[]; diagnostics: Diagnostic[] }> {
    await this.closeStores();
    this.projectPath = path.resolve(target);
    this.events.emit('indexProgress', { storeId: this.projectPath, phase: 'discovering', done: 0, total: 0 });
    const found = await discoverStores(this.projectPath);
    this.discoveryDiagnostics = found.diagnostics;
    for (const info of found.stores) await this.addStore(info);
    this.events.emit('indexProgress', { storeId: this.projectPath, phase: 'ready', done: found.stores.length, total: found.stores.length });
    this.emitDiagnostics();
    return { stores: found.stores, diagnostics: this.diagnostics() };
  }

  /** Opens one store given by path (an mlruns folder or a .db file). */
  async openStorePath(storePath: string): Promise<StoreInfo> {
    const abs = path.resolve(storePath);
    const info = /\.(db|sqlite3?)$/i.test(abs) ? sqliteStoreInfo(abs) : fileStoreInfo(abs);
    await this.addStore(info);
    return info;
  }

  async addStore(info: StoreInfo): Promise<void> {
    if (this.stores.has(info.id)) return;
    const pending = this.loading.get(info.id);
    if (pending) {
      await pending.opened;
      return;
    }
    const reader = info.kind === 'file' ? createFileStoreReader(info) : createSqliteStoreReader(info);
    const watching = this.options.watch !== false;
    // Runs are indexed batch by batch as the reader hands them over (a reader that does not stream
    // returns them all in the snapshot): the Run objects of a big store never all exist at once,
    // which is what keeps a 100k-run load within its memory budget. The watcher only needs these
    // three fields per run (the strings are the ones the index keeps anyway).
    const streamed: WatchedRunInfo[] = [];
    let indexed = 0;
    let snap: StoreSnapshot;
    // Whatever is written from here on may be missing from the snapshot: the watcher's catch-up
    // re-checks what changed after this instant.
    const snapshotStart = Date.now();
    this.index.beginSnapshot(info);
    let opened!: (open: OpenStore) => void;
    let failed!: (e: unknown) => void;
    const openedPromise = new Promise<OpenStore>((resolve, reject) => {
      opened = resolve;
      failed = reject;
    });
    // Nobody may be waiting: a failed load is reported by this call's own rejection.
    openedPromise.catch(() => undefined);
    this.loading.set(info.id, { info, opened: openedPromise });
    // While the runs stream in, the experiments are listed and queryable already: the app paints
    // its first rows long before a big store is read, and is told to look again as batches land
    // (at most every STREAM_BUMP_MS; each look is a query of a few ms).
    let runFolders: Record<string, number> | undefined;
    let lastBump = 0;
    const progress = (done: number, total: number) =>
      this.events.emit('indexProgress', { storeId: info.id, phase: 'reading', done, total, ...(runFolders ? { runFolders } : {}) });
    try {
      snap = await reader.load({
        onProgress: progress,
        onExperiments: (experiments, folders) => {
          this.index.addSnapshotExperiments(info.id, experiments);
          // The reader's next progress report carries them to the app.
          runFolders = Object.fromEntries(folders);
          this.bump(info.id, { experimentIds: experiments.map((e) => e.experimentId), runIds: [], registryChanged: false });
          lastBump = performance.now();
        },
        onRuns: (runs) => {
          this.index.addSnapshotRuns(info.id, runs);
          indexed += runs.length;
          if (runFolders && performance.now() - lastBump >= STREAM_BUMP_MS) {
            this.bump(info.id, { experimentIds: [...new Set(runs.map((r) => r.experimentId))], runIds: [], registryChanged: false });
            lastBump = performance.now();
          }
          if (watching) {
            for (const r of runs) streamed.push({ experimentId: r.experimentId, runId: r.runId, status: r.status, startTime: r.startTime, endTime: r.endTime });
          }
        },
      });
      const total = indexed + snap.runs.length;
      this.events.emit('indexProgress', { storeId: info.id, phase: 'indexing', done: indexed, total });
      this.index.endSnapshot(snap);
    } catch (e) {
      this.loading.delete(info.id);
      failed(e);
      this.index.removeStore(info.id);
      await reader.close();
      // Not being read any more: the app must not wait for this store (the error says why).
      this.events.emit('indexProgress', { storeId: info.id, phase: 'ready', done: 0, total: 0 });
      throw e;
    }
    const runCount = indexed + snap.runs.length;
    const open: OpenStore = {
      info,
      reader,
      resolver: new ArtifactResolver(info, snap.experiments),
      watcher: null,
      queue: Promise.resolve(),
      watcherProblems: [],
      watcherNotice: null,
      experiments: snap.experiments,
      watchStart: Promise.resolve(),
      closing: new AbortController(),
    };
    this.loading.delete(info.id);
    this.stores.set(info.id, open);
    opened(open);
    // Queryable now. The watcher starts in the background: its initial scan of a big store takes
    // seconds (chokidar lstat's every file in full mode), and nothing on screen needs it.
    if (watching) open.watchStart = this.startWatching(open, streamed.length > 0 ? [...streamed, ...snap.runs] : snap.runs, snapshotStart);
    this.events.emit('indexProgress', { storeId: info.id, phase: 'ready', done: runCount, total: runCount });
    this.bump(info.id, { experimentIds: snap.experiments.map((e) => e.experimentId), runIds: [], registryChanged: true });
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
  private async startWatching(open: OpenStore, runs: readonly WatchedRunInfo[], snapshotStart: number): Promise<void> {
    const { info, closing } = open;
    const common = {
      polling: this.options.polling,
      pollingInterval: this.options.pollingInterval,
      // Our own atomic writes (registry) go through `.<name>.tmp-*` files.
      ignored: (p: string) => /\.tmp-[^/\\]*$/.test(p),
      onChange: (changed: string[]) => this.enqueueRefresh(open, changed),
      onProblem: (problem: string) => {
        open.watcherProblems = [{ store: info.id, path: info.path, problem }];
        this.emitDiagnostics();
      },
    };
    try {
      const gate = this.options.beforeWatchStart;
      if (gate) await untilAborted(gate(info), closing.signal);
      if (closing.signal.aborted) return;
      let watcher: StoreWatcher | FileStoreWatch;
      if (info.kind === 'file') {
        watcher = new FileStoreWatch(
          {
            ...common,
            root: info.path,
            watchBudget: this.options.watchBudget,
            maxFullRuns: this.options.maxFullWatchRuns,
            coldPollMs: this.options.coldPollMs,
            changedSince: snapshotStart,
            onNotice: (notice: string) => {
              open.watcherNotice = { store: info.id, path: info.path, problem: notice, severity: 'notice' };
              this.emitDiagnostics();
            },
          },
          this.watchedRuns(open, runs),
        );
      } else {
        watcher = new StoreWatcher({ ...common, paths: [info.path, `${info.path}-wal`, `${info.path}-journal`] });
      }
      // Set before starting, so that closing the store closes it whatever stage the start is at.
      open.watcher = watcher;
      await watcher.start();
      if (!closing.signal.aborted && watcher instanceof StoreWatcher) this.enqueueRefresh(open, [info.path]);
    } catch (e) {
      if (closing.signal.aborted) return;
      open.watcherProblems = [{ store: info.id, path: info.path, problem: `File watcher could not start: ${String(e)}` }];
      this.emitDiagnostics();
    }
  }

  /** Run folders of live experiments, and whether training is writing to them. */
  private watchedRuns(open: OpenStore, runs: readonly WatchedRunInfo[]): WatchedRun[] {
    const active = new Set(open.experiments.filter((e) => e.lifecycleStage === 'active').map((e) => e.experimentId));
    return runs
      .filter((r) => active.has(r.experimentId))
      .map((r) => ({
        dir: path.join(open.info.path, r.experimentId, r.runId),
        hot: r.status === 'RUNNING' || r.status === 'SCHEDULED',
        lastActive: r.endTime ?? r.startTime ?? 0,
      }));
  }

  private enqueueRefresh(open: OpenStore, changed: string[]): void {
    if (open.closing.signal.aborted) return;
    open.queue = open.queue.then(async () => {
      await this.refreshStore(open, changed);
    }).catch((e: unknown) => {
      open.watcherProblems = [{ store: open.info.id, path: open.info.path, problem: `Refresh failed: ${String(e)}` }];
      this.emitDiagnostics();
    });
  }

  /** Re-reads what changed and applies it; also used by writers (registry) to confirm writes. */
  async refreshStore(open: OpenStore, changed: string[]): Promise<StoreChange> {
    const before = open.reader.diagnostics().length;
    const change = await open.reader.refresh(changed);
    if (!isEmptyChange(change)) {
      this.index.applyChange(open.info.id, change);
      if (change.experiments.length > 0 || change.removedExperimentIds.length > 0) {
        open.experiments = this.index.listExperiments({ storeId: open.info.id, lifecycle: 'all' });
        open.resolver = new ArtifactResolver(open.info, open.experiments);
      }
      if (open.watcher instanceof FileStoreWatch) {
        open.watcher.updateRuns(this.watchedRuns(open, change.runs));
        open.watcher.removeRunIds(change.removedRunIds);
      }
      const experimentIds = new Set<string>([
        ...change.experiments.map((e) => e.experimentId),
        ...change.removedExperimentIds,
        ...change.runs.map((r) => r.experimentId),
      ]);
      this.bump(open.info.id, {
        experimentIds: [...experimentIds],
        runIds: [...change.runs.map((r) => r.runId), ...change.removedRunIds],
        registryChanged: change.registry !== null,
      });
    }
    if (open.reader.diagnostics().length !== before) this.emitDiagnostics();
    return change;
  }

  /** Waits until every queued refresh has been applied (tests, writers confirming their writes). */
  async settle(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.queue));
  }

  /**
   * Resolves once every open store's watcher is live and its catch-up refresh applied: from then
   * on, changes arrive as events (tests, benchmarks). Stores are queryable long before that.
   */
  async whenWatching(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.watchStart));
    await this.settle();
  }

  /** Forces a re-read of the given paths of a store now (after our own writes). */
  async refreshPaths(storeId: string, paths: string[]): Promise<void> {
    const open = await this.openStore(storeId);
    const done = open.queue.then(() => this.refreshStore(open, paths));
    open.queue = done.then(
      () => undefined,
      () => undefined,
    );
    await done;
  }

  private bump(storeId: string, ev: Omit<IndexChangedEvent, 'generation' | 'storeId'>): void {
    this.generation += 1;
    this.events.emit('indexChanged', { generation: this.generation, storeId, ...ev });
  }

  private emitDiagnostics(): void {
    this.events.emit('diagnosticsChanged', { count: countProblems(this.diagnostics()) });
  }

  get currentGeneration(): number {
    return this.generation;
  }

  /** Open stores, then any still being read for the first time. */
  listStores(): StoreInfo[] {
    return [...this.stores.values(), ...this.loading.values()].map((s) => s.info);
  }

  storeInfo(storeId: string): StoreInfo {
    const info = this.stores.get(storeId)?.info ?? this.loading.get(storeId)?.info;
    if (!info) throw new EngineError('NOT_FOUND', `No open store ${storeId}`);
    return info;
  }

  /** An open store; one still being read for the first time once it is open. */
  private async openStore(storeId: string): Promise<OpenStore> {
    const s = this.stores.get(storeId) ?? (await this.loading.get(storeId)?.opened);
    if (!s) throw new EngineError('NOT_FOUND', `No open store ${storeId}`);
    return s;
  }

  diagnostics(): Diagnostic[] {
    const out = [...this.discoveryDiagnostics];
    for (const s of this.stores.values()) {
      out.push(...s.reader.diagnostics(), ...s.watcherProblems);
      if (s.watcherNotice) out.push(s.watcherNotice);
    }
    return out;
  }

  /** Full histories for several runs × keys (read from the store on demand, never indexed). */
  async getMetricHistory(q: {
    storeId: string;
    runIds: string[];
    keys: string[];
  }): Promise<Record<string, Record<string, MetricPoint[]>>> {
    const open = await this.openStore(q.storeId);
    const out: Record<string, Record<string, MetricPoint[]>> = {};
    for (const runId of q.runIds) {
      const perKey: Record<string, MetricPoint[]> = {};
      for (const key of q.keys) perKey[key] = await open.reader.getMetricHistory(runId, key);
      out[runId] = perKey;
    }
    return out;
  }

  async resolveRunArtifacts(storeId: string, run: Pick<Run, 'artifactUri'>, options?: ResolveOptions): Promise<ArtifactLocation> {
    return (await this.openStore(storeId)).resolver.resolve(run.artifactUri, options);
  }

  async resolveModelArtifacts(storeId: string, model: Pick<LoggedModel, 'artifactLocation'>, options?: ResolveOptions): Promise<ArtifactLocation> {
    return (await this.openStore(storeId)).resolver.resolve(model.artifactLocation, options);
  }

  /** One level of a run's artifact tree; `dir` is relative to the run's artifact root. */
  async listArtifacts(q: {
    storeId: string;
    runId: string;
    path?: string;
  }): Promise<{ location: ArtifactLocation; entries: ArtifactEntry[] }> {
    const run = this.index.getRun({ storeId: q.storeId, runId: q.runId });
    if (!run) throw new EngineError('NOT_FOUND', `No run ${q.runId}`);
    const location = await this.resolveRunArtifacts(q.storeId, run, { includeTrash: true });
    if (!location.available) return { location, entries: [] };
    try {
      return { location, entries: await listArtifactsLevel(location.localPath, q.path ?? '') };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'INVALID_ARGUMENT') throw new EngineError('INVALID_ARGUMENT', err.message);
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return { location, entries: [] };
      throw e;
    }
  }

  async readerFor(storeId: string): Promise<StoreReader> {
    return (await this.openStore(storeId)).reader;
  }

  private async closeStores(): Promise<void> {
    const stores = [...this.stores.values()];
    this.stores.clear();
    for (const s of stores) {
      // Stops a start still under way (it checks `closing` at every stage; a chokidar scan cut
      // short by close() settles the start), then waits for it, so no watcher outlives the store.
      s.closing.abort();
      await s.watcher?.close();
      await s.watchStart;
      await s.queue;
      await s.reader.close();
      this.index.removeStore(s.info.id);
    }
    this.discoveryDiagnostics = [];
  }

  async dispose(): Promise<void> {
    await this.closeStores();
    this.index.close();
    this.events.removeAllListeners();
  }
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

export { EngineError, type EngineErrorCode };
