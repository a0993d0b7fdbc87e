// Shapes shared by the registry writers (file store and SQLite), the review flow, the service that
// binds them to the Engine, and the contract (preload/api.ts re-exports the public ones).
import type { ArtifactLocation, RegisteredModel, StoreKind } from '../model.ts';

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
