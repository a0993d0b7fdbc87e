// Public shapes of the run index (the UI's query API). Model types come from ../model.ts.
import type {
  Experiment,
  LifecycleStage,
  LoggedModel,
  RegisteredModel,
  Run,
  RunStatus,
  StoreInfo,
  StoreSnapshot,
} from '../model.ts';
import type { StoreChange } from '../stores/reader.ts';

export type LifecycleFilter = 'active' | 'deleted' | 'all';

export interface ExperimentSummary extends Experiment {
  storeId: string;
  runCounts: { active: number; deleted: number };
}

export type OrderByItem = string | { key: string; desc?: boolean };

export interface RunQuery {
  storeId: string;
  /** Experiments to search; an empty list means every experiment of the store. */
  experimentIds: string[];
  /** Default 'active', like MLflow's ViewType.ACTIVE_ONLY. */
  lifecycle?: LifecycleFilter;
  /** MLflow search syntax plus OR / parentheses / NOT (filter-parser.ts). Empty = no filter. */
  filter?: string;
  /** `'metrics.rmse DESC'`, `'attributes.start_time'`, `{ key: 'params.lr', desc: true }`. */
  orderBy?: OrderByItem[];
  /** Default 0. */
  offset?: number;
  /** Default 100. */
  limit?: number;
  /** Restrict to these run ids (the UI's "selected runs"); an empty list matches nothing. */
  runIds?: string[];
}

export interface LatestMetric {
  value: number;
  step: number;
  timestamp: number;
}

export interface RunRow {
  storeId: string;
  runId: string;
  experimentId: string;
  runName: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  userId: string;
  lifecycleStage: LifecycleStage;
  artifactUri: string;
  /** Tag `mlflow.parentRunId`, the only record of nesting. */
  parentRunId: string | null;
  params: Record<string, string>;
  metrics: Record<string, LatestMetric>;
  tags: Record<string, string>;
}

export interface RunIndex {
  /** Replaces everything the index holds for `snap.info.id`. */
  applySnapshot(snap: StoreSnapshot): void;
  /**
   * applySnapshot in parts, for a streaming load (LoadOptions.onRuns): beginSnapshot empties the
   * store, addSnapshotRuns indexes one batch of runs (queries see them at once), endSnapshot
   * writes the experiments, logged models and registry, and any runs the snapshot itself holds.
   */
  beginSnapshot(info: StoreInfo): void;
  addSnapshotRuns(storeId: string, runs: readonly Run[]): void;
  endSnapshot(snap: StoreSnapshot): void;
  /** Applies a reader's refresh result; the store must have been loaded with applySnapshot. */
  applyChange(storeId: string, change: StoreChange): void;
  removeStore(storeId: string): void;
  listStores(): StoreInfo[];
  /** Default lifecycle 'active'. Ordered by store, then experiment id (numeric order). */
  listExperiments(q: { storeId?: string; lifecycle?: LifecycleFilter }): ExperimentSummary[];
  /**
   * One page of runs and the number of matches. Throws QueryError for a bad filter/orderBy.
   * Semantics: run-filter.ts (filters) and run-order.ts (ordering); an unknown store gives
   * `{ rows: [], total: 0 }`.
   */
  queryRuns(q: RunQuery): { rows: RunRow[]; total: number };
  /** The run as ingested, or null. */
  getRun(q: { storeId: string; runId: string }): Run | null;
  /** Keys used by any run (any lifecycle) of the experiments; empty list = whole store. Sorted. */
  listColumns(q: { storeId: string; experimentIds: string[] }): { params: string[]; metrics: string[]; tags: string[] };
  /**
   * Logged models, oldest first. `runId` matches models whose source run it is or that the run
   * lists among its outputs. Deleted models only with includeDeleted.
   */
  listLoggedModels(q: { storeId: string; experimentId?: string; runId?: string; includeDeleted?: boolean }): LoggedModel[];
  /** Sorted by name, then store. Prompts only with includePrompts. */
  listRegisteredModels(q: { storeId?: string; includePrompts?: boolean }): (RegisteredModel & { storeId: string })[];
  /** Includes prompts. */
  getRegisteredModel(q: { storeId: string; name: string }): RegisteredModel | null;
  stats(): { stores: number; experiments: number; runs: number };
  close(): void;
}

export interface RunIndexOptions {
  /** Absolute path of sql-wasm.wasm; default: resolved from node_modules/sql.js. */
  wasmPath?: string;
  /** The wasm bytes themselves (e.g. embedded by a bundler); wins over wasmPath. */
  wasmBinary?: Uint8Array | ArrayBuffer;
}
