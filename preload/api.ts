// THE contract between the renderer and whatever hosts the engine (Electron main over IPC, or the
// browser bridge over WebSocket). Every method takes one object argument and returns one Promise;
// every event has one payload. The preload's contextBridge API, the IPC handlers, the bridge
// server and the renderer's client are all derived from API_METHODS / API_EVENTS below, and
// `satisfies` ties those runtime lists to the types so they cannot drift.
//
// Errors cross as data (`Result`): Electron's invoke() drops custom error fields, and a
// WebSocket has no error channel at all. The renderer unwraps in one place (bridge/client.ts).
//
// Plain TypeScript with type-only imports: safe for the sandboxed preload and the web renderer.
import type {
  Aggregate,
  ExperimentSummary,
  GroupKey,
  GroupQuery,
  GroupResult,
  MetricAggregate,
  RunGroupCondition,
  RunGroupSummary,
  RunQuery,
  RunRow,
} from '../electron/engine/index/types.ts';
import type {
  ArtifactEntry,
  ArtifactLocation,
  Diagnostic,
  ErrorCode,
  IndexChangedEvent,
  IndexProgressEvent,
  LoggedModel,
  MetricPoint,
  RegisteredModel,
  Run,
  StoreInfo,
} from '../electron/engine/model.ts';
import type {
  AuditEntry,
  AuditLog,
  ModelPolicy,
  RegisterSource,
  RegistryActionKind,
  RegistryActionResult,
  RegistryCapability,
  RegistryReview,
  RunModelCandidate,
  RunModels,
  TransitionRequest,
  VersionReview,
} from '../electron/engine/registry/types.ts';
import type {
  ReportChartsConfig,
  ReportExportResult,
  ReportFormat,
  ReportPreview,
  ReportProgress,
  ReportRequest,
  ReportSection,
} from '../electron/engine/backend/report/types.ts';

export type {
  Aggregate,
  ArtifactEntry,
  ArtifactLocation,
  AuditEntry,
  AuditLog,
  Diagnostic,
  ExperimentSummary,
  GroupKey,
  GroupQuery,
  GroupResult,
  IndexChangedEvent,
  IndexProgressEvent,
  LoggedModel,
  MetricAggregate,
  MetricPoint,
  ModelPolicy,
  RegisteredModel,
  RegisterSource,
  RegistryActionKind,
  RegistryActionResult,
  RegistryCapability,
  RegistryReview,
  ReportChartsConfig,
  ReportExportResult,
  ReportFormat,
  ReportPreview,
  ReportProgress,
  ReportRequest,
  ReportSection,
  Run,
  RunGroupCondition,
  RunGroupSummary,
  RunModelCandidate,
  RunModels,
  RunQuery,
  RunRow,
  StoreInfo,
  TransitionRequest,
  VersionReview,
};

export type ApiErrorCode = ErrorCode;

export interface ApiError {
  code: ApiErrorCode;
  message: string;
  /** For filter errors: where in the input the problem is. */
  position?: number;
  length?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export type HostKind = 'electron' | 'browser';

export interface AppStatus {
  host: HostKind;
  version: string;
  project: string | null;
  stores: StoreInfo[];
  /** Increases on every index change; answers carry it so stale ones can be dropped. */
  generation: number;
  /** Stores still being read on first open. */
  indexing: IndexProgressEvent[];
  diagnosticsCount: number;
  /** The OS account name, used for the registry audit trail (changeable in settings). */
  userName: string;
}

export interface ReproducibilityInfo {
  sourceName: string | null;
  sourceType: string | null;
  gitCommit: string | null;
  gitBranch: string | null;
  gitRepoUrl: string | null;
  gitDirty: string | null;
  entryPoint: string | null;
  /** Environment files logged with the run or its models (conda.yaml, requirements.txt, ...). */
  environmentFiles: { path: string; source: 'run' | 'model'; modelId?: string }[];
  /** A copy-ready shell command that re-runs the script with the same params. */
  command: string | null;
}

export interface RunDetail {
  storeId: string;
  run: Run;
  parent: { runId: string; runName: string } | null;
  children: { runId: string; runName: string; status: string }[];
  loggedModels: LoggedModel[];
  /** MLflow 2 style models found in the run's artifacts (folders with an MLmodel file). */
  artifactModels: { path: string }[];
  reproducibility: ReproducibilityInfo;
  artifacts: ArtifactLocation;
}

export interface ArtifactContent {
  path: string;
  size: number;
  /** How the renderer should show it. */
  kind: 'text' | 'image' | 'html' | 'table' | 'binary';
  mime: string;
  /** text/html/table (csv, json table): UTF-8 text, possibly cut at maxBytes. */
  text?: string;
  /** image: a data: URL (PNG, JPEG, GIF, WebP, SVG). */
  dataUrl?: string;
  truncated: boolean;
}

export interface Api {
  getStatus(args: Record<string, never>): Promise<AppStatus>;
  /** Opens a project folder (or a store path) and indexes every store found in it. */
  openProject(args: { path: string }): Promise<{ stores: StoreInfo[]; diagnostics: Diagnostic[] }>;
  /** Native folder dialog (Electron); the browser host answers null (the UI offers a path field). */
  pickFolder(args: Record<string, never>): Promise<{ path: string | null }>;
  listRecentProjects(args: Record<string, never>): Promise<{ paths: string[] }>;
  /** The name the registry audit trail records (settings); null or blank goes back to the OS account. */
  setUserName(args: { name: string | null }): Promise<{ userName: string }>;
  listExperiments(args: { storeId?: string; lifecycle?: 'active' | 'deleted' | 'all' }): Promise<ExperimentSummary[]>;
  /**
   * One page of runs (filter, order, paging: electron/engine/index/types.ts RunQuery). `group`
   * restricts to the runs of one group of queryGroups (same `by` and value), which is how the
   * grouped runs table pages through an expanded group.
   */
  queryRuns(args: RunQuery): Promise<{ rows: RunRow[]; total: number; generation: number }>;
  /**
   * The runs matching scope + lifecycle + filter, grouped by a param, tag or string attribute:
   * per distinct value (as stored; runs without the key in the `value: null` group, last) the run
   * count and, for each requested metric, mean/min/max over the group's finite latest values
   * (NaN/±inf counted in `nonFinite`, not aggregated). Computed in the engine in one pass, so it
   * stays cheap at 100k runs. A bad filter is an INVALID_ARGUMENT error with its position, as in
   * queryRuns.
   */
  queryGroups(args: GroupQuery): Promise<GroupResult & { generation: number }>;
  /**
   * queryRuns' run ids only (same arguments, order and paging): what selecting every run of a
   * group needs, without downloading tens of thousands of rows.
   */
  queryRunIds(args: RunQuery): Promise<{ runIds: string[]; total: number; generation: number }>;
  getRun(args: { storeId: string; runId: string }): Promise<RunDetail>;
  listColumns(args: {
    storeId: string;
    experimentIds: string[];
  }): Promise<{ params: string[]; metrics: string[]; tags: string[] }>;
  getMetricHistory(args: {
    storeId: string;
    runIds: string[];
    keys: string[];
  }): Promise<Record<string, Record<string, MetricPoint[]>>>;
  listArtifacts(args: {
    storeId: string;
    runId: string;
    path?: string;
  }): Promise<{ location: ArtifactLocation; entries: ArtifactEntry[] }>;
  readArtifact(args: { storeId: string; runId: string; path: string; maxBytes?: number }): Promise<ArtifactContent>;
  listDiagnostics(args: Record<string, never>): Promise<Diagnostic[]>;
  listRegisteredModels(args: {
    storeId?: string;
    includePrompts?: boolean;
  }): Promise<(RegisteredModel & { storeId: string })[]>;

  // ---- registry writes (electron/engine/registry/README.md). `user` defaults to the settings'
  // user name, else the OS account; it is what the audit trail records. Every write returns the
  // model as re-read after it, and what undo would revert.
  /** Registers a run's model: an MLflow 3 logged model or an MLflow 2 artifact folder with an MLmodel. */
  registerModel(args: {
    storeId: string;
    runId: string;
    modelName: string;
    source: RegisterSource;
    description?: string | null;
    tags?: Record<string, string>;
    user?: string;
  }): Promise<RegistryActionResult>;
  /** None/Staging/Production/Archived (case-insensitive); archiveExisting only for Staging/Production. */
  transitionStage(args: {
    storeId: string;
    name: string;
    version: number;
    stage: string;
    archiveExisting?: boolean;
    comment?: string | null;
    user?: string;
  }): Promise<RegistryActionResult>;
  /** Sets or moves an alias (unique per model: moving it is this one call). */
  setAlias(args: { storeId: string; name: string; alias: string; version: number; user?: string }): Promise<RegistryActionResult>;
  deleteAlias(args: { storeId: string; name: string; alias: string; user?: string }): Promise<RegistryActionResult>;
  /** The registered model's description, or a version's when `version` is given. */
  updateRegistryDescription(args: {
    storeId: string;
    name: string;
    version?: number | null;
    description: string | null;
    user?: string;
  }): Promise<RegistryActionResult>;
  setRegistryTag(args: {
    storeId: string;
    name: string;
    version?: number | null;
    key: string;
    value: string;
    user?: string;
  }): Promise<RegistryActionResult>;
  deleteRegistryTag(args: { storeId: string; name: string; version?: number | null; key: string; user?: string }): Promise<RegistryActionResult>;
  /** MLflow's delete: stage Deleted_Internal (hidden), number never reused. */
  deleteModelVersion(args: { storeId: string; name: string; version: number; comment?: string | null; user?: string }): Promise<RegistryActionResult>;
  requestTransition(args: {
    storeId: string;
    name: string;
    version: number;
    stage: string;
    archiveExisting?: boolean;
    comment?: string | null;
    user?: string;
  }): Promise<RegistryActionResult>;
  /** Approves a pending request and performs its transition. */
  approveTransition(args: {
    storeId: string;
    name: string;
    version: number;
    requestId: number;
    comment?: string | null;
    user?: string;
  }): Promise<RegistryActionResult>;
  rejectTransition(args: {
    storeId: string;
    name: string;
    version: number;
    requestId: number;
    comment?: string | null;
    user?: string;
  }): Promise<RegistryActionResult>;
  /** Reverts the last registry action of this store made in this session. */
  undoRegistryAction(args: { storeId: string; user?: string }): Promise<RegistryActionResult>;
  /** Per store: can registry actions be saved (else why), and what undo would revert. */
  getRegistryCapabilities(args: { storeId?: string }): Promise<RegistryCapability[]>;
  /** The models a run can register (with a reason when there is none). */
  listRunModels(args: { storeId: string; runId: string }): Promise<RunModels>;
  /** Review requests, audit trails and approval policy of one registered model. */
  getRegistryReview(args: { storeId: string; name: string }): Promise<RegistryReview>;

  // ---- comparison reports (electron/engine/backend/report/): the document `runsight report` builds.
  /** The report's static markup for the export dialog's live preview (shown without scripts). */
  previewReport(args: ReportRequest): Promise<ReportPreview>;
  /**
   * Builds and renders the report. Where it goes is the host's choice: Electron shows its save
   * dialog and writes the file; browser mode returns the bytes for a download. `jobId` names the
   * job for reportProgress events and cancelReport.
   */
  exportReport(args: { request: ReportRequest; format: ReportFormat; jobId?: string }): Promise<ReportExportResult>;
  cancelReport(args: { jobId: string }): Promise<{ cancelled: boolean }>;
}

export type ApiMethod = keyof Api;
export type ApiArgs<M extends ApiMethod> = Parameters<Api[M]>[0];
export type ApiValue<M extends ApiMethod> = Awaited<ReturnType<Api[M]>>;

export interface ApiEvents {
  indexChanged: IndexChangedEvent;
  indexProgress: IndexProgressEvent;
  diagnosticsChanged: { count: number };
  reportProgress: ReportProgress;
}
export type ApiEvent = keyof ApiEvents;

/** Exhaustive: adding a method to Api without listing it here fails to compile. */
const METHODS = {
  getStatus: true,
  openProject: true,
  pickFolder: true,
  listRecentProjects: true,
  setUserName: true,
  listExperiments: true,
  queryRuns: true,
  queryGroups: true,
  queryRunIds: true,
  getRun: true,
  listColumns: true,
  getMetricHistory: true,
  listArtifacts: true,
  readArtifact: true,
  listDiagnostics: true,
  listRegisteredModels: true,
  registerModel: true,
  transitionStage: true,
  setAlias: true,
  deleteAlias: true,
  updateRegistryDescription: true,
  setRegistryTag: true,
  deleteRegistryTag: true,
  deleteModelVersion: true,
  requestTransition: true,
  approveTransition: true,
  rejectTransition: true,
  undoRegistryAction: true,
  getRegistryCapabilities: true,
  listRunModels: true,
  getRegistryReview: true,
  previewReport: true,
  exportReport: true,
  cancelReport: true,
} as const satisfies Record<ApiMethod, true>;
export const API_METHODS = Object.keys(METHODS) as ApiMethod[];

const EVENTS = {
  indexChanged: true,
  indexProgress: true,
  diagnosticsChanged: true,
  reportProgress: true,
} as const satisfies Record<ApiEvent, true>;
export const API_EVENTS = Object.keys(EVENTS) as ApiEvent[];

/** IPC channel names, one per method/event, namespaced so nothing else can collide. */
export const ipcChannel = (name: ApiMethod | ApiEvent): string => `runsight:${name}`;

/** What the preload exposes as `window.runsight`, and what the browser client implements too. */
export interface RunsightBridge {
  call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<Result<ApiValue<M>>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}
