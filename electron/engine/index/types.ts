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
  /**
   * Restrict to the runs of one group of queryGroups (same `by`, same value; null = the runs
   * without the key). Typed rather than a filter clause: any value, quotes and all, matches
   * exactly, and `null` means "has no value" even for attributes, which the filter language
   * cannot say for a param named like an operator.
   */
  group?: RunGroupCondition;
}

/** Attributes runs can be grouped by (string attributes MLflow stores per run). */
export type GroupAttribute = 'status' | 'user_id' | 'run_name' | 'experiment_id';

/**
 * A column to group runs by: a param or tag key as logged (no quoting), or a string attribute.
 * Values are compared as MLflow stores them: strings, exactly ("None" is a value like any other).
 */
export type GroupKey = { entity: 'param' | 'tag'; key: string } | { entity: 'attribute'; key: GroupAttribute };

export interface RunGroupCondition {
  by: GroupKey;
  /** The group's value; null = runs that do not have the key. */
  value: string | null;
}

export type Aggregate = 'mean' | 'min' | 'max';

export interface GroupQuery {
  storeId: string;
  /** Experiments to search; an empty list means every experiment of the store. */
  experimentIds: string[];
  /** Default 'active'. */
  lifecycle?: LifecycleFilter;
  /** Applied before grouping: groups, counts and aggregates cover only the matching runs. */
  filter?: string;
  runIds?: string[];
  by: GroupKey;
  /** Metric keys (without `metrics.`) to aggregate per group. */
  metrics: string[];
  /**
   * Group order. Default: by value, ascending — decimal numbers numerically, then other text in
   * code point order, then "None" (Python's None as MLflow logs it) — so 3, 5, 10, None.
   * With `metric`: by that metric's `aggregate` (default mean), groups without a finite value
   * after the others. `desc` reverses either order. The "no value" group is always last.
   */
  order?: { metric?: string; aggregate?: Aggregate; desc?: boolean };
  /** Most groups returned (default 2000); `totalGroups` says how many there are. */
  limit?: number;
}

/**
 * A metric over one group's runs. Only finite values are aggregated: a NaN or ±Infinity latest
 * value is counted in `nonFinite` and left out of mean, min and max (MLflow's UI lets a NaN blank
 * the whole group's value, and an infinite loss makes a mean meaningless). Runs that never logged
 * the metric count nowhere.
 */
export interface MetricAggregate {
  /** null when no run of the group has a finite value. */
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Runs whose finite value was aggregated. */
  count: number;
  /** Runs whose value is NaN or ±Infinity (not aggregated). */
  nonFinite: number;
}

export interface RunGroupSummary {
  /** The value as stored; null = the runs without the key (the "(no value)" group). */
  value: string | null;
  /** Matching runs in the group. */
  count: number;
  /** By metric key; a metric no run of the group logged is absent. */
  aggregates: Record<string, MetricAggregate>;
}

export interface GroupResult {
  groups: RunGroupSummary[];
  /** Groups before `limit`. */
  totalGroups: number;
  /** Runs matching the query (all groups). */
  total: number;
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
   * store, addSnapshotExperiments lists its experiments early, addSnapshotRuns indexes one batch of runs (queries see them at once), endSnapshot
   * writes the experiments, logged models and registry, and any runs the snapshot itself holds.
   */
  /** `expectedRuns` sizes the store's columns up front (a warm start knows it). */
  beginSnapshot(info: StoreInfo, expectedRuns?: number): void;
  addSnapshotRuns(storeId: string, runs: readonly Run[]): void;
  /** The experiments of a snapshot in parts, listed before its runs arrive. */
  addSnapshotExperiments(storeId: string, experiments: readonly Experiment[]): void;
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
  /**
   * queryRuns without the rows: the run ids of the page, in the same order. Never reads the
   * record store, so selecting a group of 50 000 runs costs milliseconds, not a row download.
   */
  queryRunIds(q: RunQuery): { runIds: string[]; total: number };
  /**
   * The matching runs grouped by a param, tag or attribute, with count and metric aggregates per
   * group (run-groups.ts). Throws QueryError for a bad filter; an unknown store gives no groups.
   */
  queryGroups(q: GroupQuery): GroupResult;
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
