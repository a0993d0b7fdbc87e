// The engine facade every host wraps (Electron main via IPC, the browser bridge, the CLI):
// discover stores → read them → index them → watch them → answer queries. Plain Node: no
// `electron` import may ever appear under electron/engine/ (lint-enforced).
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { ArtifactResolver, listArtifactsLevel, type ResolveOptions } from './artifacts.ts';
import { discoverStores, fileStoreInfo, sqliteStoreInfo } from './discovery.ts';
import { createRunIndex, type RunIndex } from './index/index.ts';
import { coldRead, persistSnapshot, rewriteSnapshot, warmRead, watchedRun, type FirstRead, type FirstReadHost, type SnapshotRewrite, type StoreStart } from './first-read.ts';
import { throttleProgress } from './progress-throttle.ts';
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
import { emptyChange, isEmptyChange, type StoreChange, type StoreReader } from './stores/reader.ts';
import { FileStoreWatch } from './watch/file-store-watch.ts';
import type { StoreWatcher } from './watch/store-watcher.ts';
import { startWatching, watchedRuns, type WatchingHost, type WatchOptions } from './watch/store-watching.ts';


export interface EngineOptions extends WatchOptions {
  /** Watch stores and emit indexChanged (default true). The CLI's one-shot commands turn it off. */
  watch?: boolean;
  /** Where sql.js finds its wasm (bundled hosts). */
  sqlWasmPath?: string;
  /**
   * Where stores' index snapshots are kept (the app's cache folder); a store read from its files
   * leaves one there, and its next open starts from it (warm). Absent: always read cold.
   */
  snapshotDir?: string;
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
  /** Completing the store's snapshot after a cold read, in the background; never rejects. */
  persist: Promise<void>;
  /** Aborted when the store is closed: a start still under way stops there. */
  closing: AbortController;
}

export type { IndexChangedEvent, IndexProgressEvent, StoreStart };

export class Engine {
  readonly events = new EventEmitter<EngineEvents>();
  private stores = new Map<string, OpenStore>();
  /**
   * Stores whose first read is under way: listed, their experiments and runs queryable as they
   * stream in; what needs the open store (reader, artifacts) waits for `opened`.
   */
  private loading = new Map<string, { info: StoreInfo; opened: Promise<OpenStore> }>();
  private discoveryDiagnostics: Diagnostic[] = [];
  private starts = new Map<string, StoreStart>();
  private generation = 0;
  private projectPath: string | null = null;

  readonly index: RunIndex;
  private readonly options: EngineOptions;

  /** What a store's first read (first-read.ts) and its watching (watch/store-watching.ts) use. */
  private readonly host: FirstReadHost;
  private readonly watching: WatchingHost<OpenStore>;

  private constructor(index: RunIndex, options: EngineOptions) {
    this.index = index;
    this.options = options;
    this.host = {
      index,
      snapshotDir: options.snapshotDir,
      watching: options.watch !== false,
      progress: throttleProgress((ev) => this.events.emit('indexProgress', ev)),
      bump: (storeId, ev) => this.bump(storeId, ev),
      setStart: (storeId, start) => this.starts.set(storeId, start),
    };
    this.watching = {
      options,
      enqueueRefresh: (open, changed) => this.enqueueRefresh(open, changed),
      emitDiagnostics: () => this.emitDiagnostics(),
    };
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
    this.host.progress({ storeId: this.projectPath, phase: 'discovering', done: 0, total: 0 });
    const found = await discoverStores(this.projectPath);
    this.discoveryDiagnostics = found.diagnostics;
    for (const info of found.stores) await this.addStore(info);
    this.host.progress({ storeId: this.projectPath, phase: 'ready', done: found.stores.length, total: found.stores.length });
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
    let opened!: (open: OpenStore) => void;
    let failed!: (e: unknown) => void;
    const openedPromise = new Promise<OpenStore>((resolve, reject) => {
      opened = resolve;
      failed = reject;
    });
    // Nobody may be waiting: a failed load is reported by this call's own rejection.
    openedPromise.catch(() => undefined);
    this.loading.set(info.id, { info, opened: openedPromise });
    let read: FirstRead;
    try {
      read = (await warmRead(this.host, info, reader)) ?? (await coldRead(this.host, info, reader));
    } catch (e) {
      this.loading.delete(info.id);
      failed(e);
      this.index.removeStore(info.id);
      await reader.close();
      // Not being read any more: the app must not wait for this store (the error says why).
      this.host.progress({ storeId: info.id, phase: 'ready', done: 0, total: 0 });
      throw e;
    }
    const { experiments } = read;
    const open: OpenStore = {
      info,
      reader,
      resolver: new ArtifactResolver(info, experiments),
      watcher: null,
      queue: Promise.resolve(),
      watcherProblems: [],
      watcherNotice: null,
      experiments,
      watchStart: Promise.resolve(),
      persist: Promise.resolve(),
      closing: new AbortController(),
    };
    this.loading.delete(info.id);
    this.stores.set(info.id, open);
    opened(open);
    let { watched, runCount } = read;
    let rewrite: SnapshotRewrite | null = null;
    if (read.changedPaths) {
      // A warm start: what changed in the files since the snapshot, applied before the store is
      // called ready (the rows on screen meanwhile are the snapshot's). Through the store's queue,
      // like any refresh: a registry write confirming itself meanwhile waits for it.
      let change = emptyChange();
      try {
        change = await this.queuedRefresh(open, read.changedPaths);
      } catch (e) {
        open.watcherProblems = [{ store: info.id, path: info.path, problem: `Refresh failed: ${String(e)}` }];
        this.emitDiagnostics();
      }
      this.starts.set(info.id, { start: 'warm', rereadRuns: change.runs.length, goneRuns: read.goneRunIds.length + change.removedRunIds.length });
      if (change.runs.length > 0 || change.removedRunIds.length > 0 || read.goneRunIds.length > 0) {
        // The snapshot is behind the files: the next one holds what this start re-read.
        rewrite = { fresh: change.runs, drop: new Set([...change.runs.map((r) => r.runId), ...change.removedRunIds, ...read.goneRunIds]) };
      }
      const known = new Set(watched.map((r) => r.runId));
      const gone = new Set(change.removedRunIds);
      const fresh = new Map(change.runs.map((r) => [r.runId, watchedRun(r)]));
      for (const id of gone) if (known.has(id)) runCount--;
      for (const id of fresh.keys()) if (!known.has(id)) runCount++;
      watched = [...watched.filter((r) => !gone.has(r.runId) && !fresh.has(r.runId)), ...fresh.values()];
    }
    // Queryable now. The watcher starts in the background: its initial scan of a big store takes
    // seconds (chokidar lstat's every file in full mode), and nothing on screen needs it.
    if (this.options.watch !== false) open.watchStart = startWatching(this.watching, open, watched, read.snapshotStart);
    if (read.persist) open.persist = persistSnapshot(this.host, open, read.persist, read.snapshotStart, runCount);
    else if (rewrite) open.persist = rewriteSnapshot(this.host, open, rewrite, read.snapshotStart, runCount);
    this.host.progress({ storeId: info.id, phase: 'ready', done: runCount, total: runCount });
    this.bump(info.id, { experimentIds: experiments.map((e) => e.experimentId), runIds: [], registryChanged: true });
  }

  /** How each store's first read went: from a snapshot or the files, and why (tests, benchmarks). */
  startOf(storeId: string): StoreStart | undefined {
    return this.starts.get(storeId);
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
        open.watcher.updateRuns(watchedRuns(open, change.runs));
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

  /** Resolves once every open store's snapshot is written (or given up): tests, benchmarks. */
  async whenSnapshotted(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.persist));
  }

  /** Forces a re-read of the given paths of a store now (after our own writes). */
  async refreshPaths(storeId: string, paths: string[]): Promise<void> {
    await this.queuedRefresh(await this.openStore(storeId), paths);
  }

  /** A refresh through the store's queue, after those already queued; rejects when it fails. */
  private queuedRefresh(open: OpenStore, paths: string[]): Promise<StoreChange> {
    const done = open.queue.then(() => this.refreshStore(open, paths));
    open.queue = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
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
      await s.persist;
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

export { EngineError, type EngineErrorCode };
