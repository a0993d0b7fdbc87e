// The engine facade every host wraps (Electron main via IPC, the browser bridge, the CLI):
// discover stores → read them → index them → watch them → answer queries. Plain Node: no
// `electron` import may ever appear under electron/engine/ (lint-enforced).
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { ArtifactResolver, listArtifactsLevel, type ResolveOptions } from './artifacts.ts';
import { discoverStores, fileStoreInfo, sqliteStoreInfo } from './discovery.ts';
import { createRunIndex, type RunIndex } from './index/index.ts';
import { dropSnapshot, readSnapshot, SnapshotWriter } from './snapshot/snapshot-file.ts';
import type {
  ArtifactEntry,
  Experiment,
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
import { FileStoreWatch, type WatchedRun } from './watch/file-store-watch.ts';
import { StoreWatcher } from './watch/store-watcher.ts';

/** How often a store's first read tells the app to look again while its runs stream in. */
const STREAM_BUMP_MS = 500;
/** Longest stretch of indexing a snapshot's runs before the event loop gets a turn. */
const SLICE_MS = 8;

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
  /**
   * Where stores' index snapshots are kept (the app's cache folder); a store read from its files
   * leaves one there, and its next open starts from it (warm). Absent: always read cold.
   */
  snapshotDir?: string;
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
  /** Completing the store's snapshot after a cold read, in the background; never rejects. */
  persist: Promise<void>;
  /** Aborted when the store is closed: a start still under way stops there. */
  closing: AbortController;
}

export type { IndexChangedEvent, IndexProgressEvent };

/** What the watcher needs of a run. */
type WatchedRunInfo = Pick<Run, 'experimentId' | 'runId' | 'status' | 'startTime' | 'endTime'>;

function watchedRun(r: Run): WatchedRunInfo {
  return { experimentId: r.experimentId, runId: r.runId, status: r.status, startTime: r.startTime, endTime: r.endTime };
}

/** How a store's first read went (tests and benchmarks ask: Engine.startOf). */
export type StoreStart =
  | { start: 'warm'; /** Runs re-read (changed, new or unverified) and runs gone since the snapshot. */ rereadRuns: number; goneRuns: number }
  | { start: 'cold'; reason: string };

/** What a store's first read (cold or warm) leaves for addStore. */
interface FirstRead {
  experiments: Experiment[];
  watched: WatchedRunInfo[];
  runCount: number;
  /** When the read began: the watcher's catch-up re-checks what changed after it. */
  snapshotStart: number;
  /** Warm start: what changed in the files since the snapshot (to refresh); cold: null. */
  changedPaths: string[] | null;
  /** Warm start: the snapshot's runs the reader found gone (already out of the index). */
  goneRunIds: string[];
  /** Cold read with a snapshot folder: the store's next snapshot, to complete. */
  persist: SnapshotWriter | null;
}

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
      read = (await this.warmRead(info, reader)) ?? (await this.coldRead(info, reader));
    } catch (e) {
      this.loading.delete(info.id);
      failed(e);
      this.index.removeStore(info.id);
      await reader.close();
      // Not being read any more: the app must not wait for this store (the error says why).
      this.events.emit('indexProgress', { storeId: info.id, phase: 'ready', done: 0, total: 0 });
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
    let rewrite: { fresh: Run[]; drop: Set<string> } | null = null;
    if (read.changedPaths) {
      // A warm start: what changed in the files since the snapshot, applied before the store is
      // called ready (the rows on screen meanwhile are the snapshot's). Through the store's queue,
      // like any refresh: a registry write confirming itself meanwhile waits for it.
      const paths = read.changedPaths;
      const done = open.queue.then(() => this.refreshStore(open, paths));
      open.queue = done.then(
        () => undefined,
        () => undefined,
      );
      try {
        const change = await done;
        const start = this.starts.get(info.id);
        if (change.runs.length > 0 || change.removedRunIds.length > 0 || read.goneRunIds.length > 0) {
          // The snapshot is behind the files: the next one holds what this start re-read.
          rewrite = { fresh: change.runs, drop: new Set([...change.runs.map((r) => r.runId), ...change.removedRunIds, ...read.goneRunIds]) };
        }
        const known = new Set(watched.map((r) => r.runId));
        const gone = new Set(change.removedRunIds);
        const fresh = new Map(change.runs.map((r) => [r.runId, watchedRun(r)]));
        if (start?.start === 'warm') this.starts.set(info.id, { ...start, rereadRuns: change.runs.length, goneRuns: start.goneRuns + gone.size });
        for (const id of gone) if (known.has(id)) runCount--;
        for (const id of fresh.keys()) if (!known.has(id)) runCount++;
        watched = [...watched.filter((r) => !gone.has(r.runId) && !fresh.has(r.runId)), ...fresh.values()];
      } catch (e) {
        open.watcherProblems = [{ store: info.id, path: info.path, problem: `Refresh failed: ${String(e)}` }];
        this.emitDiagnostics();
      }
    }
    // Queryable now. The watcher starts in the background: its initial scan of a big store takes
    // seconds (chokidar lstat's every file in full mode), and nothing on screen needs it.
    if (this.options.watch !== false) open.watchStart = this.startWatching(open, watched, read.snapshotStart);
    if (read.persist) open.persist = this.persistSnapshot(open, read.persist, read.snapshotStart, runCount);
    else if (rewrite) open.persist = this.rewriteSnapshot(open, rewrite, read.snapshotStart, runCount);
    this.events.emit('indexProgress', { storeId: info.id, phase: 'ready', done: runCount, total: runCount });
    this.bump(info.id, { experimentIds: experiments.map((e) => e.experimentId), runIds: [], registryChanged: true });
  }

  /**
   * A store's first read from the files. Runs are indexed batch by batch as the reader hands them
   * over (a reader that does not stream returns them all in the snapshot): the Run objects of a big
   * store never all exist at once, which is what keeps a 100k-run load within its memory budget.
   * With a snapshot folder, the batches are also written to the store's next snapshot as they come.
   */
  private async coldRead(info: StoreInfo, reader: StoreReader): Promise<FirstRead> {
    // The watcher only needs these fields per run (the strings are the ones the index keeps anyway).
    const watched: WatchedRunInfo[] = [];
    const watching = this.options.watch !== false;
    let indexed = 0;
    // Whatever is written from here on may be missing from the snapshot: the watcher's catch-up
    // re-checks what changed after this instant.
    const snapshotStart = Date.now();
    let writer = this.snapshotWriter(info, reader, snapshotStart);
    const toSnapshot = (runs: readonly Run[]) => {
      try {
        writer?.addRuns(runs);
      } catch {
        // A full disk or a read-only cache folder: no snapshot this time, nothing else lost.
        writer?.abort();
        writer = null;
      }
    };
    this.index.beginSnapshot(info);
    // While the runs stream in, the experiments are listed and queryable already: the app paints
    // its first rows long before a big store is read, and is told to look again as batches land
    // (at most every STREAM_BUMP_MS; each look is a query of a few ms).
    let runFolders: Record<string, number> | undefined;
    let lastBump = 0;
    const progress = (done: number, total: number) =>
      this.events.emit('indexProgress', { storeId: info.id, phase: 'reading', done, total, ...(runFolders ? { runFolders } : {}) });
    let snap: StoreSnapshot;
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
          toSnapshot(runs);
          indexed += runs.length;
          if (runFolders && performance.now() - lastBump >= STREAM_BUMP_MS) {
            this.bump(info.id, { experimentIds: [...new Set(runs.map((r) => r.experimentId))], runIds: [], registryChanged: false });
            lastBump = performance.now();
          }
          if (watching) for (const r of runs) watched.push(watchedRun(r));
        },
      });
      toSnapshot(snap.runs);
      const total = indexed + snap.runs.length;
      this.events.emit('indexProgress', { storeId: info.id, phase: 'indexing', done: indexed, total });
      this.index.endSnapshot(snap);
    } catch (e) {
      writer?.abort();
      throw e;
    }
    if (watching) for (const r of snap.runs) watched.push(watchedRun(r));
    return { experiments: snap.experiments, watched, runCount: indexed + snap.runs.length, snapshotStart, changedPaths: null, goneRunIds: [], persist: writer };
  }

  /**
   * A store's first read from its persisted snapshot (engine/snapshot/): the index is filled from
   * it at once (the app paints its rows), then the reader checks the files against it and names
   * what changed, which addStore refreshes. Null when there is no usable snapshot: a missing one, or
   * one that is corrupt, of another schema or another store, or does not fit the reader (deleted).
   */
  private async warmRead(info: StoreInfo, reader: StoreReader): Promise<FirstRead | null> {
    const dir = this.options.snapshotDir;
    if (!dir || !reader.warm) {
      this.starts.set(info.id, { start: 'cold', reason: dir ? 'the reader has no warm start' : 'no snapshot folder' });
      return null;
    }
    const found = readSnapshot(dir, info);
    if (!found.ok) {
      this.starts.set(info.id, { start: 'cold', reason: found.reason === 'missing' ? 'no snapshot' : `snapshot discarded (${found.reason})` });
      return null;
    }
    const { tail } = found.snapshot;
    // Changes from here on are the watcher's catch-up's (as after a cold read's start).
    const snapshotStart = Date.now();
    const watched: WatchedRunInfo[] = [];
    const total = tail.runCount;
    const runFolders = tail.runFolders;
    const progress = (done: number) => this.events.emit('indexProgress', { storeId: info.id, phase: 'reading', done, total, runFolders });
    try {
      // As a cold read streams: the experiments first, then the runs in the order they were read
      // (the experiment the app opens on first), the app told to look as they land; rows are on
      // screen long before a big snapshot is indexed, and complete ('ready') once the files are
      // checked against it.
      this.index.beginSnapshot(info, total);
      this.index.addSnapshotExperiments(info.id, tail.experiments);
      progress(0);
      this.bump(info.id, { experimentIds: tail.experiments.map((e) => e.experimentId), runIds: [], registryChanged: false });
      let lastYield = performance.now();
      // 0: the first turn given back also tells the app (its first rows).
      let lastBump = 0;
      for (const batch of found.snapshot.runBatches()) {
        this.index.addSnapshotRuns(info.id, batch);
        for (const r of batch) watched.push(watchedRun(r));
        const now = performance.now();
        if (now - lastYield < SLICE_MS) continue;
        progress(watched.length);
        if (now - lastBump >= STREAM_BUMP_MS) {
          this.bump(info.id, { experimentIds: [...new Set(batch.map((r) => r.experimentId))], runIds: [], registryChanged: false });
          lastBump = now;
        }
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      this.index.endSnapshot({ info, experiments: tail.experiments, runs: [], loggedModels: tail.loggedModels, registry: tail.registry, diagnostics: [] });
      progress(watched.length);
      this.bump(info.id, { experimentIds: tail.experiments.map((e) => e.experimentId), runIds: [], registryChanged: true });
      const { changedPaths, goneRunIds } = await reader.warm.restore(tail.readerState, tail, watched.map((r) => r.runId));
      if (goneRunIds.length > 0) this.index.applyChange(info.id, { ...emptyChange(), removedRunIds: goneRunIds });
      const gone = new Set(goneRunIds);
      this.starts.set(info.id, { start: 'warm', rereadRuns: 0, goneRuns: goneRunIds.length });
      return {
        experiments: tail.experiments,
        watched: gone.size > 0 ? watched.filter((r) => !gone.has(r.runId)) : watched,
        runCount: watched.length - gone.size,
        snapshotStart,
        changedPaths,
        goneRunIds,
        persist: null,
      };
    } catch (e) {
      // Does not fit what the reader expects (a bug, or a file edited by hand): never trusted.
      dropSnapshot(dir, info);
      this.starts.set(info.id, { start: 'cold', reason: `snapshot discarded (${e instanceof Error ? e.message : String(e)})` });
      return null;
    }
  }

  private snapshotWriter(info: StoreInfo, reader: StoreReader, readStarted: number): SnapshotWriter | null {
    const dir = this.options.snapshotDir;
    if (!dir || !reader.warm) return null;
    try {
      return new SnapshotWriter(dir, info, readStarted);
    } catch {
      return null;
    }
  }

  /**
   * Completes a store's snapshot once its watcher is live (the stat walk of the files would only
   * slow the first minutes down). Never rejects; closing the store abandons it.
   */
  private async persistSnapshot(open: OpenStore, writer: SnapshotWriter, readStarted: number, runCount: number): Promise<void> {
    try {
      await open.watchStart;
      const warm = open.reader.warm;
      if (!warm || open.closing.signal.aborted) throw new Error('closed');
      const { state, records } = await warm.capture(readStarted, open.closing.signal);
      open.closing.signal.throwIfAborted();
      const runFolders: Record<string, number> = {};
      for (const e of this.index.listExperiments({ storeId: open.info.id, lifecycle: 'all' })) {
        runFolders[e.experimentId] = e.runCounts.active + e.runCounts.deleted;
      }
      writer.finish({ ...records, runCount, runFolders, readerState: state });
    } catch {
      // Closed first, or the cache folder is full or read-only: no snapshot this time (the next
      // open reads cold), nothing else lost.
      writer.abort();
    }
  }

  /**
   * After a warm start that re-read runs: the snapshot's runs with those replaced (or dropped), and
   * the reader's state as of this start, so the next start does not read them again.
   */
  private async rewriteSnapshot(open: OpenStore, rewrite: { fresh: Run[]; drop: Set<string> }, readStarted: number, runCount: number): Promise<void> {
    const dir = this.options.snapshotDir;
    await open.watchStart;
    if (!dir || open.closing.signal.aborted) return;
    const found = readSnapshot(dir, open.info);
    if (!found.ok) return;
    let writer: SnapshotWriter;
    try {
      writer = new SnapshotWriter(dir, open.info, readStarted);
    } catch {
      return;
    }
    try {
      for (const batch of found.snapshot.runBatches()) writer.addRuns(batch.filter((r) => !rewrite.drop.has(r.runId)));
      writer.addRuns(rewrite.fresh);
    } catch {
      writer.abort();
      return;
    }
    await this.persistSnapshot(open, writer, readStarted, runCount);
  }

  /** How each store's first read went: from a snapshot or the files, and why (tests, benchmarks). */
  startOf(storeId: string): StoreStart | undefined {
    return this.starts.get(storeId);
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

  /** Resolves once every open store's snapshot is written (or given up): tests, benchmarks. */
  async whenSnapshotted(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.persist));
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
