// StoreReader for MLflow's file store (`mlruns/`, format doc section 2).
//
// One cold `load()` walks the whole tree: in short synchronous slices while the storage answers
// fast (helped, for big stores, by a second thread: load-worker.ts), with many asynchronous reads
// in flight once it proves slow (fs-util.ts). Afterwards the reader keeps a compact per-run cache
// so that `refresh()` re-reads only what the changed paths touch. The invariant the tests check:
// whatever sequence of refreshes, the state equals a fresh load.
//
// Memory: the cache must stay small next to the index, which already holds every run (a 100k-run
// store's Run objects and metric states took ~400 MB of heap when the reader kept them all). So a
// run is *cold* after a load — only its folder (experiment + id) and dataset references are kept —
// and a change to a cold run re-reads its folder whole (about 30 small files, well under a
// millisecond on a local disk), which is also exactly what a fresh load would read. That run is
// then *hot*: its Run, meta and per-metric-file states (byte offset, running latest point) are
// kept, so the next appends to its metric files are read incrementally from the last offset. At
// most MAX_HOT runs are hot (the least recently changed go cold again): training writes to a few
// runs at a time. A load can also hand its runs over in batches as they are read (`onRuns`), so
// the engine indexes a big store without all its Run objects existing at once.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  DatasetInput,
  Diagnostic,
  Experiment,
  LoggedModel,
  LoggedModelMetric,
  MetricPoint,
  RegisteredModel,
  Run,
  RunOutputModel,
  StoreInfo,
  StoreSnapshot,
} from '../../model.ts';
import { emptyChange, type LoadOptions, type StoreChange, type StoreReader } from '../reader.ts';
import { Collector, DiagBook } from './diagnostics.ts';
import {
  asyncIo,
  describeError,
  isDir,
  listDir,
  runPool,
  SyncIo,
  walkKeys,
  yieldToLoop,
  type Io,
  type KeyFile,
  type WalkProblem,
} from './fs-util.ts';
import { mapField, intField, textField, textMap } from './meta-yaml.ts';
import {
  RUN_LINE_FORM,
  RunMetricState,
  badLinesProblem,
  type MetricReadResult,
  readModelMetric,
  readRunMetricHistory,
  updateRunMetric,
} from './metric-file.ts';
import { readKeyValues, readMetaFile } from './read-helpers.ts';
import {
  datasetFromMeta,
  experimentFromMeta,
  loggedModelFromMeta,
  runFromMeta,
  type DatasetMeta,
  type RunMeta,
} from './records.ts';
import { readRegistry } from './registry.ts';

/** Top-level names that are not experiments (format doc 2.1). */
const RESERVED_TOP = new Set(['.trash', 'models']);
/** Names inside an experiment folder that are not runs (format doc 2.1). */
const RESERVED_IN_EXPERIMENT = new Set(['tags', 'datasets', 'models', 'traces']);
/** Concurrent run reads in asynchronous mode: keeps libuv's threads busy, bounds open files. */
const RUN_CONCURRENCY = 48;
const SMALL_CONCURRENCY = 16;
const METRICS_CHANGED = 1;
const METRICS_RELIST = 2;
/**
 * Fraction of slow opens/listings/small reads (see SyncIo) above which the storage is "slow" (cold
 * disk, network mount) and overlapping many asynchronous reads beats sequential blocking ones. A
 * warm local disk answers in a few microseconds.
 */
const SLOW_STORAGE_FRACTION = 0.3;
/** Longest stretch of synchronous reading before the event loop gets a turn. */
const SLICE_MS = 8;
/** Runs per batch handed to the reading threads. */
const BATCH = 64;
/** Below this many runs a helper thread (~0.1 s to start) costs about what it saves. */
const PARALLEL_MIN_RUNS = 2000;
/** The helper thread's module; null disables it (e.g. a bundle that does not ship it). */
const DEFAULT_WORKER_URL = new URL('./load-worker.ts', import.meta.url);
/** Runs whose full state is kept for incremental refreshes (see the file comment). */
const MAX_HOT = 512;
/** Runs per `onRuns` call of a streaming load. */
const STREAM_BATCH = 256;
const NO_REFS: readonly string[] = Object.freeze([]);

interface ExpEntry {
  id: string;
  dir: string;
  trashed: boolean;
  exp: Experiment;
  runIds: Set<string>;
  modelIds: Set<string>;
  /** Experiment-level datasets, read on first use by an input. */
  datasets: Map<string, Promise<DatasetMeta | null>>;
}

/** A run as the cache keeps it: its folder is `<exp.dir>/<runId>`. */
interface RunEntry {
  runId: string;
  exp: ExpEntry;
  /** Dataset ids the run's inputs point to (re-read when one of them changes). */
  datasetRefs: readonly string[];
  /** Kept only for runs a refresh touched; null: the next change re-reads the folder whole. */
  hot: HotRun | null;
}

/** Everything incremental refreshes of one run need. */
interface HotRun {
  meta: RunMeta;
  run: Run;
  metricStates: Map<string, RunMetricState>;
}

/** One run folder read whole. */
interface ReadRun extends HotRun {
  datasetRefs: string[];
}

function runDir(entry: RunEntry): string {
  return path.join(entry.exp.dir, entry.runId);
}

interface ModelEntry {
  modelId: string;
  expId: string;
  dir: string;
  model: LoggedModel;
}

interface Location {
  dir: string;
  trashed: boolean;
}

interface RunPlan {
  full: boolean;
  meta: boolean;
  params: boolean;
  tags: boolean;
  inputs: boolean;
  outputs: boolean;
  metricsList: boolean;
  metricKeys: Set<string>;
}

interface ExpPlan {
  full: boolean;
  meta: boolean;
  datasets: Set<string>;
  allDatasets: boolean;
  modelsList: boolean;
  models: Set<string>;
  runs: Map<string, RunPlan>;
}

interface Plan {
  top: boolean;
  registry: boolean;
  exps: Map<string, ExpPlan>;
}

interface Inputs {
  datasets: DatasetInput[];
  models: string[];
  refs: string[];
}

class ChangeBuilder {
  experiments = new Map<string, Experiment>();
  runs = new Map<string, Run>();
  models = new Map<string, LoggedModel>();
  removedExperiments = new Set<string>();
  removedRuns = new Set<string>();
  removedModels = new Set<string>();
  registry: RegisteredModel[] | null = null;

  build(): StoreChange {
    const c = emptyChange();
    c.experiments = [...this.experiments.values()];
    c.runs = [...this.runs.values()];
    c.loggedModels = [...this.models.values()];
    c.removedExperimentIds = [...this.removedExperiments].filter((id) => !this.experiments.has(id));
    c.removedRunIds = [...this.removedRuns].filter((id) => !this.runs.has(id));
    c.removedLoggedModelIds = [...this.removedModels].filter((id) => !this.models.has(id));
    c.registry = this.registry;
    return c;
  }
}

function isSafeName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\');
}

function sortedMetrics(states: Map<string, RunMetricState>): Record<string, MetricPoint> {
  const out: Record<string, MetricPoint> = {};
  for (const key of [...states.keys()].sort()) {
    const p = (states.get(key) as RunMetricState).latest();
    if (p !== null) out[key] = p;
  }
  return out;
}

function assembleRun(
  runId: string,
  meta: RunMeta,
  parts: Pick<Run, 'params' | 'tags' | 'metrics' | 'inputs' | 'outputs'>,
): Run {
  return {
    runId,
    experimentId: meta.experimentId,
    // MLflow falls back to the mlflow.runName tag when run_name is missing or empty (get_run).
    runName: meta.runName || parts.tags['mlflow.runName'] || '',
    status: meta.status,
    startTime: meta.startTime,
    endTime: meta.endTime,
    lifecycleStage: meta.lifecycleStage,
    userId: meta.userId,
    artifactUri: meta.artifactUri,
    deletedTime: meta.deletedTime,
    params: parts.params,
    tags: parts.tags,
    metrics: parts.metrics,
    inputs: parts.inputs,
    outputs: parts.outputs,
  };
}

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
  private readonly root: string;
  private readonly book: DiagBook;
  private exps = new Map<string, ExpEntry>();
  private runs = new Map<string, RunEntry>();
  /** Hot runs, least recently changed first. */
  private hotRuns = new Set<RunEntry>();
  private models = new Map<string, ModelEntry>();
  private registry: RegisteredModel[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly syncIo = new SyncIo();
  /** Current I/O mode: synchronous slices until the storage proves slow (see fs-util.ts). */
  private io: Io = this.syncIo;

  private readonly workerUrl: URL | null;
  private readonly waitForHelper: boolean;
  private readonly maxHot: number;
  /** How the last load went (for tests and benchmarks): the I/O mode and runs read by the helper. */
  lastLoad: { io: 'sync' | 'async'; helperRuns: number } | null = null;

  /**
   * `io: 'async'` forces the thread-pool back end (tests; normally chosen by measurement).
   * `workerUrl`: where load-worker.ts lives once bundled; null reads big stores on one thread.
   */
  constructor(info: StoreInfo, options: FileStoreReaderOptions = {}) {
    this.info = info;
    this.root = path.resolve(info.path);
    this.book = new DiagBook(info.id);
    if (options.io === 'async') this.io = asyncIo;
    this.workerUrl = options.workerUrl === undefined ? DEFAULT_WORKER_URL : options.workerUrl;
    this.waitForHelper = options.waitForHelper ?? false;
    this.maxHot = Math.max(1, options.maxHotRuns ?? MAX_HOT);
  }

  /** load and refresh mutate the cache: they run one at a time, in call order. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  load(options?: LoadOptions): Promise<StoreSnapshot> {
    return this.serial(() => this.doLoad(options ?? {}));
  }

  refresh(changedPaths: readonly string[]): Promise<StoreChange> {
    return this.serial(() => this.doRefresh(changedPaths));
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    const entry = this.runs.get(runId);
    if (!entry) return [];
    const segments = key.split('/');
    if (!segments.every(isSafeName)) return [];
    return readRunMetricHistory(this.io, path.join(runDir(entry), 'metrics', ...segments));
  }

  diagnostics() {
    return this.book.all();
  }

  async close(): Promise<void> {
    await this.queue;
    this.exps.clear();
    this.runs.clear();
    this.hotRuns.clear();
    this.models.clear();
    this.registry = [];
  }

  private snapshot(runs: Run[]): StoreSnapshot {
    return {
      info: this.info,
      experiments: [...this.exps.values()].map((e) => e.exp),
      runs,
      loggedModels: [...this.models.values()].map((m) => m.model),
      registry: this.registry,
      diagnostics: this.book.all(),
    };
  }

  // ---- load ------------------------------------------------------------------------------------

  private async doLoad(options: LoadOptions): Promise<StoreSnapshot> {
    const { onProgress, signal, onRuns } = options;
    signal?.throwIfAborted();
    this.exps.clear();
    this.runs.clear();
    this.hotRuns.clear();
    this.models.clear();
    this.registry = [];
    this.book.reset();

    const located = [...(await this.locateExperiments()).entries()];
    const read = await Promise.all(located.map(([id, loc]) => this.readExperimentAt(id, loc)));
    const exps = read.filter((e): e is ExpEntry => e !== null);
    for (const e of exps) this.exps.set(e.id, e);

    const runJobs: { exp: ExpEntry; name: string }[] = [];
    const modelJobs: { exp: ExpEntry; name: string }[] = [];
    await Promise.all(
      exps.map(async (exp) => {
        const children = await this.listExperimentChildren(exp);
        for (const name of children.runs) runJobs.push({ exp, name });
        for (const name of children.models) modelJobs.push({ exp, name });
      }),
    );

    if (onRuns && options.onExperiments) {
      const runFolders = new Map<string, number>();
      for (const { exp } of runJobs) runFolders.set(exp.id, (runFolders.get(exp.id) ?? 0) + 1);
      // Read the experiment the app opens on first (the one with the most runs, ties: the newest
      // — renderer/src/state/actions.ts, chooseInitialScope), so its rows are the first on screen.
      const order = new Map(
        [...exps]
          .sort((a, b) => (runFolders.get(b.id) ?? 0) - (runFolders.get(a.id) ?? 0) || (b.exp.creationTime ?? 0) - (a.exp.creationTime ?? 0))
          .map((e, i) => [e, i] as const),
      );
      runJobs.sort((a, b) => (order.get(a.exp) ?? 0) - (order.get(b.exp) ?? 0));
      options.onExperiments(exps.map((e) => e.exp), runFolders);
    }
    const total = runJobs.length;
    let done = 0;
    onProgress?.(0, total);
    // Without onRuns the runs are collected for the snapshot; with it, handed over in batches.
    const collected: Run[] = [];
    let pending: Run[] = [];
    const deliver = (run: Run): void => {
      if (!onRuns) {
        collected.push(run);
        return;
      }
      pending.push(run);
      if (pending.length >= STREAM_BATCH) {
        const batch = pending;
        pending = [];
        onRuns(batch);
      }
    };
    const readOne = async ({ exp, name }: { exp: ExpEntry; name: string }) => {
      const r = await this.readRunFull(exp, name, true);
      if (r && this.addRun(exp, name, r.datasetRefs, null)) deliver(r.run);
      done++;
    };
    // Runs are handed out in batches from a shared counter, to this thread and (for big stores) a
    // helper thread (load-worker.ts) that reads with blocking I/O too: a second core halves the
    // wall time. counter[0] = next batch, counter[1] = 1 when the helper must stop taking batches.
    const batches = Math.ceil(total / BATCH);
    const counter = new Int32Array(new SharedArrayBuffer(8));
    const mine = new Set<number>();
    let helperRuns = 0;
    const helper =
      this.io === this.syncIo && total >= PARALLEL_MIN_RUNS && this.workerUrl !== null
        ? startHelper(this.workerUrl, this.info, runJobs, counter, (payload) => {
            const n = this.importBatch(payload, deliver);
            done += n;
            helperRuns += n;
          })
        : null;
    // Synchronous slices while the storage is fast, judged on every batch.
    const sio = this.syncIo;
    let lastYield = performance.now();
    try {
      if (helper && this.waitForHelper) await helper.started;
      while (this.io === sio) {
        const b = Atomics.add(counter, 0, 1);
        if (b >= batches) break;
        mine.add(b);
        const ops0 = sio.ops;
        const slow0 = sio.slowOps;
        for (let i = b * BATCH; i < Math.min((b + 1) * BATCH, total); i++) {
          signal?.throwIfAborted();
          await readOne(runJobs[i] as { exp: ExpEntry; name: string });
          if (performance.now() - lastYield > SLICE_MS) {
            onProgress?.(done, total);
            await yieldToLoop();
            lastYield = performance.now();
          }
        }
        const ops = sio.ops - ops0;
        if (ops > 0 && (sio.slowOps - slow0) / ops > SLOW_STORAGE_FRACTION) {
          this.io = asyncIo;
          Atomics.store(counter, 1, 1);
        }
      }
      // Batches nobody took yet (the storage proved slow): many asynchronous reads in flight.
      const first = Math.min(Atomics.add(counter, 0, batches), batches);
      const rest: { exp: ExpEntry; name: string }[] = [];
      for (let b = first; b < batches; b++) {
        mine.add(b);
        rest.push(...runJobs.slice(b * BATCH, (b + 1) * BATCH));
      }
      await runPool(rest, RUN_CONCURRENCY, async (job) => {
        signal?.throwIfAborted();
        await readOne(job);
        if (done % 64 === 0) onProgress?.(done, total);
      });
      if (helper) {
        // Whatever the helper took but did not deliver (it failed or could not start) is read here.
        const delivered = await helper.finished;
        for (let b = 0; b < batches; b++) {
          if (mine.has(b) || delivered.has(b)) continue;
          for (const job of runJobs.slice(b * BATCH, (b + 1) * BATCH)) {
            signal?.throwIfAborted();
            await readOne(job);
          }
        }
      }
    } finally {
      if (helper) {
        Atomics.store(counter, 1, 1);
        await helper.stop();
      }
    }
    if (onRuns && pending.length > 0) onRuns(pending);
    pending = [];
    onProgress?.(done, total);
    this.lastLoad = { io: this.io.sync ? 'sync' : 'async', helperRuns };

    await runPool(modelJobs, SMALL_CONCURRENCY, async ({ exp, name }) => {
      const m = await this.readLoggedModel(exp, name);
      if (m) this.addModel(exp, m);
    });
    this.registry = await this.readRegistryNow();
    return this.snapshot(collected);
  }

  /** Where each experiment lives: `mlruns/<id>` wins over `.trash/<id>`, as in MLflow's lookup. */
  private async locateExperiments(): Promise<Map<string, Location>> {
    const scope = `${this.root}#top`;
    const c = this.book.collector();
    const out = new Map<string, Location>();
    const top = await listDir(this.io, this.root);
    if (!top.ok) {
      c.add(this.root, `store folder ${describeError(top.code)} (nothing read)`);
      this.book.set(scope, c.list);
      return out;
    }
    for (const n of top.badNames) c.add(path.join(this.root, n), 'folder name is not valid UTF-8 (skipped)');
    for (const e of top.entries) {
      if (!(e.isDirectory() || e.isSymbolicLink()) || RESERVED_TOP.has(e.name) || e.name.startsWith('.')) continue;
      out.set(e.name, { dir: path.join(this.root, e.name), trashed: false });
    }
    const trashDir = path.join(this.root, '.trash');
    const trash = await listDir(this.io, trashDir);
    if (trash.ok) {
      for (const n of trash.badNames) c.add(path.join(trashDir, n), 'folder name is not valid UTF-8 (skipped)');
      for (const e of trash.entries) {
        if (!(e.isDirectory() || e.isSymbolicLink()) || e.name.startsWith('.')) continue;
        const dir = path.join(trashDir, e.name);
        if (out.has(e.name)) this.noteShadowedTrash(e.name, true);
        else out.set(e.name, { dir, trashed: true });
      }
    } else if (trash.code !== 'ENOENT') {
      c.add(trashDir, `trash folder ${describeError(trash.code)} (deleted experiments not read)`);
    }
    this.book.set(scope, c.list);
    return out;
  }

  /** An experiment both active and in .trash: MLflow finds the active one first. */
  private noteShadowedTrash(id: string, shadowed: boolean): void {
    const dir = path.join(this.root, '.trash', id);
    this.book.one(`${dir}#shadowed`, dir, shadowed ? `experiment ${id} is also active; this deleted copy is ignored (as MLflow does)` : null);
  }

  private async locateOne(id: string): Promise<Location | null> {
    const active = path.join(this.root, id);
    if (await isDir(this.io, active)) return { dir: active, trashed: false };
    const trashed = path.join(this.root, '.trash', id);
    if (await isDir(this.io, trashed)) return { dir: trashed, trashed: true };
    return null;
  }

  private async readExperimentAt(id: string, loc: Location): Promise<ExpEntry | null> {
    const scope = `${loc.dir}#meta`;
    const c = this.book.collector();
    const metaPath = path.join(loc.dir, 'meta.yaml');
    const done = (entry: ExpEntry | null) => {
      this.book.set(scope, c.list);
      return entry;
    };
    const meta = await readMetaFile(this.io, metaPath);
    if (!meta.ok) {
      c.add(
        metaPath,
        meta.missing
          ? 'no meta.yaml: folder skipped (not an experiment)'
          : `${meta.problem} (experiment skipped with its runs)`,
      );
      return done(null);
    }
    const rec = experimentFromMeta(meta.map, c.at(metaPath));
    if (rec === null) {
      c.add(metaPath, 'no experiment_id (experiment skipped with its runs)');
      return done(null);
    }
    if (rec.experimentId !== id) {
      c.add(
        metaPath,
        `experiment_id "${rec.experimentId}" does not match the folder name "${id}" (experiment skipped, as MLflow does)`,
      );
      return done(null);
    }
    const tags = await readKeyValues(this.io, path.join(loc.dir, 'tags'), c, 'experiment tag');
    return done({
      id,
      dir: loc.dir,
      trashed: loc.trashed,
      // A folder in .trash/ is a deleted experiment whatever its meta.yaml says (a move by hand).
      exp: { ...rec, lifecycleStage: loc.trashed ? 'deleted' : rec.lifecycleStage, tags },
      runIds: new Set(),
      modelIds: new Set(),
      datasets: new Map(),
    });
  }

  private async listExperimentChildren(exp: ExpEntry): Promise<{ runs: string[]; models: string[] }> {
    const scope = `${exp.dir}#list`;
    const c = this.book.collector();
    const runs: string[] = [];
    const models: string[] = [];
    const l = await listDir(this.io, exp.dir);
    if (!l.ok) {
      c.add(exp.dir, `experiment folder ${describeError(l.code)} (runs not read)`);
    } else {
      for (const n of l.badNames) c.add(path.join(exp.dir, n), 'folder name is not valid UTF-8 (skipped)');
      let hasModels = false;
      for (const e of l.entries) {
        if (!(e.isDirectory() || e.isSymbolicLink()) || e.name.startsWith('.')) continue;
        if (e.name === 'models') hasModels = true;
        if (RESERVED_IN_EXPERIMENT.has(e.name)) continue;
        runs.push(e.name);
      }
      if (hasModels) models.push(...(await this.listModelFolders(exp, c)));
    }
    this.book.set(scope, c.list);
    return { runs, models };
  }

  private async listModelFolders(exp: ExpEntry, c: Collector): Promise<string[]> {
    const dir = path.join(exp.dir, 'models');
    const l = await listDir(this.io, dir);
    if (!l.ok) {
      if (l.code !== 'ENOENT') c.add(dir, `logged models folder ${describeError(l.code)} (logged models not read)`);
      return [];
    }
    for (const n of l.badNames) c.add(path.join(dir, n), 'folder name is not valid UTF-8 (skipped)');
    return l.entries.filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.')).map((e) => e.name);
  }

  /** Caches a run (cold when `hot` is null); false when another folder has its id. */
  private addRun(exp: ExpEntry, runId: string, datasetRefs: readonly string[], hot: HotRun | null): boolean {
    const other = this.runs.get(runId);
    if (other && other.exp.dir !== exp.dir) {
      const dir = path.join(exp.dir, runId);
      const c = this.book.collector();
      c.add(dir, `run id also present in ${runDir(other)} (this copy skipped)`);
      this.book.set(`${dir}#dup`, c.list);
      return false;
    }
    if (other) this.hotRuns.delete(other);
    const entry: RunEntry = {
      runId,
      exp,
      datasetRefs: datasetRefs.length > 0 ? datasetRefs : NO_REFS,
      hot,
    };
    this.runs.set(runId, entry);
    exp.runIds.add(runId);
    if (hot !== null) this.touchHot(entry);
    return true;
  }

  /** Marks a hot run as just changed; the least recently changed beyond MAX_HOT go cold. */
  private touchHot(entry: RunEntry): void {
    this.hotRuns.delete(entry);
    this.hotRuns.add(entry);
    for (const old of this.hotRuns) {
      if (this.hotRuns.size <= this.maxHot) break;
      old.hot = null;
      this.hotRuns.delete(old);
    }
  }

  private forgetRun(entry: RunEntry): void {
    if (this.runs.get(entry.runId) === entry) this.runs.delete(entry.runId);
    entry.exp.runIds.delete(entry.runId);
    this.hotRuns.delete(entry);
  }

  private addModel(exp: ExpEntry, m: ModelEntry): void {
    this.models.set(m.modelId, m);
    exp.modelIds.add(m.modelId);
  }

  // ---- batches read by the helper thread -------------------------------------------------------

  /** Helper side: reads some runs and returns them with their diagnostics, as plain data. */
  async readBatch(jobs: readonly HelperJob[]): Promise<BatchPayload> {
    this.book.reset();
    const runs: TransferRun[] = [];
    for (const job of jobs) {
      let exp = this.exps.get(job.expId);
      if (!exp || exp.dir !== job.expDir) {
        exp = { id: job.expId, dir: job.expDir, trashed: job.trashed, exp: PLACEHOLDER_EXPERIMENT, runIds: new Set(), modelIds: new Set(), datasets: new Map() };
        this.exps.set(job.expId, exp);
      }
      const r = await this.readRunFull(exp, job.name, true);
      // Loaded runs are cold (file comment): their metric states are not sent.
      if (r) runs.push({ expId: exp.id, run: r.run, refs: r.datasetRefs });
    }
    return { runs, count: jobs.length, diagnostics: this.book.scopes() };
  }

  /** Main side: takes a helper batch into the cache; returns how many run folders it covered. */
  private importBatch(p: BatchPayload, deliver: (run: Run) => void): number {
    for (const [scope, list] of p.diagnostics) this.book.set(scope, list);
    for (const t of p.runs) {
      const exp = this.exps.get(t.expId);
      if (!exp) continue;
      if (this.addRun(exp, t.run.runId, t.refs, null)) deliver(t.run);
    }
    return p.count;
  }

  // ---- runs ------------------------------------------------------------------------------------

  /**
   * Reads a run folder whole; null when it is not a readable run (diagnostic recorded). `fresh`:
   * during a load the book is empty, and clearing scopes per run would cost O(diagnostics) each.
   */
  private async readRunFull(exp: ExpEntry, name: string, fresh = false): Promise<ReadRun | null> {
    const dir = path.join(exp.dir, name);
    if (!fresh) this.book.clearUnder(dir);
    const l = await listDir(this.io, dir);
    if (!l.ok) {
      // A folder that vanished is a removal, not a problem.
      if (l.code !== 'ENOENT') {
        const c = this.book.collector();
        c.add(dir, `run folder ${describeError(l.code)} (run skipped)`);
        this.book.set(`${dir}#meta`, c.list);
      }
      return null;
    }
    const has = new Set(l.entries.map((e) => e.name));
    const meta = await this.readRunMeta(dir, exp, name, has.has('meta.yaml'));
    if (meta === null) return null;
    const states = new Map<string, RunMetricState>();
    const [params, tags, , inputs, outputs] = await Promise.all([
      has.has('params') ? this.readRunKeys(dir, 'params', 'param') : {},
      has.has('tags') ? this.readRunKeys(dir, 'tags', 'tag') : {},
      has.has('metrics') ? this.readRunMetrics(dir, states, false, null) : 0,
      has.has('inputs') ? this.readInputs(exp, dir) : { datasets: [], models: [], refs: [] },
      has.has('outputs') ? this.readOutputs(dir) : [],
    ]);
    return {
      meta,
      metricStates: states,
      datasetRefs: inputs.refs,
      run: assembleRun(name, meta, {
        params,
        tags,
        metrics: sortedMetrics(states),
        inputs: { datasets: inputs.datasets, models: inputs.models },
        outputs: { models: outputs },
      }),
    };
  }

  private async readRunMeta(dir: string, exp: ExpEntry, name: string, present = true): Promise<RunMeta | null> {
    const scope = `${dir}#meta`;
    const c = this.book.collector();
    const metaPath = path.join(dir, 'meta.yaml');
    const done = (m: RunMeta | null) => {
      this.book.set(scope, c.list);
      return m;
    };
    const meta = present ? await readMetaFile(this.io, metaPath) : ({ ok: false, missing: true, problem: '' } as const);
    if (!meta.ok) {
      c.add(
        metaPath,
        meta.missing
          ? 'no meta.yaml: folder skipped (not a run; MLflow ignores it too)'
          : `${meta.problem} (run skipped)`,
      );
      return done(null);
    }
    const rec = runFromMeta(meta.map, c.at(metaPath));
    if (rec === null) {
      c.add(metaPath, 'no experiment_id (run skipped)');
      return done(null);
    }
    if (rec.experimentId !== exp.id) {
      c.add(
        metaPath,
        `experiment_id "${rec.experimentId}" does not match the experiment folder "${exp.id}" (run skipped, as MLflow does)`,
      );
      return done(null);
    }
    if (rec.runId !== '' && rec.runId !== name) {
      c.add(metaPath, `run_id "${rec.runId}" differs from the folder name (the folder name is used)`);
    }
    return done(rec);
  }

  private async readRunKeys(dir: string, folder: 'params' | 'tags', what: string): Promise<Record<string, string>> {
    const c = this.book.collector();
    const out = await readKeyValues(this.io, path.join(dir, folder), c, what);
    this.book.set(`${dir}#${folder}`, c.list);
    return out;
  }

  /**
   * Updates the metric states of a run. `keys` null = walk `metrics/` (keys that disappeared are
   * dropped); otherwise only those keys. Returns METRICS_CHANGED and/or METRICS_RELIST (a listed key
   * turned out not to be a plain file any more: the caller then walks the folder).
   */
  private async readRunMetrics(
    dir: string,
    states: Map<string, RunMetricState>,
    checkReplaced: boolean,
    keys: string[] | null,
  ): Promise<number> {
    let status = 0;
    const base = path.join(dir, 'metrics');
    let files: KeyFile[];
    if (keys === null) {
      const problems: WalkProblem[] = [];
      files = await walkKeys(this.io, base, problems);
      const c = this.book.collector();
      for (const p of problems) c.add(p.path, p.problem);
      this.book.set(`${dir}#metrics`, c.list);
      const present = new Set(files.map((f) => f.key));
      for (const k of [...states.keys()]) {
        if (!present.has(k)) {
          states.delete(k);
          this.book.clear(path.join(base, ...k.split('/')));
          status |= METRICS_CHANGED;
        }
      }
    } else {
      files = keys
        .filter((k) => k.split('/').every(isSafeName))
        .map((k) => ({ key: k, abs: path.join(base, ...k.split('/')), viaSymlink: false }));
    }
    for (const f of files) {
      let one = this.readOneMetric(f, states, checkReplaced);
      if (one instanceof Promise) one = await one;
      status |= one;
    }
    return status;
  }

  /** METRICS_CHANGED, METRICS_RELIST when the file is gone or is a folder, or 0. */
  private readOneMetric(f: KeyFile, states: Map<string, RunMetricState>, checkReplaced: boolean): number | Promise<number> {
    const st = states.get(f.key) ?? new RunMetricState();
    const r = updateRunMetric(this.io, f.abs, st, checkReplaced);
    // Blocking I/O answers synchronously: no promise per metric file on a cold index.
    if (r instanceof Promise) return r.then((x) => this.afterMetricRead(f, states, st, x));
    return this.afterMetricRead(f, states, st, r);
  }

  private afterMetricRead(f: KeyFile, states: Map<string, RunMetricState>, st: RunMetricState, r: MetricReadResult): number {
    if (!r.ok) {
      states.delete(f.key);
      if (!f.viaSymlink && (r.code === 'ENOENT' || r.code === 'EISDIR')) {
        this.book.clear(f.abs);
        return METRICS_RELIST | METRICS_CHANGED;
      }
      this.book.one(f.abs, f.abs, `metrics/${f.key}: ${describeError(r.code, f.viaSymlink)} (metric skipped)`);
      return METRICS_CHANGED;
    }
    states.set(f.key, st);
    let problem: string | null = null;
    if (st.bad > 0 || st.badTail !== null) problem = badLinesProblem(`metrics/${f.key}`, st, RUN_LINE_FORM);
    else if (st.lines === 0 && st.offset === 0 && st.tail === null && !st.pending) {
      // MLflow fails the whole run on an empty metric file; we only leave the metric out.
      problem = `metrics/${f.key}: empty metric file (metric skipped)`;
    }
    this.book.one(f.abs, f.abs, problem);
    return r.changed ? METRICS_CHANGED : 0;
  }

  private async readInputs(exp: ExpEntry, dir: string): Promise<Inputs> {
    const base = path.join(dir, 'inputs');
    const c = this.book.collector();
    const out: Inputs = { datasets: [], models: [], refs: [] };
    const l = await listDir(this.io, base);
    if (!l.ok) {
      if (l.code !== 'ENOENT') c.add(base, `inputs folder ${describeError(l.code)} (inputs skipped)`);
    } else {
      for (const n of l.badNames) c.add(path.join(base, n), 'folder name is not valid UTF-8 (input skipped)');
      const dirs = l.entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name);
      const metas = await Promise.all(dirs.map((d) => readMetaFile(this.io, path.join(base, d, 'meta.yaml'))));
      for (let i = 0; i < dirs.length; i++) {
        const metaPath = path.join(base, dirs[i] as string, 'meta.yaml');
        const m = metas[i]!;
        if (!m.ok) {
          c.add(metaPath, `${m.missing ? 'missing' : m.problem} (input skipped)`);
          continue;
        }
        const sourceType = textField(m.map, 'source_type');
        const sourceId = textField(m.map, 'source_id') ?? '';
        if (sourceType === 'DATASET') {
          out.refs.push(sourceId);
          const ds = await this.dataset(exp, sourceId);
          if (ds === null) {
            c.add(metaPath, `dataset "${sourceId}" missing or unreadable in the experiment's datasets/ (input skipped)`);
            continue;
          }
          out.datasets.push({ ...ds, tags: textMap(mapField(m.map, 'tags')) });
        } else if (sourceType === 'MODEL') {
          // Model inputs (format doc 2.9/3.2): a logged model the run used.
          out.models.push(sourceId);
        } else {
          c.add(metaPath, `unknown input source_type "${sourceType ?? ''}" (input skipped)`);
        }
      }
    }
    this.book.set(`${dir}#inputs`, c.list);
    return out;
  }

  private dataset(exp: ExpEntry, id: string): Promise<DatasetMeta | null> {
    let p = exp.datasets.get(id);
    if (!p) {
      p = this.readDataset(exp, id);
      exp.datasets.set(id, p);
    }
    return p;
  }

  private async readDataset(exp: ExpEntry, id: string): Promise<DatasetMeta | null> {
    if (!isSafeName(id)) return null;
    const metaPath = path.join(exp.dir, 'datasets', id, 'meta.yaml');
    const c = this.book.collector();
    const m = await readMetaFile(this.io, metaPath);
    let out: DatasetMeta | null = null;
    if (!m.ok) {
      if (!m.missing) c.add(metaPath, `${m.problem} (dataset skipped)`);
    } else {
      out = datasetFromMeta(m.map, c.at(metaPath, ' (dataset skipped)'));
    }
    this.book.set(metaPath, c.list);
    return out;
  }

  private async readOutputs(dir: string): Promise<RunOutputModel[]> {
    const base = path.join(dir, 'outputs');
    const c = this.book.collector();
    const out: RunOutputModel[] = [];
    const l = await listDir(this.io, base);
    if (!l.ok) {
      if (l.code !== 'ENOENT') c.add(base, `outputs folder ${describeError(l.code)} (outputs skipped)`);
    } else {
      for (const n of l.badNames) c.add(path.join(base, n), 'folder name is not valid UTF-8 (output skipped)');
      const dirs = l.entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name);
      const metas = await Promise.all(dirs.map((d) => readMetaFile(this.io, path.join(base, d, 'meta.yaml'))));
      dirs.forEach((d, i) => {
        const m = metas[i]!;
        const metaPath = path.join(base, d, 'meta.yaml');
        if (!m.ok) {
          c.add(metaPath, `${m.missing ? 'missing' : m.problem} (output skipped)`);
          return;
        }
        // Both ids are the model id (format doc 2.10); the folder name is the same id again.
        const modelId = textField(m.map, 'destination_id') ?? textField(m.map, 'source_id') ?? d;
        out.push({ modelId, step: intField(m.map, 'step') ?? 0 });
      });
    }
    this.book.set(`${dir}#outputs`, c.list);
    return out;
  }

  // ---- logged models ---------------------------------------------------------------------------

  private async readLoggedModel(exp: ExpEntry, name: string): Promise<ModelEntry | null> {
    const dir = path.join(exp.dir, 'models', name);
    this.book.clearUnder(dir);
    const c = this.book.collector();
    const done = (m: ModelEntry | null) => {
      this.book.set(dir, c.list);
      return m;
    };
    const metaPath = path.join(dir, 'meta.yaml');
    const meta = await readMetaFile(this.io, metaPath);
    if (!meta.ok) {
      if (meta.missing && !(await isDir(this.io, dir))) return done(null);
      c.add(metaPath, `${meta.missing ? 'no meta.yaml' : meta.problem} (logged model skipped)`);
      return done(null);
    }
    const rec = loggedModelFromMeta(meta.map, c.at(metaPath));
    const [params, tags, metrics] = await Promise.all([
      readKeyValues(this.io, path.join(dir, 'params'), c, 'param'),
      readKeyValues(this.io, path.join(dir, 'tags'), c, 'tag'),
      this.readModelMetrics(path.join(dir, 'metrics'), c),
    ]);
    return done({
      modelId: name,
      expId: exp.id,
      dir,
      model: { modelId: name, experimentId: exp.id, ...rec, params, tags, metrics },
    });
  }

  private async readModelMetrics(base: string, c: Collector): Promise<LoggedModelMetric[]> {
    const problems: WalkProblem[] = [];
    const files = await walkKeys(this.io, base, problems);
    for (const p of problems) c.add(p.path, p.problem);
    const results = await Promise.all(files.map((f) => readModelMetric(this.io, f.abs, f.key, `metrics/${f.key}`)));
    const out: LoggedModelMetric[] = [];
    files.forEach((f, i) => {
      const r = results[i]!;
      if (!r.ok) {
        c.add(f.abs, `metrics/${f.key}: ${describeError(r.code, f.viaSymlink)} (metric skipped)`);
        return;
      }
      if (r.problem !== null) c.add(f.abs, r.problem);
      out.push(...r.metrics);
    });
    return out;
  }

  private async readRegistryNow(): Promise<RegisteredModel[]> {
    const dir = path.join(this.root, 'models');
    const c = this.book.collector();
    const reg = await readRegistry(this.io, dir, c);
    this.book.set(`${dir}#registry`, c.list);
    return reg;
  }

  // ---- refresh ---------------------------------------------------------------------------------

  private plan(changedPaths: readonly string[]): Plan {
    const plan: Plan = { top: false, registry: false, exps: new Map() };
    const expPlan = (id: string): ExpPlan => expPlanOf(plan, id);
    for (const raw of changedPaths) {
      const abs = path.resolve(raw);
      const rel = path.relative(this.root, abs);
      if (rel.startsWith('..') || path.isAbsolute(rel)) {
        // An ancestor of the store (e.g. the project folder moved back): everything may have changed.
        const up = path.relative(abs, this.root);
        if (!up.startsWith('..') && !path.isAbsolute(up)) {
          plan.top = true;
          plan.registry = true;
          for (const id of this.exps.keys()) expPlan(id).full = true;
        }
        continue;
      }
      const parts = rel === '' ? [] : rel.split(path.sep);
      if (parts[0] === '.trash') {
        parts.shift();
        if (parts.length === 0) {
          plan.top = true;
          continue;
        }
      } else if (parts.length === 0) {
        plan.top = true;
        plan.registry = true;
        continue;
      } else if (parts[0] === 'models') {
        plan.registry = true;
        continue;
      }
      const id = parts[0] as string;
      if (id.startsWith('.')) continue;
      const ep = expPlan(id);
      if (parts.length === 1) {
        ep.full = true;
        continue;
      }
      const second = parts[1] as string;
      if (second === 'meta.yaml' || second === 'tags') ep.meta = true;
      else if (second === 'datasets') {
        if (parts.length >= 3) ep.datasets.add(parts[2] as string);
        else ep.allDatasets = true;
      } else if (second === 'models') {
        if (parts.length >= 3) ep.models.add(parts[2] as string);
        else ep.modelsList = true;
      } else if (second === 'traces' || second.startsWith('.')) {
        continue;
      } else if (parts.length >= 2) {
        const rp = runPlanOf(ep, second);
        if (parts.length === 2) {
          rp.full = true;
          continue;
        }
        switch (parts[2]) {
          case 'meta.yaml':
            rp.meta = true;
            break;
          case 'params':
            rp.params = true;
            break;
          case 'tags':
            rp.tags = true;
            break;
          case 'inputs':
            rp.inputs = true;
            break;
          case 'outputs':
            rp.outputs = true;
            break;
          case 'metrics':
            if (parts.length === 3) rp.metricsList = true;
            else rp.metricKeys.add(parts.slice(3).join('/'));
            break;
          default:
            // artifacts/ and unknown files do not change the run record.
            break;
        }
      }
    }
    return plan;
  }

  private async doRefresh(changedPaths: readonly string[]): Promise<StoreChange> {
    const ch = new ChangeBuilder();
    const plan = this.plan(changedPaths);
    if (plan.top) {
      const located = await this.locateExperiments();
      const fullOf = (id: string) => {
        expPlanOf(plan, id).full = true;
      };
      for (const [id, loc] of located) {
        const known = this.exps.get(id);
        if (!known || known.dir !== loc.dir) fullOf(id);
      }
      for (const id of this.exps.keys()) if (!located.has(id)) fullOf(id);
    }
    for (const [id, ep] of plan.exps) await this.refreshExperiment(id, ep, ch);
    if (plan.registry) {
      this.registry = await this.readRegistryNow();
      ch.registry = this.registry;
    }
    return ch.build();
  }

  private async refreshExperiment(id: string, ep: ExpPlan, ch: ChangeBuilder): Promise<void> {
    const loc = await this.locateOne(id);
    const known = this.exps.get(id);
    this.noteShadowedTrash(id, loc !== null && !loc.trashed && (await isDir(this.io, path.join(this.root, '.trash', id))));
    if (loc === null) {
      if (known) this.dropExperiment(known, ch, true);
      this.book.clearUnder(path.join(this.root, id));
      this.book.clearUnder(path.join(this.root, '.trash', id));
      return;
    }
    if (!known || known.dir !== loc.dir || ep.full) {
      await this.rereadExperiment(id, loc, known, ch);
      return;
    }
    if (ep.meta) {
      const fresh = await this.readExperimentAt(id, loc);
      if (fresh === null) {
        this.dropExperiment(known, ch, false);
        return;
      }
      known.exp = fresh.exp;
      ch.experiments.set(id, fresh.exp);
    }
    if (ep.allDatasets || ep.datasets.size > 0) {
      for (const ds of ep.datasets) {
        known.datasets.delete(ds);
        this.book.clear(path.join(known.dir, 'datasets', ds, 'meta.yaml'));
      }
      if (ep.allDatasets) known.datasets.clear();
      for (const runId of known.runIds) {
        const r = this.runs.get(runId);
        if (!r) continue;
        if (ep.allDatasets || r.datasetRefs.some((d) => ep.datasets.has(d))) {
          runPlanOf(ep, r.runId).inputs = true;
        }
      }
    }
    if (ep.modelsList) {
      const c = this.book.collector();
      const names = new Set(await this.listModelFolders(known, c));
      this.book.set(`${known.dir}#models`, c.list);
      for (const mid of [...known.modelIds]) if (!names.has(mid)) ep.models.add(mid);
      for (const n of names) if (!known.modelIds.has(n)) ep.models.add(n);
    }
    for (const name of ep.models) await this.refreshModel(known, name, ch);
    await runPool([...ep.runs.entries()], SMALL_CONCURRENCY, ([name, rp]) => this.refreshRun(known, name, rp, ch));
  }

  /** Forgets an experiment and everything in it (reported as removed). */
  private dropExperiment(exp: ExpEntry, ch: ChangeBuilder, clearMeta: boolean): void {
    this.exps.delete(exp.id);
    ch.removedExperiments.add(exp.id);
    for (const runId of exp.runIds) {
      const r = this.runs.get(runId);
      if (r && r.exp.id === exp.id) {
        this.runs.delete(runId);
        this.hotRuns.delete(r);
        this.book.clearUnder(runDir(r));
        ch.removedRuns.add(runId);
      }
    }
    for (const mid of exp.modelIds) {
      const m = this.models.get(mid);
      if (m && m.expId === exp.id) {
        this.models.delete(mid);
        this.book.clearUnder(m.dir);
        ch.removedModels.add(mid);
      }
    }
    this.book.clear(`${exp.dir}#list`);
    this.book.clear(`${exp.dir}#models`);
    if (clearMeta) this.book.clearUnder(exp.dir);
  }

  private async rereadExperiment(id: string, loc: Location, known: ExpEntry | undefined, ch: ChangeBuilder): Promise<void> {
    if (known) {
      this.dropExperiment(known, ch, true);
      ch.removedExperiments.add(id);
    }
    const fresh = await this.readExperimentAt(id, loc);
    if (fresh === null) return;
    this.exps.set(id, fresh);
    ch.experiments.set(id, fresh.exp);
    const children = await this.listExperimentChildren(fresh);
    // Possibly thousands of runs (an experiment restored from .trash): cached cold.
    await runPool(children.runs, RUN_CONCURRENCY, async (name) => {
      const r = await this.readRunFull(fresh, name);
      if (r && this.addRun(fresh, name, r.datasetRefs, null)) ch.runs.set(name, r.run);
    });
    await runPool(children.models, SMALL_CONCURRENCY, async (name) => {
      const m = await this.readLoggedModel(fresh, name);
      if (m) {
        this.addModel(fresh, m);
        ch.models.set(m.modelId, m.model);
      }
    });
  }

  private async refreshModel(exp: ExpEntry, name: string, ch: ChangeBuilder): Promise<void> {
    const known = this.models.get(name);
    const m = await this.readLoggedModel(exp, name);
    if (m === null) {
      if (known && known.expId === exp.id) {
        this.models.delete(name);
        exp.modelIds.delete(name);
        ch.removedModels.add(name);
      }
      return;
    }
    this.addModel(exp, m);
    ch.models.set(m.modelId, m.model);
  }

  private async refreshRun(exp: ExpEntry, name: string, rp: RunPlan, ch: ChangeBuilder): Promise<void> {
    const dir = path.join(exp.dir, name);
    const known = this.runs.get(name);
    const entry = known && known.exp.dir === exp.dir ? known : undefined;
    const hot = entry?.hot ?? null;
    const touched = rp.meta || rp.params || rp.tags || rp.inputs || rp.outputs || rp.metricsList || rp.metricKeys.size > 0;
    // Only paths that do not feed the record (artifacts/): nothing to re-read for a known run.
    if (entry && !touched && !rp.full) return;
    // A cold run has no state to update: re-read whole (what a fresh load would read), kept hot.
    if (!entry || hot === null || rp.full || !(await isDir(this.io, dir))) {
      if (entry) this.forgetRun(entry);
      const fresh = await this.readRunFull(exp, name);
      if (fresh === null) {
        if (entry) ch.removedRuns.add(name);
        return;
      }
      const { datasetRefs, ...state } = fresh;
      if (this.addRun(exp, name, datasetRefs, state)) ch.runs.set(name, fresh.run);
      return;
    }
    this.touchHot(entry);
    if (rp.meta) {
      const meta = await this.readRunMeta(dir, exp, name);
      if (meta === null) {
        this.forgetRun(entry);
        ch.removedRuns.add(name);
        for (const part of ['params', 'tags', 'metrics', 'inputs', 'outputs', 'dup']) this.book.clear(`${dir}#${part}`);
        this.book.clearUnder(path.join(dir, 'metrics'));
        return;
      }
      hot.meta = meta;
    }
    let { params, tags, metrics, inputs, outputs } = hot.run;
    let changed = rp.meta || rp.params || rp.tags || rp.inputs || rp.outputs;
    const jobs: Promise<void>[] = [];
    if (rp.params) jobs.push(this.readRunKeys(dir, 'params', 'param').then((v) => void (params = v)));
    if (rp.tags) jobs.push(this.readRunKeys(dir, 'tags', 'tag').then((v) => void (tags = v)));
    if (rp.inputs) {
      jobs.push(
        this.readInputs(exp, dir).then((v) => {
          inputs = { datasets: v.datasets, models: v.models };
          entry.datasetRefs = v.refs;
        }),
      );
    }
    if (rp.outputs) jobs.push(this.readOutputs(dir).then((v) => void (outputs = { models: v })));
    const metricsTouched = rp.metricsList || rp.metricKeys.size > 0;
    if (metricsTouched) {
      jobs.push(
        (async () => {
          let status = rp.metricsList
            ? METRICS_RELIST
            : await this.readRunMetrics(dir, hot.metricStates, true, [...rp.metricKeys]);
          if (status & METRICS_RELIST) status |= await this.readRunMetrics(dir, hot.metricStates, true, null);
          if (status & METRICS_CHANGED) {
            changed = true;
            metrics = sortedMetrics(hot.metricStates);
          }
        })(),
      );
    }
    await Promise.all(jobs);
    if (!changed) return;
    hot.run = assembleRun(name, hot.meta, { params, tags, metrics, inputs, outputs });
    ch.runs.set(name, hot.run);
  }
}

function expPlanOf(plan: Plan, id: string): ExpPlan {
  let p = plan.exps.get(id);
  if (!p) {
    p = {
      full: false,
      meta: false,
      datasets: new Set(),
      allDatasets: false,
      modelsList: false,
      models: new Set(),
      runs: new Map(),
    };
    plan.exps.set(id, p);
  }
  return p;
}

function runPlanOf(ep: ExpPlan, name: string): RunPlan {
  let rp = ep.runs.get(name);
  if (!rp) {
    rp = {
      full: false,
      meta: false,
      params: false,
      tags: false,
      inputs: false,
      outputs: false,
      metricsList: false,
      metricKeys: new Set(),
    };
    ep.runs.set(name, rp);
  }
  return rp;
}

/** What the helper thread needs to read one run folder. */
export interface HelperJob {
  expId: string;
  expDir: string;
  trashed: boolean;
  name: string;
}

interface TransferRun {
  expId: string;
  run: Run;
  refs: string[];
}

export interface BatchPayload {
  runs: TransferRun[];
  /** Run folders covered (readable or not). */
  count: number;
  diagnostics: [string, Diagnostic[]][];
}

/** Messages from load-worker.ts. */
export type HelperMessage = { ready: true } | { batch: number; payload: BatchPayload } | { done: true };

const PLACEHOLDER_EXPERIMENT: Experiment = {
  experimentId: '',
  name: '',
  artifactLocation: '',
  lifecycleStage: 'active',
  creationTime: null,
  lastUpdateTime: null,
  tags: {},
};

interface Helper {
  /** Resolves once the helper is running (or could not start). */
  started: Promise<void>;
  /** Resolves with the batches delivered, once the helper is done, failed or could not start. */
  finished: Promise<Set<number>>;
  stop(): Promise<void>;
}

/**
 * Starts the helper thread. It never throws: a helper that cannot start (no worker support, the
 * module missing from a bundle) or dies just delivers fewer batches, which the caller reads itself.
 */
function startHelper(
  url: URL,
  info: StoreInfo,
  runJobs: readonly { exp: ExpEntry; name: string }[],
  counter: Int32Array,
  onBatch: (p: BatchPayload) => void,
): Helper {
  const delivered = new Set<number>();
  let worker: Worker | null = null;
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const finished = new Promise<Set<number>>((resolve) => {
    try {
      worker = new Worker(url, {
        workerData: {
          info,
          batch: BATCH,
          counter: counter.buffer,
          jobs: runJobs.map((j): HelperJob => ({ expId: j.exp.id, expDir: j.exp.dir, trashed: j.exp.trashed, name: j.name })),
        },
      });
    } catch {
      resolve(delivered);
      return;
    }
    worker.on('message', (m: HelperMessage) => {
      markStarted();
      if ('done' in m) resolve(delivered);
      else if ('batch' in m) {
        delivered.add(m.batch);
        onBatch(m.payload);
      }
    });
    worker.on('error', () => resolve(delivered));
    worker.on('exit', () => resolve(delivered));
  });
  void finished.then(markStarted);
  return {
    started,
    finished,
    stop: async () => {
      const w = worker as Worker | null;
      if (w) await w.terminate();
    },
  };
}
