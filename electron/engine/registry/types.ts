// Shapes shared by the registry writers (file store and SQLite), the review flow, the service that
// binds them to the Engine, and the contract (preload/api.ts re-exports the public ones). Types
// only, no imports beyond model.ts: the web renderer type-checks the contract through this file.
import type { ArtifactLocation, LoggedModelStatus, RegisteredModel, StoreInfo, StoreKind } from '../model.ts';

/** Registry fields of a model version as both stores keep them (format doc 2.12 / 3.4). */
export interface VersionFields {
  creationTimestamp: number | null;
  lastUpdatedTimestamp: number | null;
  currentStage: string;
  description: string | null;
  userId: string | null;
  source: string | null;
  runId: string | null;
  runLink: string | null;
  status: string | null;
  statusMessage: string | null;
  storageLocation: string | null;
  /** File store only: SQLite at 3.5 has no such column (the SQLite transaction ignores it). */
  modelId: string | null;
}

export interface VersionRecord extends VersionFields {
  name: string;
  version: number;
  tags: Record<string, string>;
}

export interface ModelRecord {
  name: string;
  creationTimestamp: number | null;
  lastUpdatedTimestamp: number | null;
  description: string | null;
  tags: Record<string, string>;
  /** Authoritative alias map (file store: `aliases/` files, not the meta.yaml snapshot). */
  aliases: Record<string, number>;
}

export interface RunRecord {
  runId: string;
  experimentId: string;
  artifactUri: string;
  lifecycleStage: string;
}

export interface LoggedModelRecord {
  modelId: string;
  experimentId: string;
  name: string;
  artifactLocation: string;
  sourceRunId: string | null;
  /** 1 PENDING, 2 READY, 3 FAILED, 0/null unspecified (format doc 1.3). */
  status: number | null;
  lifecycleStage: string;
  /** The `mlflow.modelVersions` tag as stored, or null. */
  modelVersionsTag: string | null;
}

/**
 * The store-specific half of a registry write: reads see the current state (including this
 * transaction's own writes), writes go to disk (file store, in a crash-safe order) or into one
 * SQLite transaction. The generic actions (registry-writer.ts) are written once against this.
 */
export interface RegistryTx {
  readonly kind: StoreKind;
  /** SQLite scrubs deleted versions (REDACTED-*), the file store keeps their data (format doc 3.4). */
  readonly scrubsDeletedVersions: boolean;
  getModel(name: string): Promise<ModelRecord | null>;
  /** Every version, `Deleted_Internal` included, by version number. */
  getVersions(name: string): Promise<VersionRecord[]>;
  /** Highest version number ever used (file store: folder names, even without a readable meta.yaml). */
  maxVersion(name: string): Promise<number>;
  getRun(runId: string): Promise<RunRecord | null>;
  getLoggedModel(modelId: string): Promise<LoggedModelRecord | null>;
  /** Whether the run lists the logged model among its outputs (a model it produced but does not own). */
  runHasOutput(runId: string, modelId: string): Promise<boolean>;

  /** false when the model exists already (created meanwhile by someone else). */
  createModel(rec: { name: string; creationTimestamp: number; description: string | null }): Promise<boolean>;
  deleteModel(name: string): Promise<void>;
  setModelDescription(name: string, description: string | null): Promise<void>;
  /** Sets last_updated of the registered model (file store: meta.yaml rewritten once at commit). */
  touchModel(name: string, at: number): Promise<void>;
  /** Creates the next free version (never a reused number) and returns its number. */
  createVersion(name: string, fields: VersionFields, tags: Record<string, string>): Promise<number>;
  updateVersion(name: string, version: number, patch: Partial<VersionFields>): Promise<void>;
  /** `null` deletes. */
  setModelTag(name: string, key: string, value: string | null): Promise<void>;
  setVersionTag(name: string, version: number, key: string, value: string | null): Promise<void>;
  setAlias(name: string, alias: string, version: number | null): Promise<void>;
  setLoggedModelTag(modelId: string, key: string, value: string | null): Promise<void>;
}

export interface WriteCapability {
  canWrite: boolean;
  /** Why not, in a sentence for the UI; null when writable. */
  reason: string | null;
}

export type RegistryActionKind =
  | 'register'
  | 'transition'
  | 'set_alias'
  | 'delete_alias'
  | 'set_description'
  | 'set_tag'
  | 'delete_tag'
  | 'delete_version'
  | 'request_transition'
  | 'approve_transition'
  | 'reject_transition'
  | 'promote'
  | 'undo';

/** One recorded write, with what was there before, so that it can be undone. */
export type RegistryChange =
  | { kind: 'model-created'; name: string }
  | { kind: 'version-created'; name: string; version: number }
  | { kind: 'model-description'; name: string; before: string | null; after: string | null }
  | { kind: 'model-tag'; name: string; key: string; before: string | null; after: string | null }
  | { kind: 'alias'; name: string; alias: string; before: number | null; after: number | null }
  | {
      kind: 'version-fields';
      name: string;
      version: number;
      before: Partial<VersionFields>;
      after: Partial<VersionFields>;
    }
  | { kind: 'version-tag'; name: string; version: number; key: string; before: string | null; after: string | null }
  | { kind: 'logged-model-tag'; modelId: string; key: string; before: string | null; after: string | null };

/** What undo would revert: the action and its recorded changes. */
export interface UndoEntry {
  action: RegistryActionKind;
  summary: string;
  name: string;
  changes: RegistryChange[];
}

export interface ActionResult {
  action: RegistryActionKind;
  /** One sentence for the UI / CLI: "Registered RandomForestRegressor version 5". */
  summary: string;
  name: string;
  version: number | null;
  /** Absolute paths written (file store) or the database file (SQLite): what the engine re-reads. */
  changedPaths: string[];
  /** Present when this action can be undone (undo itself is not). */
  undo: { summary: string } | null;
}

export type RegisterSource = { kind: 'logged-model'; modelId: string } | { kind: 'artifact'; artifactPath: string };

export interface RegisterInput {
  runId: string;
  modelName: string;
  source: RegisterSource;
  description?: string | null;
  tags?: Record<string, string>;
  user: string;
}

export interface TransitionInput {
  name: string;
  version: number;
  stage: string;
  archiveExisting?: boolean;
  user: string;
  comment?: string | null;
}

/** Injected file-system hooks (tests simulate crashes and races here). */
export interface WriteHooks {
  /** Called after a temp file/folder is complete and before it is renamed into place. */
  beforeRename?: (tmp: string, target: string) => void | Promise<void>;
}

/** The writer's own view of where artifacts are (the engine re-bases moved stores, format doc 1.6). */
export type ArtifactResolve = (uri: string) => Promise<ArtifactLocation>;

/** A registered model as the service returns it after a write (fresh from the index). */
export type RegistryModelView = RegisteredModel & { storeId: string };

// ---- review flow and audit trail (stored as JSON in runsight.* tags, see README.md) ----

export interface AuditEntry {
  /** epoch ms */
  at: number;
  user: string;
  action: string;
  /** Stage before / after (transitions, requests, delete, register → None). */
  from?: string;
  to?: string;
  comment?: string;
  alias?: string;
  /** Tag key (set_tag / delete_tag). */
  key?: string;
  /** Request id (request / approve / reject). */
  request?: number;
  /** For `undo`: the action that was undone. */
  undoOf?: string;
  /** Other version involved: alias moved from/to, archived by. */
  otherVersion?: number;
  /** For model-level entries: the version concerned, if any. */
  version?: number;
  /** register: what was registered (models:/<id> or the artifact URI). */
  source?: string;
  /** promote: the gates' verdict, and whether the change was applied / requested / not made. */
  decision?: 'passed' | 'failed';
  outcome?: 'applied' | 'requested' | 'not_applied';
  /** promote: what the gates compared against (`@champion`, `Production`, `3`) and its version. */
  against?: string;
  /** promote: each gate with its observed value and threshold. */
  gates?: AuditGate[];
}

/** One promotion gate as the audit trail keeps it (README: `runsight.audit`). */
export interface AuditGate {
  /** What was checked: `metrics.val_auc >= 0.85`, `r2_score gain >= 0.01`, `mse rel. gain >= 1%`. */
  gate: string;
  /** The candidate's logged value (null: it has none); for gains the gain itself. */
  observed: number | null;
  threshold: number;
  passed: boolean;
}

/** `runsight promote`: one gated decision, written in one transaction (registry-writer.ts). */
export interface PromoteInput {
  name: string;
  user: string;
  /** An existing version, or a run whose model is registered first (in the same transaction). */
  candidate: { version: number } | { register: Omit<RegisterInput, 'user' | 'modelName'> };
  target: { stage: string; archiveExisting?: boolean } | { alias: string };
  /** Request the stage transition through the review flow instead of making it. */
  requestApproval?: boolean;
  comment?: string | null;
  /** The incumbent the gates compared against, re-checked inside the transaction. */
  against?: { ref: string; version: number } | null;
  decision: 'passed' | 'failed';
  gates: AuditGate[];
  /** false: only record the decision (a failed gate) on the candidate version. */
  apply: boolean;
}

export interface AuditLog {
  entries: AuditEntry[];
  /** Oldest entries dropped to stay under the tag size limit. */
  omitted: number;
}

export type RequestStatus = 'pending' | 'approved' | 'rejected';

export interface TransitionRequest {
  /** 1, 2, 3 … per version. */
  id: number;
  /** Target stage (canonical). */
  stage: string;
  archiveExisting: boolean;
  requestedBy: string;
  requestedAt: number;
  comment: string | null;
  status: RequestStatus;
  decidedBy: string | null;
  decidedAt: number | null;
  decisionComment: string | null;
}

export interface ModelPolicy {
  productionRequiresApproval: boolean;
}

export interface ReviewState {
  requests: TransitionRequest[];
  /** Decided requests dropped to stay under the tag size limit. */
  omitted: number;
}

// ---- what the service and the contract return ----

export interface RegistryActionResult {
  storeId: string;
  action: RegistryActionKind;
  summary: string;
  name: string;
  version: number | null;
  /** requestTransition: the new request's id. */
  requestId?: number;
  /** registerModel: whether the registered model was created by this call. */
  createdModel?: boolean;
  /** What undoRegistryAction would revert now (null after an undo). */
  undo: { summary: string } | null;
  /** The registered model as the index shows it after the write (null when it no longer exists). */
  model: RegistryModelView | null;
}

export interface RegistryCapability {
  storeId: string;
  kind: StoreInfo['kind'];
  canWrite: boolean;
  reason: string | null;
  undo: { action: RegistryActionKind; summary: string } | null;
}

export interface VersionReview {
  version: number;
  stage: string;
  requests: TransitionRequest[];
  /** Decided requests dropped to keep the tag under MLflow's size limit. */
  requestsOmitted: number;
  audit: AuditLog;
}

export interface RegistryReview {
  storeId: string;
  name: string;
  policy: ModelPolicy;
  /** Model-level actions (description, tags, policy). */
  audit: AuditLog;
  /** Live versions, oldest first. */
  versions: VersionReview[];
}

export interface RegisteredAs {
  name: string;
  version: number;
  stage: string;
}

export type RunModelCandidate =
  | {
      kind: 'logged-model';
      modelId: string;
      /** The name given to log_model (MLflow 3 also accepts it as `runs:/<run>/<name>`). */
      name: string;
      status: LoggedModelStatus;
      /** Output step recorded by the run, when it lists the model among its outputs. */
      step: number | null;
      creationTimestamp: number | null;
      /** What a new version would record as `source`. */
      source: string;
      registrable: boolean;
      /** Why it cannot be registered (not READY), else null. */
      reason: string | null;
      /** Live versions already made from it. */
      registeredAs: RegisteredAs[];
    }
  | {
      kind: 'artifact';
      /** Folder relative to the run's artifact root, `/`-separated. */
      artifactPath: string;
      name: string;
      source: string;
      registrable: true;
      reason: null;
      registeredAs: RegisteredAs[];
    };

export interface RunModels {
  storeId: string;
  runId: string;
  runName: string;
  models: RunModelCandidate[];
  /** When nothing can be registered: why, in one sentence. */
  reason: string | null;
}
