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
import type { IndexChangedEvent, IndexProgressEvent } from '../electron/engine/engine.ts';
import type { ExperimentSummary, RunQuery, RunRow } from '../electron/engine/index/index.ts';
import type {
  ArtifactEntry,
  ArtifactLocation,
  Diagnostic,
  LoggedModel,
  MetricPoint,
  RegisteredModel,
  Run,
  StoreInfo,
} from '../electron/engine/model.ts';

export type {
  ArtifactEntry,
  ArtifactLocation,
  Diagnostic,
  ExperimentSummary,
  IndexChangedEvent,
  IndexProgressEvent,
  LoggedModel,
  MetricPoint,
  RegisteredModel,
  Run,
  RunQuery,
  RunRow,
  StoreInfo,
};

export type ApiErrorCode =
  | 'NOT_FOUND'
  | 'INVALID_ARGUMENT'
  | 'STORE_UNREADABLE'
  | 'WRITE_CONFLICT'
  | 'READ_ONLY'
  | 'INTERNAL';

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
  listExperiments(args: { storeId?: string; lifecycle?: 'active' | 'deleted' | 'all' }): Promise<ExperimentSummary[]>;
  queryRuns(args: RunQuery): Promise<{ rows: RunRow[]; total: number; generation: number }>;
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
}

export type ApiMethod = keyof Api;
export type ApiArgs<M extends ApiMethod> = Parameters<Api[M]>[0];
export type ApiValue<M extends ApiMethod> = Awaited<ReturnType<Api[M]>>;

export interface ApiEvents {
  indexChanged: IndexChangedEvent;
  indexProgress: IndexProgressEvent;
  diagnosticsChanged: { count: number };
}
export type ApiEvent = keyof ApiEvents;

/** Exhaustive: adding a method to Api without listing it here fails to compile. */
const METHODS = {
  getStatus: true,
  openProject: true,
  pickFolder: true,
  listRecentProjects: true,
  listExperiments: true,
  queryRuns: true,
  getRun: true,
  listColumns: true,
  getMetricHistory: true,
  listArtifacts: true,
  readArtifact: true,
  listDiagnostics: true,
  listRegisteredModels: true,
} as const satisfies Record<ApiMethod, true>;
export const API_METHODS = Object.keys(METHODS) as ApiMethod[];

const EVENTS = {
  indexChanged: true,
  indexProgress: true,
  diagnosticsChanged: true,
} as const satisfies Record<ApiEvent, true>;
export const API_EVENTS = Object.keys(EVENTS) as ApiEvent[];

/** IPC channel names, one per method/event, namespaced so nothing else can collide. */
export const ipcChannel = (name: ApiMethod | ApiEvent): string => `runsight:${name}`;

/** What the preload exposes as `window.runsight`, and what the browser client implements too. */
export interface RunsightBridge {
  call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<Result<ApiValue<M>>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}
