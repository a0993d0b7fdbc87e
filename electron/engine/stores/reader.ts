// The interface both on-disk formats implement (mlflow-file/, mlflow-sqlite/). The index and the
// watcher only ever talk to this, so a third format (e.g. a read-only copy of a remote server)
// would slot in without touching them.
import type {
  Diagnostic,
  Experiment,
  LoggedModel,
  MetricPoint,
  RegisteredModel,
  Run,
  StoreInfo,
  StoreSnapshot,
} from '../model.ts';

export interface LoadOptions {
  /** Called as work is done; `total` may grow while folders are discovered. */
  onProgress?: (done: number, total: number) => void;
  /** Lets a long first load give the event loop back (queries stay responsive). */
  signal?: AbortSignal;
  /**
   * Streaming: when given, a reader that supports it hands runs over in batches as they are read
   * and leaves them out of the snapshot it returns, so a big store's Run objects never all exist
   * at once (the engine indexes each batch). Readers without streaming ignore it and return every
   * run in the snapshot: callers must index both.
   */
  onRuns?: (runs: Run[]) => void;
  /**
   * Streaming: called once, before the first `onRuns`, with the store's experiments and how many
   * run folders each holds (the runs not read yet), so the engine can index the experiments and
   * the app can open on one while its runs stream in. Readers without streaming never call it.
   */
  onExperiments?: (experiments: Experiment[], runFolders: ReadonlyMap<string, number>) => void;
}

/**
 * What changed since the previous load/refresh. Upserts carry whole records; the index replaces
 * what it had for those ids.
 */
export interface StoreChange {
  experiments: Experiment[];
  removedExperimentIds: string[];
  runs: Run[];
  removedRunIds: string[];
  loggedModels: LoggedModel[];
  removedLoggedModelIds: string[];
  /** The whole registry when anything in it changed, else null. */
  registry: RegisteredModel[] | null;
}

export function emptyChange(): StoreChange {
  return {
    experiments: [],
    removedExperimentIds: [],
    runs: [],
    removedRunIds: [],
    loggedModels: [],
    removedLoggedModelIds: [],
    registry: null,
  };
}

export function isEmptyChange(c: StoreChange): boolean {
  return (
    c.experiments.length === 0 &&
    c.removedExperimentIds.length === 0 &&
    c.runs.length === 0 &&
    c.removedRunIds.length === 0 &&
    c.loggedModels.length === 0 &&
    c.removedLoggedModelIds.length === 0 &&
    c.registry === null
  );
}

/**
 * A reader that can start from a persisted snapshot (engine/snapshot/) instead of reading the
 * whole store. `capture` (after a load) returns what it needs to take back and the records it goes
 * with; `restore` takes them back and answers what to refresh so that the result equals a cold
 * load: the paths that changed since (for `refresh`), and the runs of the snapshot it does not know
 * any more (`indexedRuns`: the run ids the snapshot's runs put in the index).
 */
export interface WarmStart {
  capture(readStarted: number, signal?: AbortSignal): Promise<{ state: unknown; records: WarmRecords }>;
  restore(state: unknown, records: WarmRecords, indexedRuns: Iterable<string>): Promise<{ changedPaths: string[]; goneRunIds: string[] }>;
}

/** What a snapshot keeps of a store besides its runs. */
export interface WarmRecords {
  experiments: Experiment[];
  loggedModels: LoggedModel[];
  registry: RegisteredModel[];
}

export interface StoreReader {
  readonly info: StoreInfo;
  /** Present when the reader supports warm starts from a persisted snapshot. */
  readonly warm?: WarmStart;
  /** Full read of the store. Never throws for bad content: problems become diagnostics. */
  load(options?: LoadOptions): Promise<StoreSnapshot>;
  /**
   * Re-read what changed. `changedPaths` are absolute paths reported by the watcher (the file
   * store maps them to experiments/runs/metric files; the SQLite store may ignore them and diff).
   */
  refresh(changedPaths: readonly string[]): Promise<StoreChange>;
  /** Full history of one metric of one run, in logging order (file store: file order). */
  getMetricHistory(runId: string, key: string): Promise<MetricPoint[]>;
  /** Every problem currently known for this store (replaces the previous list). */
  diagnostics(): Diagnostic[];
  close(): Promise<void>;
}
