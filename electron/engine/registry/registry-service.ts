// The registry writers bound to an open Engine: one writer (and one undo history) per store, the
// engine's artifact resolver for moved stores, and a re-read of exactly what was written right
// after every write, so the index shows the new state at once (the watcher confirms it later;
// format-specific: the file store re-reads the written paths, SQLite diffs on data_version).
import os from 'node:os';
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { createRegistryWriter, type RegistryWriter, type RegistryWriterOptions } from './registry-writer.ts';
import { AUDIT_TAG, REVIEW_TAG, parseAudit, parseReview, policyOf } from './review.ts';
import { listRunModels } from './run-models.ts';
import type {
  ActionResult,
  PromoteInput,
  RegisterSource,
  RegistryActionResult,
  RegistryCapability,
  RegistryReview,
  RunModels,
} from './types.ts';





export interface RegistryServiceOptions extends Omit<RegistryWriterOptions, 'resolveArtifacts'> {
  /** The user named in the audit trail when a call names none (settings, else the OS account). */
  defaultUser?: () => string | Promise<string>;
}

export class RegistryService {
  private readonly engine: Engine;
  private readonly options: RegistryServiceOptions;
  private readonly writers = new Map<string, RegistryWriter>();

  constructor(engine: Engine, options: RegistryServiceOptions = {}) {
    this.engine = engine;
    this.options = options;
  }

  /** The writer of an open store (kept per store path, with its undo history). */
  writer(storeId: string): RegistryWriter {
    const info = this.engine.storeInfo(storeId);
    const key = `${info.kind}:${info.path}`;
    let w = this.writers.get(key);
    if (!w) {
      w = createRegistryWriter(info, {
        ...this.options,
        resolveArtifacts: (uri) => this.engine.resolveRunArtifacts(storeId, { artifactUri: uri }, { includeTrash: true }),
      });
      this.writers.set(key, w);
    }
    return w;
  }

  async user(given?: string | null): Promise<string> {
    if (given && given.trim()) return given.trim();
    if (this.options.defaultUser) return this.options.defaultUser();
    try {
      return os.userInfo().username || 'unknown';
    } catch {
      return 'unknown';
    }
  }

  async capabilities(storeId?: string): Promise<RegistryCapability[]> {
    const stores = storeId ? [this.engine.storeInfo(storeId)] : this.engine.listStores();
    return Promise.all(
      stores.map(async (s) => {
        const w = this.writer(s.id);
        const cap = await w.canWrite().catch((e: unknown) => ({ canWrite: false, reason: e instanceof Error ? e.message : String(e) }));
        return { storeId: s.id, kind: s.kind, canWrite: cap.canWrite, reason: cap.reason, undo: w.peekUndo() };
      }),
    );
  }

  listRunModels(storeId: string, runId: string): Promise<RunModels> {
    return listRunModels(this.engine, storeId, runId);
  }

  async register(
    storeId: string,
    a: { runId: string; modelName: string; source: RegisterSource; description?: string | null; tags?: Record<string, string>; user?: string | null },
  ): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    return this.run(storeId, (w) => w.registerRunModel({ runId: a.runId, modelName: a.modelName, source: a.source, description: a.description, tags: a.tags, user }));
  }

  async transition(
    storeId: string,
    a: { name: string; version: number; stage: string; archiveExisting?: boolean; comment?: string | null; user?: string | null },
  ): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    return this.run(storeId, (w) => w.transitionStage({ ...a, user }));
  }

  async setAlias(storeId: string, a: { name: string; alias: string; version: number; user?: string | null }): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    return this.run(storeId, (w) => w.setAlias({ ...a, user }));
  }

  async deleteAlias(storeId: string, a: { name: string; alias: string; user?: string | null }): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    return this.run(storeId, (w) => w.deleteAlias({ ...a, user }));
  }

  async setDescription(
    storeId: string,
    a: { name: string; version?: number | null; description: string | null; user?: string | null },
  ): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    const version = a.version;
    return this.run(storeId, (w) =>
      version === undefined || version === null
        ? w.setModelDescription({ name: a.name, description: a.description, user })
        : w.setVersionDescription({ name: a.name, version, description: a.description, user }),
    );
  }

  async setTag(
    storeId: string,
    a: { name: string; version?: number | null; key: string; value: string; user?: string | null },
  ): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    const version = a.version;
    return this.run(storeId, (w) =>
      version === undefined || version === null
        ? w.setModelTag({ name: a.name, key: a.key, value: a.value, user })
        : w.setVersionTag({ name: a.name, version, key: a.key, value: a.value, user }),
    );
  }

  async deleteTag(storeId: string, a: { name: string; version?: number | null; key: string; user?: string | null }): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    const version = a.version;
    return this.run(storeId, (w) =>
      version === undefined || version === null
        ? w.deleteModelTag({ name: a.name, key: a.key, user })
        : w.deleteVersionTag({ name: a.name, version, key: a.key, user }),
    );
  }

  async deleteVersion(storeId: string, a: { name: string; version: number; comment?: string | null; user?: string | null }): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    return this.run(storeId, (w) => w.deleteVersion({ ...a, user }));
  }

  async requestTransition(
    storeId: string,
    a: { name: string; version: number; stage: string; archiveExisting?: boolean; comment?: string | null; user?: string | null },
  ): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    return this.run(storeId, (w) => w.requestTransition({ ...a, user }));
  }

  async approve(
    storeId: string,
    a: { name: string; version: number; requestId: number; comment?: string | null; user?: string | null },
  ): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    return this.run(storeId, (w) => w.approveRequest({ ...a, user }));
  }

  async reject(
    storeId: string,
    a: { name: string; version: number; requestId: number; comment?: string | null; user?: string | null },
  ): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    return this.run(storeId, (w) => w.rejectRequest({ ...a, user }));
  }

  /** `runsight promote`: see RegistryWriter.promote. */
  async promote(storeId: string, a: Omit<PromoteInput, 'user'> & { user?: string | null }): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    return this.run(storeId, (w) => w.promote({ ...a, user }));
  }

  async undo(storeId: string, a: { user?: string | null } = {}): Promise<RegistryActionResult> {
    const user = await this.user(a.user);
    return this.run(storeId, (w) => w.undoLast({ user }));
  }

  /** Review requests, audit trails and the approval policy of one model, parsed from its tags. */
  review(storeId: string, name: string): RegistryReview {
    this.engine.storeInfo(storeId);
    const model = this.engine.index.getRegisteredModel({ storeId, name });
    if (!model) throw new EngineError('NOT_FOUND', `Registered model "${name}" not found`);
    return {
      storeId,
      name,
      policy: policyOf(model.tags),
      audit: parseAudit(model.tags[AUDIT_TAG]),
      versions: model.versions
        .filter((v) => v.currentStage !== 'Deleted_Internal')
        .map((v) => {
          const review = parseReview(v.tags[REVIEW_TAG]);
          return { version: v.version, stage: v.currentStage, requests: review.requests, requestsOmitted: review.omitted, audit: parseAudit(v.tags[AUDIT_TAG]) };
        }),
    };
  }

  private async run(storeId: string, fn: (w: RegistryWriter) => Promise<ActionResult & { requestId?: number; createdModel?: boolean }>): Promise<RegistryActionResult> {
    const w = this.writer(storeId);
    let r: ActionResult & { requestId?: number; createdModel?: boolean };
    try {
      r = await fn(w);
    } catch (e) {
      // A file-store action that failed halfway may have written something: show it.
      const partial = (e as { changedPaths?: unknown }).changedPaths;
      if (Array.isArray(partial) && partial.length > 0) await this.engine.refreshPaths(storeId, partial as string[]).catch(() => undefined);
      throw e;
    }
    await this.engine.refreshPaths(storeId, r.changedPaths);
    const found = this.engine.index.getRegisteredModel({ storeId, name: r.name });
    const out: RegistryActionResult = {
      storeId,
      action: r.action,
      summary: r.summary,
      name: r.name,
      version: r.version,
      undo: r.undo,
      model: found ? { ...found, storeId } : null,
    };
    if (r.requestId !== undefined) out.requestId = r.requestId;
    if (r.createdModel !== undefined) out.createdModel = r.createdModel;
    return out;
  }
}
