// Recording writes for undo (each write with the value it replaced) and the audit entries an
// action appends to the versions and models it touched, flushed in the same transaction.
import { AUDIT_TAG, MODEL_AUDIT_LIMIT, VERSION_AUDIT_LIMIT, appendAudit } from './review.ts';
import type { AuditEntry, ModelRecord, RegistryChange, RegistryTx, VersionFields, VersionRecord } from './types.ts';

export type AuditDraft = Omit<AuditEntry, 'at' | 'user'>;

export class Recorder {
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

export function auditEntry(at: number, user: string, d: AuditDraft): AuditEntry {
  const e: AuditEntry = { at, user, action: d.action };
  // Only the fields that say something, in a stable order.
  for (const k of ['from', 'to', 'alias', 'key', 'request', 'otherVersion', 'version', 'source', 'undoOf', 'decision', 'outcome', 'against', 'gates', 'comment'] as const) {
    const v = d[k];
    if (v !== undefined && v !== null && v !== '') (e as unknown as Record<string, unknown>)[k] = v;
  }
  return e;
}

export function isNoop(c: RegistryChange): boolean {
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
