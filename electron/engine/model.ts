// The engine's plain data model: what every store reader produces and what the index ingests.
// Field names are camelCase versions of MLflow's entity fields (mlflow/entities/*.py), so that a
// reader never has to invent a concept and the dump (mlflow-dump.ts) is a mechanical rename.
//
// Invariants shared by all readers (see shared/docs/mlflow-store-format.md):
// - ids are strings, always. File-store experiment ids are 18-digit numbers that do not fit a
//   JS number (section 1.1); SQLite integer ids are read as text.
// - timestamps are integer milliseconds since the epoch, or null when MLflow has none.
// - metric values are JS numbers; NaN, ±Infinity and -0 are kept as such (the SQLite reader
//   decodes is_nan; it cannot tell +inf from DBL_MAX, and neither can MLflow).
// - metric steps are JS numbers: exact up to 2^53, which covers every step MLflow's clients log
//   in practice (the fixtures use 2^40).

export type StoreKind = 'file' | 'sqlite';

/** One MLflow store found in a project folder. */
export interface StoreInfo {
  /** Stable id within one engine: the absolute path of `path`. */
  id: string;
  kind: StoreKind;
  /** file store: the `mlruns/` folder; sqlite: the database file. */
  path: string;
  /**
   * The local folder that plays the role of the default artifact root:
   * file store: `path` itself; sqlite: `<dir of db>/mlruns` (may not exist).
   */
  artifactRoot: string;
  /** sqlite only: `alembic_version.version_num`. */
  schemaRevision?: string | null;
}

export type LifecycleStage = 'active' | 'deleted';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number | null;
  lastUpdateTime: number | null;
  tags: Record<string, string>;
}

export interface MetricPoint {
  step: number;
  timestamp: number;
  value: number;
  /** file store 5-field lines (log_metric(..., dataset=ds)); null elsewhere. */
  datasetName?: string | null;
  datasetDigest?: string | null;
}

export interface DatasetInput {
  name: string;
  digest: string;
  sourceType: string;
  /** JSON strings, as MLflow stores them. */
  source: string;
  schema: string | null;
  profile: string | null;
  /** input tags, e.g. `mlflow.data.context`. */
  tags: Record<string, string>;
}

export interface RunOutputModel {
  modelId: string;
  step: number;
}

export interface Run {
  runId: string;
  experimentId: string;
  runName: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  lifecycleStage: LifecycleStage;
  userId: string;
  artifactUri: string;
  deletedTime: number | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** The "latest" point per key: highest step, then timestamp, then value (format doc 1.5). */
  metrics: Record<string, MetricPoint>;
  inputs: { datasets: DatasetInput[]; models: string[] };
  outputs: { models: RunOutputModel[] };
}

export type LoggedModelStatus = 'UNSPECIFIED' | 'PENDING' | 'READY' | 'FAILED';

export interface LoggedModelMetric {
  key: string;
  value: number;
  step: number;
  timestamp: number;
  runId: string | null;
  datasetName: string | null;
  datasetDigest: string | null;
}

export interface LoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  artifactLocation: string;
  creationTimestamp: number | null;
  lastUpdatedTimestamp: number | null;
  modelType: string | null;
  sourceRunId: string | null;
  status: LoggedModelStatus;
  statusMessage: string | null;
  lifecycleStage: LifecycleStage;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Latest value per (key, dataset), as MLflow's get_logged_model reports them. */
  metrics: LoggedModelMetric[];
}

export type ModelStage = 'None' | 'Staging' | 'Production' | 'Archived' | 'Deleted_Internal';

export interface ModelVersion {
  name: string;
  version: number;
  creationTimestamp: number | null;
  lastUpdatedTimestamp: number | null;
  currentStage: ModelStage | string;
  description: string | null;
  userId: string | null;
  source: string | null;
  runId: string | null;
  runLink: string | null;
  status: string | null;
  statusMessage: string | null;
  storageLocation: string | null;
  /** file store only; the SQLite schema at 3.5 has no such column (null). */
  modelId: string | null;
  tags: Record<string, string>;
  /** Derived from the model's alias map (authoritative `aliases/` files or alias rows). */
  aliases: string[];
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number | null;
  lastUpdatedTimestamp: number | null;
  description: string | null;
  tags: Record<string, string>;
  /** alias -> version, from the authoritative source (not the meta.yaml snapshot). */
  aliases: Record<string, number>;
  /** `mlflow.prompt.is_prompt = true`: MLflow hides these from model lists. */
  isPrompt: boolean;
  /** All versions, including `Deleted_Internal` ones (hidden by default in views). */
  versions: ModelVersion[];
}

export interface ArtifactEntry {
  /** Path relative to the artifact root, `/`-separated. */
  path: string;
  isDir: boolean;
  /** bytes; null for folders. */
  size: number | null;
}

/** Where a recorded artifact URI points on this machine. */
export type ArtifactLocation =
  | { available: true; localPath: string; rebased: boolean }
  | { available: false; reason: string; /** a remote scheme (s3://, gs://, …), not a missing local folder */ remote: boolean };

export interface Diagnostic {
  /** StoreInfo.id, or the folder being discovered when no store applies. */
  store: string;
  /** Absolute path of the offending file or folder. */
  path: string;
  problem: string;
  /**
   * Absent: something could not be read (a problem). 'notice': everything was read, but the user
   * should know how the store is handled (e.g. a large store's finished runs are polled, not
   * watched). Notices are listed with the diagnostics but not counted as problems.
   */
  severity?: 'notice';
}

/** How many diagnostics are problems (notices excluded): the number the UI's badge shows. */
export function countProblems(diagnostics: readonly Diagnostic[]): number {
  return diagnostics.reduce((n, d) => (d.severity === 'notice' ? n : n + 1), 0);
}

/** Everything one store holds, read in one pass. */
export interface StoreSnapshot {
  info: StoreInfo;
  experiments: Experiment[];
  runs: Run[];
  /** Including deleted logged models (lifecycleStage 'deleted'); views hide them. */
  loggedModels: LoggedModel[];
  registry: RegisteredModel[];
  diagnostics: Diagnostic[];
}

// Events the engine emits (and the contract forwards to the renderer).
export interface IndexChangedEvent {
  generation: number;
  storeId: string;
  experimentIds: string[];
  runIds: string[];
  registryChanged: boolean;
}

export interface IndexProgressEvent {
  storeId: string;
  /** 'checking': a warm start's snapshot is indexed and the files are compared with it. */
  phase: 'discovering' | 'reading' | 'indexing' | 'checking' | 'ready';
  done: number;
  total: number;
  /**
   * While a store is read for the first time: run folders found per experiment id, known before
   * the runs are read (the index's run counts only grow as they arrive). Lets the app open on the
   * experiment that will hold the most runs while the store is still streaming in.
   */
  runFolders?: Record<string, number>;
}

/** The error codes that cross every boundary (engine → contract → renderer). */
export type ErrorCode = 'NOT_FOUND' | 'INVALID_ARGUMENT' | 'STORE_UNREADABLE' | 'WRITE_CONFLICT' | 'READ_ONLY' | 'INTERNAL';
