// The registry actions (register, transition, alias, descriptions, tags, delete, review requests,
// promote, undo) on one store: each validates, records and audits inside one transaction.
import path from 'node:path';
import type { ArtifactLocation, StoreInfo } from '../model.ts';
import { nodeFs, type RegistryFs } from './atomic-fs.ts';
import { AUDIT_TAG, POLICY_PRODUCTION_APPROVAL_TAG, REVIEW_TAG, VERSION_AUDIT_LIMIT, appendAudit, encodeReview, isManagedTag, nextRequestId, parseReview, policyOf } from './review.ts';
import { COMMENT_LIMIT, DESCRIPTION_LIMIT, STAGE_ARCHIVED, STAGE_DELETED, STAGE_NONE, canonicalStage, checkAlias, checkArchiveExisting, checkModelName, checkTagKey, checkTagValue, checkText, checkUser, checkVersion, invalid, normalizeArtifactPath, notFound, type Stage } from './rules.ts';
import { DEFAULT_BUSY_TIMEOUT_MS } from './sqlite-tx.ts';
import type { ActionResult, ArtifactResolve, AuditEntry, PromoteInput, RegisterInput, RegistryActionKind, RegistryTx, TransitionInput, UndoEntry, VersionFields, WriteCapability, WriteHooks } from './types.ts';
import { FileBackend, SqliteBackend, type Backend } from './registry-backends.ts';
import { Recorder, auditEntry, isNoop } from './registry-recorder.ts';
import { appendModelVersion, checkIncumbent, checkUserTag, liveVersion, loadModel, pendingRequest, resolveRecordedUri, softDelete, transition, transitionSummary } from './registry-action-helpers.ts';
import { UndoConflict, applyUndo } from './registry-undo.ts';
/** What MLflow's SqlAlchemyStore writes into a deleted version's row (format doc 3.4). */
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

interface ActionOutcome<E> {
  summary: string;
  name: string;
  version: number | null;
  extra?: E;
}


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
