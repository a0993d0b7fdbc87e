// The registry actions (register, transition, alias, descriptions, tags, delete, review requests,
// promote, undo) on one store: each validates, records and audits inside one transaction (act),
// and the writer keeps the undo stack. Registering a run's model is registry-register.ts, a gated
// promotion registry-promote.ts; the steps actions share are registry-action-helpers.ts.
import type { StoreInfo } from '../model.ts';
import { nodeFs, type RegistryFs } from './atomic-fs.ts';
import { COMMENT_LIMIT, DESCRIPTION_LIMIT, STAGE_ARCHIVED, STAGE_DELETED, STAGE_NONE, canonicalStage, checkAlias, checkArchiveExisting, checkText, checkUser, checkVersion, invalid, notFound } from './rules.ts';
import { DEFAULT_BUSY_TIMEOUT_MS } from './sqlite-tx.ts';
import type { ActionResult, ArtifactResolve, PromoteInput, RegisterInput, RegistryActionKind, RegistryTx, TransitionInput, UndoEntry, WriteCapability, WriteHooks } from './types.ts';
import { FileBackend, SqliteBackend, type Backend } from './registry-backends.ts';
import { Recorder, isNoop } from './registry-recorder.ts';
import {
  checkProductionApproval,
  checkUserTag,
  decideRequest,
  liveVersion,
  loadModel,
  openRequest,
  pointAlias,
  resolveRecordedUri,
  softDelete,
  transition,
  transitionSummary,
  type ActionOutcome,
} from './registry-action-helpers.ts';
import { checkPromoteInput, promoteInTx } from './registry-promote.ts';
import { checkRegisterInput, registerInTx, type ArtifactSources } from './registry-register.ts';
import { UndoConflict, applyUndo } from './registry-undo.ts';

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

class Writer implements RegistryWriter {
  readonly store: StoreInfo;
  private readonly backend: Backend;
  private readonly now: () => number;
  private readonly sources: ArtifactSources;
  private readonly undoDepth: number;
  private readonly undoStack: UndoEntry[] = [];

  constructor(store: StoreInfo, options: RegistryWriterOptions) {
    this.store = store;
    const fs: RegistryFs = options.fs ?? nodeFs;
    this.now = options.now ?? Date.now;
    this.undoDepth = options.undoDepth ?? 20;
    this.sources = { resolveArtifacts: options.resolveArtifacts ?? resolveRecordedUri, fs };
    this.backend =
      store.kind === 'file'
        ? new FileBackend(store, fs, options.hooks ?? {})
        : new SqliteBackend(store, fs, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
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
    const artifactPath = checkRegisterInput(input, this.store.kind);
    const r = await this.act<{ createdModel: boolean }>('register', input.user, (tx, rec, at) => registerInTx(this.sources, tx, rec, at, input, artifactPath));
    return { ...r, version: r.version as number };
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
      checkProductionApproval(model, input.name, v, stage, 'request the transition and have a reviewer approve it');
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
      const summary = await pointAlias(tx, rec, input.name, model, versions, v, input.alias, at);
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
      const { id, summary } = await openRequest(tx, rec, input.name, v, { stage, archiveExisting: archive, user: input.user, comment: input.comment }, at);
      return {
        summary,
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
      const req = await decideRequest(rec, input.name, v, { requestId: input.requestId, status: 'approved', user: input.user, comment: input.comment }, at);
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
      const req = await decideRequest(rec, input.name, v, { requestId: input.requestId, status: 'rejected', user: input.user, comment: input.comment }, at);
      await tx.touchModel(input.name, at);
      rec.audit(input.name, v.version, { action: 'reject_transition', to: req.stage, request: req.id, comment: input.comment ?? undefined });
      return { summary: `Rejected request #${req.id} to move ${input.name} v${v.version} to ${req.stage}`, name: input.name, version: v.version };
    });
  }

  // -- gated promotion (runsight promote) --

  async promote(input: PromoteInput): Promise<ActionResult & { version: number; requestId?: number; createdModel?: boolean }> {
    const checked = checkPromoteInput(input, this.store.kind);
    const r = await this.act<{ requestId?: number; createdModel?: boolean }>('promote', input.user, (tx, rec, at) => promoteInTx(this.sources, tx, rec, at, input, checked));
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
