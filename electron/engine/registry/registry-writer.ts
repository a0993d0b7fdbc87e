// The registry actions, written once against RegistryTx and run inside one transaction per action:
// SQLite → one BEGIN IMMEDIATE transaction; file store → ordered atomic file writes (file-tx.ts).
// Every action:
//   - validates its input with MLflow's rules before touching anything (rules.ts);
//   - records each write with the value it replaced, so that undoLast() can restore it — after
//     checking that nobody changed those values since (else WRITE_CONFLICT, nothing written);
//   - appends an audit entry to the version (or model) it touched, in the same transaction
//     (review.ts; the audit itself is never undone: undo appends an `undo` entry);
//   - bumps last_updated of the version (when MLflow does) and of the registered model.
// Writes to one store are serialised inside this process; between processes the store's own
// mechanism decides (SQLite locks; version-folder renames in the file store).
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { EngineError } from '../errors.ts';
import type { ArtifactLocation, StoreInfo } from '../model.ts';
import { asWriteError, nodeFs, type RegistryFs } from './atomic-fs.ts';
import { FileRegistryTx } from './file-tx.ts';
import { pyJsonDumps, type PyJson } from './py-json.ts';
import {
  AUDIT_TAG,
  MODEL_AUDIT_LIMIT,
  POLICY_PRODUCTION_APPROVAL_TAG,
  REVIEW_TAG,
  VERSION_AUDIT_LIMIT,
  appendAudit,
  encodeReview,
  isManagedTag,
  nextRequestId,
  parseReview,
  policyOf,
} from './review.ts';
import {
  COMMENT_LIMIT,
  DESCRIPTION_LIMIT,
  STAGE_ARCHIVED,
  STAGE_DELETED,
  STAGE_NONE,
  canonicalStage,
  checkAlias,
  checkArchiveExisting,
  checkModelName,
  checkTagKey,
  checkTagValue,
  checkText,
  checkUser,
  checkVersion,
  invalid,
  normalizeArtifactPath,
  notFound,
  type Stage,
} from './rules.ts';
import { DEFAULT_BUSY_TIMEOUT_MS, unknownRevision, withSqliteTransaction } from './sqlite-tx.ts';
import { KNOWN_REVISIONS } from '../stores/mlflow-sqlite/schema.ts';
import { DatabaseSync } from 'node:sqlite';
import type {
  ActionResult,
  ArtifactResolve,
  AuditEntry,
  ModelRecord,
  PromoteInput,
  RegisterInput,
  RegistryActionKind,
  RegistryChange,
  RegistryTx,
  TransitionInput,
  UndoEntry,
  VersionFields,
  VersionRecord,
  WriteCapability,
  WriteHooks,
} from './types.ts';

/** What MLflow's SqlAlchemyStore writes into a deleted version's row (format doc 3.4). */
const REDACTED = { source: 'REDACTED-SOURCE-PATH', runId: 'REDACTED-RUN-ID', runLink: 'REDACTED-RUN-LINK' } as const;
const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';
const PROMPT_TAG = 'mlflow.prompt.is_prompt';
/** LoggedModelStatus.READY (format doc 1.3). */
const LOGGED_MODEL_READY = 2;
const LOGGED_MODEL_STATUS: Record<number, string> = { 0: 'UNSPECIFIED', 1: 'PENDING', 2: 'READY', 3: 'FAILED' };

export interface RegistryWriterOptions {
  /** File-store I/O; tests inject read-only and failing file systems here. */
  fs?: RegistryFs;
  hooks?: WriteHooks;
  /** Clock in epoch ms (default Date.now). */
  now?: () => number;
  /** SQLite: how long to wait for another connection's write lock (default 5 s). */
  busyTimeoutMs?: number;
  /** Where a run's recorded artifact URI is on this machine (the engine re-bases moved stores). */
  resolveArtifacts?: ArtifactResolve;
  /** How many actions undo remembers (default 20). */
  undoDepth?: number;
}

export interface RegisterResult extends ActionResult {
  version: number;
  createdModel: boolean;
}

export interface RequestResult extends ActionResult {
  version: number;
  requestId: number;
}

export interface RegistryWriter {
  readonly store: StoreInfo;
  canWrite(): Promise<WriteCapability>;
  registerRunModel(input: RegisterInput): Promise<RegisterResult>;
  transitionStage(input: TransitionInput): Promise<ActionResult>;
  setAlias(input: { name: string; alias: string; version: number; user: string }): Promise<ActionResult>;
  deleteAlias(input: { name: string; alias: string; user: string }): Promise<ActionResult>;
  setModelDescription(input: { name: string; description: string | null; user: string }): Promise<ActionResult>;
  setVersionDescription(input: { name: string; version: number; description: string | null; user: string }): Promise<ActionResult>;
  setModelTag(input: { name: string; key: string; value: string; user: string }): Promise<ActionResult>;
  deleteModelTag(input: { name: string; key: string; user: string }): Promise<ActionResult>;
  setVersionTag(input: { name: string; version: number; key: string; value: string; user: string }): Promise<ActionResult>;
  deleteVersionTag(input: { name: string; version: number; key: string; user: string }): Promise<ActionResult>;
  deleteVersion(input: { name: string; version: number; user: string; comment?: string | null }): Promise<ActionResult>;
  requestTransition(input: TransitionInput): Promise<RequestResult>;
  approveRequest(input: { name: string; version: number; requestId: number; user: string; comment?: string | null }): Promise<ActionResult>;
  rejectRequest(input: { name: string; version: number; requestId: number; user: string; comment?: string | null }): Promise<ActionResult>;
  /**
   * A gated promotion in one transaction: register the candidate run's model when asked, move the
   * stage / set the alias / request the transition, and append a `promote` audit entry with the
   * gates — after checking that the incumbent the gates compared against is still the same
   * (else WRITE_CONFLICT, nothing written). `apply: false` records a failed decision only.
   */
  promote(input: PromoteInput): Promise<ActionResult & { version: number; requestId?: number; createdModel?: boolean }>;
  /** The action undoLast() would revert, or null. */
  peekUndo(): { action: RegistryActionKind; summary: string } | null;
  undoLast(input: { user: string }): Promise<ActionResult>;
}

export function createRegistryWriter(store: StoreInfo, options: RegistryWriterOptions = {}): RegistryWriter {
  return new Writer(store, options);
}

// ---- the per-store half: probing, locking, transactions -------------------------------------------

interface TxResult<T> {
  value: T;
  changedPaths: string[];
}

interface Backend {
  probe(): Promise<WriteCapability>;
  transact<T>(fn: (tx: RegistryTx) => Promise<T>): Promise<TxResult<T>>;
}

/** One queue per store path: two writers of this process never interleave their writes. */
const storeLocks = new Map<string, Promise<void>>();

async function withStoreLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = storeLocks.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => {
    release = r;
  });
  const tail = previous.then(() => mine);
  storeLocks.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (storeLocks.get(key) === tail) storeLocks.delete(key);
  }
}

function readOnlyReason(e: unknown, what: string): string | null {
  const code = e && typeof e === 'object' && 'code' in e ? String(e.code) : '';
  if (code === 'EROFS') return `${what} is on a read-only file system`;
  if (code === 'EACCES' || code === 'EPERM') return `${what} is not writable for this user (${code})`;
  if (code === 'ENOENT') return `${what} does not exist`;
  return null;
}

class FileBackend implements Backend {
  private readonly store: StoreInfo;
  private readonly fs: RegistryFs;
  private readonly hooks: WriteHooks;

  constructor(store: StoreInfo, fs: RegistryFs, hooks: WriteHooks) {
    this.store = store;
    this.fs = fs;
    this.hooks = hooks;
  }

  async probe(): Promise<WriteCapability> {
    const models = path.join(this.store.path, 'models');
    const target = (await this.fs.exists(models)) ? models : this.store.path;
    try {
      await this.fs.accessWrite(target);
      return { canWrite: true, reason: null };
    } catch (e) {
      const why = readOnlyReason(e, `The store folder ${target}`);
      if (why) return { canWrite: false, reason: `${why}: registry changes cannot be saved` };
      throw e;
    }
  }

  async transact<T>(fn: (tx: RegistryTx) => Promise<T>): Promise<TxResult<T>> {
    return withStoreLock(this.store.path, async () => {
      const cap = await this.probe();
      if (!cap.canWrite) throw new EngineError('READ_ONLY', cap.reason ?? 'The store is read-only');
      const tx = new FileRegistryTx(this.store, this.fs, this.hooks);
      try {
        const value = await fn(tx);
        await tx.commit();
        return { value, changedPaths: tx.changedPaths };
      } catch (e) {
        // Whatever was written stays valid on its own; refresh the model's meta.yaml (timestamp,
        // alias snapshot) so it matches, if the file system still lets us.
        if (tx.changedPaths.length > 0) await tx.commit().catch(() => undefined);
        const err = asWriteError(e, this.store.path);
        if (err instanceof Error) (err as Error & { changedPaths?: string[] }).changedPaths = tx.changedPaths;
        throw err;
      }
    });
  }
}

class SqliteBackend implements Backend {
  private readonly store: StoreInfo;
  private readonly fs: RegistryFs;
  private readonly busyTimeoutMs: number;

  constructor(store: StoreInfo, fs: RegistryFs, busyTimeoutMs: number) {
    this.store = store;
    this.fs = fs;
    this.busyTimeoutMs = busyTimeoutMs;
  }

  async probe(): Promise<WriteCapability> {
    const file = this.store.path;
    if (!(await this.fs.exists(file))) return { canWrite: false, reason: `The database ${file} does not exist` };
    // SQLite needs the file and its folder (for the rollback journal) to be writable.
    for (const [p, what] of [
      [file, `The database ${file}`],
      [path.dirname(file), `The folder of ${path.basename(file)}`],
    ] as const) {
      try {
        await this.fs.accessWrite(p);
      } catch (e) {
        const why = readOnlyReason(e, what);
        if (why) return { canWrite: false, reason: `${why}: registry changes cannot be saved` };
        throw e;
      }
    }
    const revision = readRevision(file);
    if (revision.ok && (revision.value === null || !KNOWN_REVISIONS.includes(revision.value))) {
      return { canWrite: false, reason: unknownRevision(file, revision.value).message };
    }
    return { canWrite: true, reason: null };
  }

  async transact<T>(fn: (tx: RegistryTx) => Promise<T>): Promise<TxResult<T>> {
    return withStoreLock(this.store.path, async () => {
      const cap = await this.probe();
      if (!cap.canWrite) throw new EngineError('READ_ONLY', cap.reason ?? 'The database is read-only');
      const value = await withSqliteTransaction(this.store.path, this.busyTimeoutMs, fn);
      return { value, changedPaths: [this.store.path] };
    });
  }
}

/** alembic_version, read without a write lock; `ok: false` when the read itself failed (e.g. locked). */
function readRevision(file: string): { ok: true; value: string | null } | { ok: false } {
  let db: DatabaseSync | null = null;
  try {
    db = new DatabaseSync(file, { readOnly: true });
    db.exec('PRAGMA busy_timeout = 1000');
    const row = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").get();
    if (!row) return { ok: true, value: null };
    const r = db.prepare('SELECT version_num FROM alembic_version LIMIT 1').get() as { version_num?: unknown } | undefined;
    return { ok: true, value: typeof r?.version_num === 'string' ? r.version_num : null };
  } catch {
    return { ok: false };
  } finally {
    db?.close();
  }
}

// ---- recording writes (for undo) and audit entries ----------------------------------------------------

type AuditDraft = Omit<AuditEntry, 'at' | 'user'>;

class Recorder {
  readonly changes: RegistryChange[] = [];
  private readonly audits = new Map<string, { name: string; version: number | null; entries: AuditEntry[] }>();
  private readonly tx: RegistryTx;
  private readonly at: number;
  private readonly user: string;

  constructor(tx: RegistryTx, at: number, user: string) {
    this.tx = tx;
    this.at = at;
    this.user = user;
  }

  audit(name: string, version: number | null, draft: AuditDraft): void {
    const key = `${version ?? ''}\u0000${name}`;
    const slot = this.audits.get(key) ?? { name, version, entries: [] };
    slot.entries.push(auditEntry(this.at, this.user, draft));
    this.audits.set(key, slot);
  }

  /** Forgets the entries for a model that no longer exists (an undone registration). */
  dropAudits(name: string): void {
    for (const [k, slot] of this.audits) if (slot.name === name) this.audits.delete(k);
  }

  /** Appends the collected entries to each target's audit tag (one write per version/model). */
  async flushAudits(): Promise<void> {
    const versionsByModel = new Map<string, VersionRecord[]>();
    for (const slot of this.audits.values()) {
      if (slot.version === null) {
        const model = await this.tx.getModel(slot.name);
        if (!model) continue;
        await this.tx.setModelTag(slot.name, AUDIT_TAG, appendAudit(model.tags[AUDIT_TAG], slot.entries, MODEL_AUDIT_LIMIT));
      } else {
        let versions = versionsByModel.get(slot.name);
        if (!versions) {
          versions = await this.tx.getVersions(slot.name);
          versionsByModel.set(slot.name, versions);
        }
        const v = versions.find((x) => x.version === slot.version);
        if (!v) continue;
        await this.tx.setVersionTag(slot.name, v.version, AUDIT_TAG, appendAudit(v.tags[AUDIT_TAG], slot.entries, VERSION_AUDIT_LIMIT));
      }
    }
  }

  async createModel(name: string, description: string | null): Promise<boolean> {
    const created = await this.tx.createModel({ name, creationTimestamp: this.at, description });
    if (created) this.changes.push({ kind: 'model-created', name });
    return created;
  }

  async createVersion(name: string, fields: VersionFields, tags: Record<string, string>): Promise<number> {
    const version = await this.tx.createVersion(name, fields, tags);
    this.changes.push({ kind: 'version-created', name, version });
    return version;
  }

  async modelDescription(model: ModelRecord, after: string | null): Promise<void> {
    await this.tx.setModelDescription(model.name, after);
    this.changes.push({ kind: 'model-description', name: model.name, before: model.description, after });
  }

  async modelTag(model: ModelRecord, key: string, after: string | null): Promise<void> {
    await this.tx.setModelTag(model.name, key, after);
    this.changes.push({ kind: 'model-tag', name: model.name, key, before: model.tags[key] ?? null, after });
  }

  async alias(name: string, alias: string, before: number | null, after: number | null): Promise<void> {
    await this.tx.setAlias(name, alias, after);
    this.changes.push({ kind: 'alias', name, alias, before, after });
  }

  /** Timestamps are set but not recorded: undo stamps its own time instead of restoring old ones. */
  async versionFields(v: VersionRecord, patch: Partial<VersionFields>): Promise<void> {
    await this.tx.updateVersion(v.name, v.version, patch);
    const before: Partial<VersionFields> = {};
    const after: Partial<VersionFields> = {};
    for (const [k, value] of Object.entries(patch) as [keyof VersionFields, never][]) {
      if (k === 'lastUpdatedTimestamp' || k === 'creationTimestamp') continue;
      before[k] = v[k] as never;
      after[k] = value;
    }
    this.changes.push({ kind: 'version-fields', name: v.name, version: v.version, before, after });
  }

  async versionTag(v: VersionRecord, key: string, after: string | null): Promise<void> {
    await this.tx.setVersionTag(v.name, v.version, key, after);
    this.changes.push({ kind: 'version-tag', name: v.name, version: v.version, key, before: v.tags[key] ?? null, after });
  }

  async loggedModelTag(modelId: string, key: string, before: string | null, after: string | null): Promise<void> {
    await this.tx.setLoggedModelTag(modelId, key, after);
    this.changes.push({ kind: 'logged-model-tag', modelId, key, before, after });
  }
}

function auditEntry(at: number, user: string, d: AuditDraft): AuditEntry {
  const e: AuditEntry = { at, user, action: d.action };
  // Only the fields that say something, in a stable order.
  for (const k of ['from', 'to', 'alias', 'key', 'request', 'otherVersion', 'version', 'source', 'undoOf', 'decision', 'outcome', 'against', 'gates', 'comment'] as const) {
    const v = d[k];
    if (v !== undefined && v !== null && v !== '') (e as unknown as Record<string, unknown>)[k] = v;
  }
  return e;
}

function isNoop(c: RegistryChange): boolean {
  switch (c.kind) {
    case 'model-created':
    case 'version-created':
      return false;
    case 'version-fields':
      return Object.keys(c.after).every((k) => c.before[k as keyof VersionFields] === c.after[k as keyof VersionFields]);
    default:
      return c.before === c.after;
  }
}

// ---- the actions ----------------------------------------------------------------------------------------

interface ActionOutcome<E> {
  summary: string;
  name: string;
  version: number | null;
  extra?: E;
}

class UndoConflict extends EngineError {}

class Writer implements RegistryWriter {
  readonly store: StoreInfo;
  private readonly backend: Backend;
  private readonly now: () => number;
  private readonly fs: RegistryFs;
  private readonly resolveArtifacts: ArtifactResolve;
  private readonly undoDepth: number;
  private readonly undoStack: UndoEntry[] = [];

  constructor(store: StoreInfo, options: RegistryWriterOptions) {
    this.store = store;
    this.fs = options.fs ?? nodeFs;
    this.now = options.now ?? Date.now;
    this.undoDepth = options.undoDepth ?? 20;
    this.resolveArtifacts = options.resolveArtifacts ?? resolveRecordedUri;
    this.backend =
      store.kind === 'file'
        ? new FileBackend(store, this.fs, options.hooks ?? {})
        : new SqliteBackend(store, this.fs, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  }

  canWrite(): Promise<WriteCapability> {
    return this.backend.probe();
  }

  peekUndo(): { action: RegistryActionKind; summary: string } | null {
    const last = this.undoStack[this.undoStack.length - 1];
    return last ? { action: last.action, summary: last.summary } : null;
  }

  private async act<E extends object = object>(
    action: RegistryActionKind,
    user: string,
    fn: (tx: RegistryTx, rec: Recorder, at: number) => Promise<ActionOutcome<E>>,
    undoable = true,
  ): Promise<ActionResult & E> {
    checkUser(user);
    const { value, changedPaths } = await this.backend.transact(async (tx) => {
      const at = this.now();
      const rec = new Recorder(tx, at, user.trim());
      const outcome = await fn(tx, rec, at);
      await rec.flushAudits();
      return { outcome, changes: rec.changes };
    });
    const { outcome } = value;
    const changes = value.changes.filter((c) => !isNoop(c));
    let undo: ActionResult['undo'] = null;
    if (undoable && changes.length > 0) {
      this.undoStack.push({ action, summary: outcome.summary, name: outcome.name, changes });
      if (this.undoStack.length > this.undoDepth) this.undoStack.shift();
      undo = { summary: `Undo: ${outcome.summary}` };
    }
    const base: ActionResult = { action, summary: outcome.summary, name: outcome.name, version: outcome.version, changedPaths, undo };
    return { ...base, ...(outcome.extra as E) };
  }

  // -- register --

  async registerRunModel(input: RegisterInput): Promise<RegisterResult> {
    checkModelName(input.modelName, this.store.kind);
    checkText('Description', input.description, DESCRIPTION_LIMIT);
    const tags = input.tags ?? {};
    for (const [k, v] of Object.entries(tags)) {
      checkTagKey(k);
      checkTagValue(k, v);
      if (isManagedTag(k)) throw invalid(`Tag "${k}" is managed by Runsight and cannot be set directly`);
    }
    const artifactPath = input.source.kind === 'artifact' ? normalizeArtifactPath(input.source.artifactPath) : null;
    const r = await this.act<{ createdModel: boolean }>('register', input.user, (tx, rec, at) => this.registerInTx(tx, rec, at, input, artifactPath));
    return { ...r, version: r.version as number };
  }

  /** The registration itself, inside an action's transaction (register, and promote --run). */
  private async registerInTx(
    tx: RegistryTx,
    rec: Recorder,
    at: number,
    input: RegisterInput,
    artifactPath: string | null,
  ): Promise<ActionOutcome<{ createdModel: boolean }> & { version: number }> {
    const source = input.source;
    const name = input.modelName;
    const tags = input.tags ?? {};
    const run = await tx.getRun(input.runId);
    if (!run) throw notFound(`Run ${input.runId} not found in this store`);
    let src: string;
    let storage: string;
    let modelId: string | null = null;
    let runId: string | null = run.runId;
    let modelVersionsBefore: string | null = null;
    let sourceLabel: string;
    if (source.kind === 'logged-model') {
      const lm = await tx.getLoggedModel(source.modelId);
      if (!lm) throw notFound(`Logged model ${source.modelId} not found in this store`);
      if (lm.lifecycleStage === 'deleted') throw invalid(`Logged model ${lm.modelId} ("${lm.name}") is deleted and cannot be registered`);
      if (lm.status !== LOGGED_MODEL_READY) {
        const st = LOGGED_MODEL_STATUS[lm.status ?? 0] ?? String(lm.status);
        throw invalid(`Logged model ${lm.modelId} ("${lm.name}") is ${st}, not READY: only finished models can be registered`);
      }
      if (lm.sourceRunId !== run.runId && !(await tx.runHasOutput(run.runId, lm.modelId))) {
        throw invalid(`Logged model ${lm.modelId} was not produced by run ${run.runId}`);
      }
      // What MLflow 3's register_model('models:/<id>') records (format doc 2.12; fixture v1/v2).
      src = `models:/${lm.modelId}`;
      storage = lm.artifactLocation;
      modelId = lm.modelId;
      runId = lm.sourceRunId ?? run.runId;
      modelVersionsBefore = lm.modelVersionsTag;
      sourceLabel = `logged model ${lm.modelId}`;
    } else {
      const rel = artifactPath as string;
      await this.checkArtifactModel(run.runId, run.artifactUri, rel);
      // `runs:/<run>/<path>` resolved as MLflow does: the run's artifact URI + the path
      // (fixture kitchen-classifier v3, file:// in the file store, a plain path in SQLite).
      src = `${run.artifactUri.replace(/\/+$/, '')}/${rel}`;
      storage = src;
      sourceLabel = `artifacts/${rel} of run ${run.runId}`;
    }
    const existing = await tx.getModel(name);
    if (existing && (existing.tags[PROMPT_TAG] ?? '').toLowerCase() === 'true') {
      throw invalid(`"${name}" is a prompt in MLflow's prompt registry, not a model: choose another name`);
    }
    const createdModel = existing ? false : await rec.createModel(name, null);
    const fields: VersionFields = {
      creationTimestamp: at,
      lastUpdatedTimestamp: at,
      currentStage: STAGE_NONE,
      description: input.description ?? null,
      userId: null,
      source: src,
      runId,
      runLink: null,
      status: 'READY',
      statusMessage: null,
      storageLocation: storage,
      modelId,
    };
    // The first audit entry travels inside the new version (no separate write).
    const audit = appendAudit(undefined, [auditEntry(at, input.user.trim(), { action: 'register', to: STAGE_NONE, source: src })], VERSION_AUDIT_LIMIT);
    const version = await rec.createVersion(name, fields, { ...tags, [AUDIT_TAG]: audit });
    await tx.touchModel(name, at);
    if (modelId !== null) {
      // MLflow appends {"name", "version"} to the logged model's mlflow.modelVersions (format doc 1.4).
      const next = appendModelVersion(modelVersionsBefore, name, version);
      if (next !== null) await rec.loggedModelTag(modelId, MODEL_VERSIONS_TAG, modelVersionsBefore, next);
    }
    return {
      summary: `Registered ${name} version ${version} from ${sourceLabel}${createdModel ? ' (new model)' : ''}`,
      name,
      version,
      extra: { createdModel },
    };
  }

  private async checkArtifactModel(runId: string, artifactUri: string, rel: string): Promise<void> {
    const loc: ArtifactLocation = await this.resolveArtifacts(artifactUri);
    if (!loc.available) throw invalid(`Cannot check run ${runId}'s artifacts for a model: ${loc.reason}`);
    const mlmodel = path.join(loc.localPath, ...rel.split('/'), 'MLmodel');
    if (!(await this.fs.exists(mlmodel))) {
      throw invalid(`Run ${runId} has no MLflow model at artifacts/${rel} (no MLmodel file there)`);
    }
  }

  // -- stages --

  async transitionStage(input: TransitionInput): Promise<ActionResult> {
    const stage = canonicalStage(input.stage);
    const archive = input.archiveExisting === true;
    checkArchiveExisting(stage, archive);
    checkVersion(input.version);
    checkText('Comment', input.comment, COMMENT_LIMIT);
    return this.act('transition', input.user, async (tx, rec, at) => {
      const { model, versions } = await loadModel(tx, input.name);
      const v = liveVersion(versions, input.name, input.version);
      if (stage === 'Production' && policyOf(model.tags).productionRequiresApproval) {
        const approved = parseReview(v.tags[REVIEW_TAG]).requests.some((r) => r.status === 'approved' && r.stage === 'Production');
        if (!approved) {
          throw invalid(
            `Moving ${input.name} v${input.version} to Production needs an approved transition request ` +
              `(model policy ${POLICY_PRODUCTION_APPROVAL_TAG} = true): request the transition and have a reviewer approve it`,
          );
        }
      }
      const archived = await transition(tx, rec, versions, v, stage, archive, at, { action: 'transition', comment: input.comment ?? undefined });
      return { summary: transitionSummary(input.name, v, stage, archived), name: input.name, version: v.version };
    });
  }

  // -- aliases --

  async setAlias(input: { name: string; alias: string; version: number; user: string }): Promise<ActionResult> {
    checkAlias(input.alias);
    checkVersion(input.version);
    return this.act('set_alias', input.user, async (tx, rec, at) => {
      const { model, versions } = await loadModel(tx, input.name);
      const v = liveVersion(versions, input.name, input.version);
      const before = model.aliases[input.alias] ?? null;
      // One write: an alias names one version per model, so setting it moves it (format doc 2.12).
      await rec.alias(input.name, input.alias, before, v.version);
      await tx.touchModel(input.name, at);
      const moved = before !== null && before !== v.version;
      rec.audit(input.name, v.version, { action: 'set_alias', alias: input.alias, otherVersion: moved ? before : undefined });
      if (moved && versions.some((x) => x.version === before)) {
        rec.audit(input.name, before, { action: 'move_alias', alias: input.alias, otherVersion: v.version });
      }
      const summary =
        before === v.version
          ? `Alias @${input.alias} already on ${input.name} v${v.version}`
          : moved
            ? `Moved alias @${input.alias} of ${input.name} from v${before} to v${v.version}`
            : `Set alias @${input.alias} on ${input.name} v${v.version}`;
      return { summary, name: input.name, version: v.version };
    });
  }

  async deleteAlias(input: { name: string; alias: string; user: string }): Promise<ActionResult> {
    checkAlias(input.alias);
    return this.act('delete_alias', input.user, async (tx, rec, at) => {
      const { model, versions } = await loadModel(tx, input.name);
      const before = model.aliases[input.alias];
      if (before === undefined) throw notFound(`${input.name} has no alias @${input.alias}`);
      await rec.alias(input.name, input.alias, before, null);
      await tx.touchModel(input.name, at);
      if (versions.some((x) => x.version === before)) rec.audit(input.name, before, { action: 'delete_alias', alias: input.alias });
      return { summary: `Removed alias @${input.alias} from ${input.name} v${before}`, name: input.name, version: before };
    });
  }

  // -- descriptions and tags --

  async setModelDescription(input: { name: string; description: string | null; user: string }): Promise<ActionResult> {
    checkText('Description', input.description, DESCRIPTION_LIMIT);
    return this.act('set_description', input.user, async (tx, rec, at) => {
      const { model } = await loadModel(tx, input.name);
      await rec.modelDescription(model, input.description);
      await tx.touchModel(input.name, at);
      rec.audit(input.name, null, { action: 'set_description' });
      return { summary: `Updated the description of ${input.name}`, name: input.name, version: null };
    });
  }

  async setVersionDescription(input: { name: string; version: number; description: string | null; user: string }): Promise<ActionResult> {
    checkText('Description', input.description, DESCRIPTION_LIMIT);
    checkVersion(input.version);
    return this.act('set_description', input.user, async (tx, rec, at) => {
      const { versions } = await loadModel(tx, input.name);
      const v = liveVersion(versions, input.name, input.version);
      // update_model_version bumps the version's timestamp (mlflow/store/model_registry/*_store.py).
      await rec.versionFields(v, { description: input.description, lastUpdatedTimestamp: at });
      await tx.touchModel(input.name, at);
      rec.audit(input.name, v.version, { action: 'set_description' });
      return { summary: `Updated the description of ${input.name} v${v.version}`, name: input.name, version: v.version };
    });
  }

  async setModelTag(input: { name: string; key: string; value: string; user: string }): Promise<ActionResult> {
    checkUserTag(input.key, input.value);
    return this.act('set_tag', input.user, async (tx, rec, at) => {
      const { model } = await loadModel(tx, input.name);
      await rec.modelTag(model, input.key, input.value);
      await tx.touchModel(input.name, at);
      rec.audit(input.name, null, { action: 'set_tag', key: input.key });
      return { summary: `Set tag ${input.key} on ${input.name}`, name: input.name, version: null };
    });
  }

  async deleteModelTag(input: { name: string; key: string; user: string }): Promise<ActionResult> {
    checkUserTag(input.key, null);
    return this.act('delete_tag', input.user, async (tx, rec, at) => {
      const { model } = await loadModel(tx, input.name);
      if (!(input.key in model.tags)) throw notFound(`${input.name} has no tag ${input.key}`);
      await rec.modelTag(model, input.key, null);
      await tx.touchModel(input.name, at);
      rec.audit(input.name, null, { action: 'delete_tag', key: input.key });
      return { summary: `Removed tag ${input.key} from ${input.name}`, name: input.name, version: null };
    });
  }

  async setVersionTag(input: { name: string; version: number; key: string; value: string; user: string }): Promise<ActionResult> {
    checkUserTag(input.key, input.value);
    checkVersion(input.version);
    return this.act('set_tag', input.user, async (tx, rec, at) => {
      const { versions } = await loadModel(tx, input.name);
      const v = liveVersion(versions, input.name, input.version);
      await rec.versionTag(v, input.key, input.value);
      await tx.touchModel(input.name, at);
      rec.audit(input.name, v.version, { action: 'set_tag', key: input.key });
      return { summary: `Set tag ${input.key} on ${input.name} v${v.version}`, name: input.name, version: v.version };
    });
  }

  async deleteVersionTag(input: { name: string; version: number; key: string; user: string }): Promise<ActionResult> {
    checkUserTag(input.key, null);
    checkVersion(input.version);
    return this.act('delete_tag', input.user, async (tx, rec, at) => {
      const { versions } = await loadModel(tx, input.name);
      const v = liveVersion(versions, input.name, input.version);
      if (!(input.key in v.tags)) throw notFound(`${input.name} v${v.version} has no tag ${input.key}`);
      await rec.versionTag(v, input.key, null);
      await tx.touchModel(input.name, at);
      rec.audit(input.name, v.version, { action: 'delete_tag', key: input.key });
      return { summary: `Removed tag ${input.key} from ${input.name} v${v.version}`, name: input.name, version: v.version };
    });
  }

  // -- delete --

  async deleteVersion(input: { name: string; version: number; user: string; comment?: string | null }): Promise<ActionResult> {
    checkVersion(input.version);
    checkText('Comment', input.comment, COMMENT_LIMIT);
    return this.act('delete_version', input.user, async (tx, rec, at) => {
      const { model, versions } = await loadModel(tx, input.name);
      const v = liveVersion(versions, input.name, input.version);
      await softDelete(tx, rec, model, v, at);
      rec.audit(input.name, v.version, { action: 'delete_version', from: v.currentStage, to: STAGE_DELETED, comment: input.comment ?? undefined });
      return { summary: `Deleted ${input.name} v${v.version}`, name: input.name, version: v.version };
    });
  }

  // -- review flow --

  async requestTransition(input: TransitionInput): Promise<RequestResult> {
    const stage = canonicalStage(input.stage);
    const archive = input.archiveExisting === true;
    checkArchiveExisting(stage, archive);
    checkVersion(input.version);
    checkText('Comment', input.comment, COMMENT_LIMIT);
    const r = await this.act<{ requestId: number }>('request_transition', input.user, async (tx, rec, at) => {
      const { versions } = await loadModel(tx, input.name);
      const v = liveVersion(versions, input.name, input.version);
      if (v.currentStage === stage) throw invalid(`${input.name} v${v.version} is already in ${stage}`);
      const review = parseReview(v.tags[REVIEW_TAG]);
      const open = review.requests.find((q) => q.status === 'pending' && q.stage === stage);
      if (open) throw invalid(`A request to move ${input.name} v${v.version} to ${stage} is already pending (#${open.id} by ${open.requestedBy})`);
      const id = nextRequestId(review);
      review.requests.push({
        id,
        stage,
        archiveExisting: archive,
        requestedBy: input.user.trim(),
        requestedAt: at,
        comment: input.comment ?? null,
        status: 'pending',
        decidedBy: null,
        decidedAt: null,
        decisionComment: null,
      });
      await rec.versionTag(v, REVIEW_TAG, encodeReview(review));
      await tx.touchModel(input.name, at);
      rec.audit(input.name, v.version, { action: 'request_transition', from: v.currentStage, to: stage, request: id, comment: input.comment ?? undefined });
      return {
        summary: `Requested moving ${input.name} v${v.version} to ${stage} (request #${id})`,
        name: input.name,
        version: v.version,
        extra: { requestId: id },
      };
    });
    return { ...r, version: r.version as number };
  }

  async approveRequest(input: { name: string; version: number; requestId: number; user: string; comment?: string | null }): Promise<ActionResult> {
    checkVersion(input.version);
    checkText('Comment', input.comment, COMMENT_LIMIT);
    return this.act('approve_transition', input.user, async (tx, rec, at) => {
      const { versions } = await loadModel(tx, input.name);
      const v = liveVersion(versions, input.name, input.version);
      const review = parseReview(v.tags[REVIEW_TAG]);
      const req = pendingRequest(review.requests, input.name, v.version, input.requestId);
      req.status = 'approved';
      req.decidedBy = input.user.trim();
      req.decidedAt = at;
      req.decisionComment = input.comment ?? null;
      await rec.versionTag(v, REVIEW_TAG, encodeReview(review));
      const stage = canonicalStage(req.stage);
      const archived = await transition(tx, rec, versions, v, stage, req.archiveExisting && stage !== STAGE_NONE && stage !== STAGE_ARCHIVED, at, {
        action: 'approve_transition',
        request: req.id,
        comment: input.comment ?? undefined,
      });
      return {
        summary: `Approved request #${req.id}: ${transitionSummary(input.name, v, stage, archived)}`,
        name: input.name,
        version: v.version,
      };
    });
  }

  async rejectRequest(input: { name: string; version: number; requestId: number; user: string; comment?: string | null }): Promise<ActionResult> {
    checkVersion(input.version);
    checkText('Comment', input.comment, COMMENT_LIMIT);
    return this.act('reject_transition', input.user, async (tx, rec, at) => {
      const { versions } = await loadModel(tx, input.name);
      const v = liveVersion(versions, input.name, input.version);
      const review = parseReview(v.tags[REVIEW_TAG]);
      const req = pendingRequest(review.requests, input.name, v.version, input.requestId);
      req.status = 'rejected';
      req.decidedBy = input.user.trim();
      req.decidedAt = at;
      req.decisionComment = input.comment ?? null;
      await rec.versionTag(v, REVIEW_TAG, encodeReview(review));
      await tx.touchModel(input.name, at);
      rec.audit(input.name, v.version, { action: 'reject_transition', to: req.stage, request: req.id, comment: input.comment ?? undefined });
      return { summary: `Rejected request #${req.id} to move ${input.name} v${v.version} to ${req.stage}`, name: input.name, version: v.version };
    });
  }

  // -- gated promotion (runsight promote) --

  async promote(input: PromoteInput): Promise<ActionResult & { version: number; requestId?: number; createdModel?: boolean }> {
    checkModelName(input.name, this.store.kind);
    checkText('Comment', input.comment, COMMENT_LIMIT);
    const target = input.target;
    let stage: Stage | null = null;
    if ('stage' in target) {
      stage = canonicalStage(target.stage);
      checkArchiveExisting(stage, target.archiveExisting === true);
    } else {
      checkAlias(target.alias);
      if (input.requestApproval) throw invalid('The review flow requests stage transitions: --require-approval goes with --stage, not --alias');
    }
    const candidate = input.candidate;
    if ('version' in candidate) checkVersion(candidate.version);
    if (!('version' in candidate) && !input.apply) throw invalid('A failed decision is recorded on an existing version only');
    const artifactPath =
      'register' in candidate && candidate.register.source.kind === 'artifact' ? normalizeArtifactPath(candidate.register.source.artifactPath) : null;
    const r = await this.act<{ requestId?: number; createdModel?: boolean }>('promote', input.user, async (tx, rec, at) => {
      const parts: string[] = [];
      let version: number;
      let createdModel: boolean | undefined;
      if ('register' in candidate) {
        const reg = await this.registerInTx(tx, rec, at, { ...candidate.register, modelName: input.name, user: input.user }, artifactPath);
        version = reg.version;
        createdModel = reg.extra?.createdModel;
        parts.push(reg.summary);
      } else {
        version = candidate.version;
      }
      const { model, versions } = await loadModel(tx, input.name);
      const v = liveVersion(versions, input.name, version);
      if (input.against) await checkIncumbent(model, versions, input.against);
      let requestId: number | undefined;
      let outcome: AuditEntry['outcome'] = 'not_applied';
      if (input.apply && stage !== null) {
        const archive = 'stage' in target && target.archiveExisting === true;
        if (input.requestApproval) {
          if (v.currentStage === stage) throw invalid(`${input.name} v${v.version} is already in ${stage}`);
          const review = parseReview(v.tags[REVIEW_TAG]);
          const open = review.requests.find((q) => q.status === 'pending' && q.stage === stage);
          if (open) throw invalid(`A request to move ${input.name} v${v.version} to ${stage} is already pending (#${open.id} by ${open.requestedBy})`);
          requestId = nextRequestId(review);
          review.requests.push({
            id: requestId,
            stage,
            archiveExisting: archive,
            requestedBy: input.user.trim(),
            requestedAt: at,
            comment: input.comment ?? null,
            status: 'pending',
            decidedBy: null,
            decidedAt: null,
            decisionComment: null,
          });
          await rec.versionTag(v, REVIEW_TAG, encodeReview(review));
          await tx.touchModel(input.name, at);
          rec.audit(input.name, v.version, { action: 'request_transition', from: v.currentStage, to: stage, request: requestId, comment: input.comment ?? undefined });
          parts.push(`Requested moving ${input.name} v${v.version} to ${stage} (request #${requestId})`);
          outcome = 'requested';
        } else {
          if (stage === 'Production' && policyOf(model.tags).productionRequiresApproval) {
            const approved = parseReview(v.tags[REVIEW_TAG]).requests.some((q) => q.status === 'approved' && q.stage === 'Production');
            if (!approved) {
              throw invalid(
                `Moving ${input.name} v${v.version} to Production needs an approved transition request (model policy ${POLICY_PRODUCTION_APPROVAL_TAG} = true): use --require-approval`,
              );
            }
          }
          const archived = await transition(tx, rec, versions, v, stage, archive, at, { action: 'transition', comment: input.comment ?? undefined });
          parts.push(transitionSummary(input.name, v, stage, archived));
          outcome = 'applied';
        }
      } else if (input.apply && 'alias' in target) {
        const before = model.aliases[target.alias] ?? null;
        await rec.alias(input.name, target.alias, before, v.version);
        await tx.touchModel(input.name, at);
        const moved = before !== null && before !== v.version;
        rec.audit(input.name, v.version, { action: 'set_alias', alias: target.alias, otherVersion: moved ? before : undefined });
        if (moved && versions.some((x) => x.version === before)) rec.audit(input.name, before, { action: 'move_alias', alias: target.alias, otherVersion: v.version });
        parts.push(
          before === v.version
            ? `Alias @${target.alias} already on ${input.name} v${v.version}`
            : moved
              ? `Moved alias @${target.alias} of ${input.name} from v${before} to v${v.version}`
              : `Set alias @${target.alias} on ${input.name} v${v.version}`,
        );
        outcome = 'applied';
      } else {
        // A failed decision on record: the version's audit tag is the only write.
        await tx.touchModel(input.name, at);
      }
      rec.audit(input.name, v.version, {
        action: 'promote',
        to: stage ?? undefined,
        alias: 'alias' in target ? target.alias : undefined,
        decision: input.decision,
        outcome,
        against: input.against ? `${input.against.ref} (v${input.against.version})` : undefined,
        gates: input.gates,
        comment: input.comment ?? undefined,
      });
      const verdict = `Promotion gates ${input.decision} for ${input.name} v${v.version}`;
      return {
        summary: parts.length > 0 ? `${verdict}: ${parts.join('; ')}` : `${verdict} (recorded, nothing changed)`,
        name: input.name,
        version: v.version,
        extra: { requestId, createdModel },
      };
    });
    return { ...r, version: r.version as number };
  }

  // -- undo --

  async undoLast(input: { user: string }): Promise<ActionResult> {
    const entry = this.undoStack.pop();
    if (!entry) throw invalid('Nothing to undo: no registry change was made here since the app started');
    try {
      return await this.act(
        'undo',
        input.user,
        async (tx, rec, at) => {
          await applyUndo(tx, rec, entry, at);
          return { summary: `Undid: ${entry.summary}`, name: entry.name, version: null };
        },
        false,
      );
    } catch (e) {
      // A store that changed meanwhile makes this undo impossible for good; anything else
      // (locked database, permissions) may pass on a retry, so the entry stays available.
      if (!(e instanceof UndoConflict)) this.undoStack.push(entry);
      throw e;
    }
  }
}

// ---- action helpers ---------------------------------------------------------------------------------------

async function loadModel(tx: RegistryTx, name: string): Promise<{ model: ModelRecord; versions: VersionRecord[] }> {
  if (typeof name !== 'string' || name === '') throw invalid('A registered model name is required');
  const model = await tx.getModel(name);
  if (!model) throw notFound(`Registered model "${name}" not found`);
  return { model, versions: await tx.getVersions(name) };
}

/** MLflow treats Deleted_Internal versions as absent ("Model Version … not found"). */
function liveVersion(versions: VersionRecord[], name: string, version: number): VersionRecord {
  const v = versions.find((x) => x.version === version);
  if (!v || v.currentStage === STAGE_DELETED) throw notFound(`Model version ${name} v${version} not found`);
  return v;
}

function pendingRequest(requests: ReturnType<typeof parseReview>['requests'], name: string, version: number, id: number) {
  const req = requests.find((r) => r.id === id);
  if (!req) throw notFound(`${name} v${version} has no transition request #${id}`);
  if (req.status !== 'pending') throw invalid(`Request #${id} on ${name} v${version} was already ${req.status} by ${req.decidedBy ?? 'someone'}`);
  return req;
}

function checkUserTag(key: string, value: string | null): void {
  checkTagKey(key);
  if (value !== null) checkTagValue(key, value);
  if (isManagedTag(key)) throw invalid(`Tag "${key}" is managed by Runsight (audit trail / review requests) and cannot be changed directly`);
}

/**
 * transition_model_version_stage: with archive_existing_versions every *other* version in the
 * target stage becomes Archived with the same timestamp (format doc 2.12; seed-rf v2).
 */
async function transition(
  tx: RegistryTx,
  rec: Recorder,
  versions: VersionRecord[],
  v: VersionRecord,
  stage: Stage,
  archiveExisting: boolean,
  at: number,
  audit: { action: string; request?: number; comment?: string },
): Promise<number[]> {
  const archived: number[] = [];
  if (archiveExisting) {
    for (const other of versions) {
      if (other.version === v.version || other.currentStage !== stage) continue;
      await rec.versionFields(other, { currentStage: STAGE_ARCHIVED, lastUpdatedTimestamp: at });
      rec.audit(v.name, other.version, { action: 'transition', from: other.currentStage, to: STAGE_ARCHIVED, otherVersion: v.version, comment: `archived: v${v.version} moved to ${stage}` });
      archived.push(other.version);
    }
  }
  await rec.versionFields(v, { currentStage: stage, lastUpdatedTimestamp: at });
  await tx.touchModel(v.name, at);
  rec.audit(v.name, v.version, { action: audit.action, from: v.currentStage, to: stage, request: audit.request, comment: audit.comment });
  return archived;
}

/** The version `against` named when the gates were evaluated must still be the one it names now. */
async function checkIncumbent(model: ModelRecord, versions: VersionRecord[], against: { ref: string; version: number }): Promise<void> {
  const ref = against.ref;
  let now: number | null;
  if (ref.startsWith('@')) now = model.aliases[ref.slice(1)] ?? null;
  else if (/^[0-9]+$/.test(ref)) now = versions.some((x) => x.version === Number(ref) && x.currentStage !== STAGE_DELETED) ? Number(ref) : null;
  else {
    const inStage = versions.filter((x) => x.currentStage.toLowerCase() === ref.toLowerCase());
    now = inStage.length > 0 ? Math.max(...inStage.map((x) => x.version)) : null;
  }
  if (now !== against.version) {
    throw new EngineError(
      'WRITE_CONFLICT',
      `The registry changed while the gates were evaluated: ${ref} of ${model.name} is now ${now === null ? 'gone' : `v${now}`}, not v${against.version}. Nothing was changed; run again`,
    );
  }
}

function transitionSummary(name: string, v: VersionRecord, stage: string, archived: number[]): string {
  const arch = archived.length > 0 ? ` (archived ${archived.map((n) => `v${n}`).join(', ')})` : '';
  return `Moved ${name} v${v.version} from ${v.currentStage} to ${stage}${arch}`;
}

/** delete_model_version: stage Deleted_Internal, aliases removed; SQLite also scrubs (format doc 3.4). */
async function softDelete(tx: RegistryTx, rec: Recorder, model: ModelRecord, v: VersionRecord, at: number): Promise<void> {
  const patch: Partial<VersionFields> = { currentStage: STAGE_DELETED, lastUpdatedTimestamp: at };
  if (tx.scrubsDeletedVersions) {
    Object.assign(patch, { source: REDACTED.source, runId: REDACTED.runId, runLink: REDACTED.runLink, description: null, userId: null, statusMessage: null });
  }
  await rec.versionFields(v, patch);
  for (const [alias, target] of Object.entries(model.aliases)) {
    if (target === v.version) await rec.alias(model.name, alias, target, null);
  }
  await tx.touchModel(model.name, at);
}

/** `json.dumps(existing + [{"name": name, "version": version}])`, or null when the tag is not a list. */
export function appendModelVersion(existing: string | null, name: string, version: number): string | null {
  let list: PyJson[] = [];
  if (existing !== null && existing.trim() !== '') {
    try {
      const parsed = JSON.parse(existing) as unknown;
      if (!Array.isArray(parsed)) return null;
      list = parsed as PyJson[];
    } catch {
      // Not ours to repair: leave the tag as it is.
      return null;
    }
  }
  return pyJsonDumps([...list, { name, version }]);
}

/** Without the engine: the recorded URI as a local path, when it is one. */
async function resolveRecordedUri(uri: string): Promise<ArtifactLocation> {
  try {
    if (uri.startsWith('file:')) return { available: true, localPath: fileURLToPath(uri), rebased: false };
    if (path.isAbsolute(uri)) return { available: true, localPath: uri, rebased: false };
  } catch {
    // fall through
  }
  return { available: false, remote: true, reason: `Artifacts at ${uri} are not on this machine` };
}

// ---- undo ----------------------------------------------------------------------------------------------------

function conflict(entry: UndoEntry, what: string): UndoConflict {
  return new UndoConflict('WRITE_CONFLICT', `Cannot undo "${entry.summary}": ${what} changed since then. Nothing was changed.`);
}

/**
 * Checks every recorded value first (nothing is written when one changed), then restores them in
 * reverse order. A created version is deleted the MLflow way (its number stays used); a created
 * model is removed again when it holds nothing else.
 */
async function applyUndo(tx: RegistryTx, rec: Recorder, entry: UndoEntry, at: number): Promise<void> {
  const models = new Map<string, { model: ModelRecord | null; versions: VersionRecord[] }>();
  const state = async (name: string) => {
    let s = models.get(name);
    if (!s) {
      s = { model: await tx.getModel(name), versions: await tx.getVersions(name) };
      models.set(name, s);
    }
    return s;
  };
  const eq = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);

  // Pass 1: is everything still as this action left it?
  for (const c of entry.changes) {
    switch (c.kind) {
      case 'model-created': {
        const s = await state(c.name);
        if (!s.model) throw conflict(entry, `registered model "${c.name}"`);
        break;
      }
      case 'version-created': {
        // A new version that was promoted or deleted since is no longer this action's to remove.
        const s = await state(c.name);
        const v = s.versions.find((x) => x.version === c.version);
        if (!s.model || !v || v.currentStage !== STAGE_NONE) throw conflict(entry, `${c.name} v${c.version}`);
        break;
      }
      case 'model-description': {
        const s = await state(c.name);
        if (!s.model || !eq(s.model.description, c.after)) throw conflict(entry, `the description of ${c.name}`);
        break;
      }
      case 'model-tag': {
        const s = await state(c.name);
        if (!s.model || !eq(s.model.tags[c.key], c.after)) throw conflict(entry, `tag ${c.key} of ${c.name}`);
        break;
      }
      case 'alias': {
        const s = await state(c.name);
        if (!s.model || !eq(s.model.aliases[c.alias], c.after)) throw conflict(entry, `alias @${c.alias} of ${c.name}`);
        break;
      }
      case 'version-fields': {
        const v = (await state(c.name)).versions.find((x) => x.version === c.version);
        const changed = Object.keys(c.after).find((k) => !v || !eq(v[k as keyof VersionFields], c.after[k as keyof VersionFields]));
        if (changed !== undefined) throw conflict(entry, `${c.name} v${c.version} (${changed})`);
        break;
      }
      case 'version-tag': {
        const v = (await state(c.name)).versions.find((x) => x.version === c.version);
        if (!v || !eq(v.tags[c.key], c.after)) throw conflict(entry, `tag ${c.key} of ${c.name} v${c.version}`);
        break;
      }
      case 'logged-model-tag': {
        const lm = await tx.getLoggedModel(c.modelId);
        if (!lm || !eq(lm.modelVersionsTag, c.after)) throw conflict(entry, `tag ${c.key} of logged model ${c.modelId}`);
        break;
      }
    }
  }

  // Pass 2: restore, newest change first. One `undo` audit entry per version (or model) touched.
  const note = { action: 'undo', undoOf: entry.action, comment: `undid: ${entry.summary}` };
  const notes = new Map<string, { name: string; version: number | null; from?: string; to?: string }>();
  const noteOn = (name: string, version: number | null, stage?: { from?: string; to?: string }) => {
    const k = `${version ?? ''}\u0000${name}`;
    const n = notes.get(k) ?? { name, version };
    if (stage?.from !== undefined) n.from = stage.from;
    if (stage?.to !== undefined) n.to = stage.to;
    notes.set(k, n);
  };
  const created = new Set(entry.changes.filter((c) => c.kind === 'version-created').map((c) => `${c.version}\u0000${c.name}`));
  const touched = new Set<string>();
  const deletedModels = new Set<string>();
  for (const c of [...entry.changes].reverse()) {
    switch (c.kind) {
      case 'logged-model-tag':
        await tx.setLoggedModelTag(c.modelId, c.key, c.before);
        break;
      case 'version-created': {
        const s = await state(c.name);
        const v = s.versions.find((x) => x.version === c.version);
        if (v && v.currentStage !== STAGE_DELETED && s.model) {
          await softDelete(tx, rec, s.model, v, at);
          noteOn(c.name, v.version, { from: v.currentStage, to: STAGE_DELETED });
        }
        touched.add(c.name);
        break;
      }
      case 'model-created': {
        // Only remove what this action made: every version left must be one it created.
        const versions = await tx.getVersions(c.name);
        if (versions.every((v) => created.has(`${v.version}\u0000${c.name}`))) {
          await tx.deleteModel(c.name);
          deletedModels.add(c.name);
          touched.delete(c.name);
        }
        break;
      }
      case 'model-description':
        await tx.setModelDescription(c.name, c.before);
        noteOn(c.name, null);
        touched.add(c.name);
        break;
      case 'model-tag':
        await tx.setModelTag(c.name, c.key, c.before);
        noteOn(c.name, null);
        touched.add(c.name);
        break;
      case 'alias':
        await tx.setAlias(c.name, c.alias, c.before);
        for (const n of [c.before, c.after]) if (n !== null) noteOn(c.name, n);
        touched.add(c.name);
        break;
      case 'version-fields': {
        await tx.updateVersion(c.name, c.version, { ...c.before, lastUpdatedTimestamp: at });
        const stageChange = c.before.currentStage !== undefined && c.before.currentStage !== c.after.currentStage;
        noteOn(c.name, c.version, stageChange ? { from: c.after.currentStage, to: c.before.currentStage } : undefined);
        touched.add(c.name);
        break;
      }
      case 'version-tag':
        await tx.setVersionTag(c.name, c.version, c.key, c.before);
        noteOn(c.name, c.version);
        touched.add(c.name);
        break;
    }
  }
  for (const name of touched) await tx.touchModel(name, at);
  // A model this undo removed has nowhere to keep its trail.
  for (const n of notes.values()) if (!deletedModels.has(n.name)) rec.audit(n.name, n.version, { ...note, from: n.from, to: n.to });
  for (const name of deletedModels) rec.dropAudits(name);
}
