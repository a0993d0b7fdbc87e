// Undo: reverting the last recorded action after checking that nobody changed the values it
// would restore since (else WRITE_CONFLICT, nothing written).
import { EngineError } from '../errors.ts';
import { STAGE_DELETED, STAGE_NONE } from './rules.ts';
import type { ModelRecord, RegistryTx, UndoEntry, VersionFields, VersionRecord } from './types.ts';
import { Recorder } from './registry-recorder.ts';
import { softDelete } from './registry-action-helpers.ts';

/** An undo refused because the values it would restore were changed since (WRITE_CONFLICT). */
export class UndoConflict extends EngineError {}

function conflict(entry: UndoEntry, what: string): UndoConflict {
  return new UndoConflict('WRITE_CONFLICT', `Cannot undo "${entry.summary}": ${what} changed since then. Nothing was changed.`);
}

/**
 * Checks every recorded value first (nothing is written when one changed), then restores them in
 * reverse order. A created version is deleted the MLflow way (its number stays used); a created
 * model is removed again when it holds nothing else.
 */
export async function applyUndo(tx: RegistryTx, rec: Recorder, entry: UndoEntry, at: number): Promise<void> {
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
