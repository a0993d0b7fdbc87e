// Pure logic of the registry views: which models and versions are shown, the latest version per
// stage, board columns, what typing an alias will do, what a drop of a run should lead to, and how
// audit entries read. No React, no bridge: unit-tested in tests/renderer/registry-logic.test.ts.
import type { AuditEntry, RegisteredModel, RunModelCandidate, RunModels, TransitionRequest } from '../../../../preload/api.ts';

export type RegistryModel = RegisteredModel & { storeId: string };
export type ModelVersion = RegisteredModel['versions'][number];

/** MLflow's four user-visible stages, in board order (format doc 2.12). */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];

/** MLflow's delete: the version stays on disk with this stage and is hidden from every list. */
export const DELETED_STAGE = 'Deleted_Internal';

/** Registered-model tag of the approval rule (electron/engine/registry/README.md). */
export const POLICY_TAG = 'runsight.policy.production_requires_approval';

/** Stages whose transition can archive the versions already there (MLflow's archive_existing_versions). */
export function canArchiveExisting(stage: string): boolean {
  const s = canonicalStage(stage);
  return s === 'Staging' || s === 'Production';
}

/** MLflow accepts stages case-insensitively; anything else is shown as it is stored. */
export function canonicalStage(stage: string): string {
  const hit = STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (hit) return hit;
  return stage.toLowerCase() === DELETED_STAGE.toLowerCase() ? DELETED_STAGE : stage;
}

export function modelKey(storeId: string, name: string): string {
  return `${storeId}\u0000${name}`;
}

/** Managed by Runsight's own actions (audit trail, review requests, policy): not edited as tags. */
export function isRunsightTag(key: string): boolean {
  return key.startsWith('runsight.');
}

export function policyOn(model: Pick<RegisteredModel, 'tags'>): boolean {
  return (model.tags[POLICY_TAG] ?? '').trim().toLowerCase() === 'true';
}

/** Prompts are hidden unless asked for, as MLflow's search_registered_models does. */
export function visibleModels(models: readonly RegistryModel[], opts: { showPrompts: boolean; storeId?: string | null; search?: string }): RegistryModel[] {
  const needle = (opts.search ?? '').trim().toLowerCase();
  return models
    .filter((m) => (opts.showPrompts || !m.isPrompt) && (opts.storeId == null || m.storeId === opts.storeId))
    .filter((m) => !needle || m.name.toLowerCase().includes(needle) || (m.description ?? '').toLowerCase().includes(needle))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Newest first, like MLflow's model page; deleted versions only when asked for. */
export function visibleVersions(model: Pick<RegisteredModel, 'versions'>, showDeleted: boolean): ModelVersion[] {
  return model.versions.filter((v) => showDeleted || canonicalStage(v.currentStage) !== DELETED_STAGE).sort((a, b) => b.version - a.version);
}

/** MLflow's `latest_versions`: the highest live version in each stage. */
export function latestPerStage(model: Pick<RegisteredModel, 'versions'>): Partial<Record<Stage, number>> {
  const out: Partial<Record<Stage, number>> = {};
  for (const v of model.versions) {
    const s = canonicalStage(v.currentStage);
    if (!(STAGES as readonly string[]).includes(s)) continue;
    const cur = out[s as Stage];
    if (cur === undefined || v.version > cur) out[s as Stage] = v.version;
  }
  return out;
}

export function liveVersionCount(model: Pick<RegisteredModel, 'versions'>): number {
  return model.versions.filter((v) => canonicalStage(v.currentStage) !== DELETED_STAGE).length;
}

/** Board columns: live versions by stage, newest on top. */
export function boardColumns(model: Pick<RegisteredModel, 'versions'>): Record<Stage, ModelVersion[]> {
  const cols: Record<Stage, ModelVersion[]> = { None: [], Staging: [], Production: [], Archived: [] };
  for (const v of visibleVersions(model, false)) {
    const s = canonicalStage(v.currentStage);
    if ((STAGES as readonly string[]).includes(s)) cols[s as Stage].push(v);
  }
  return cols;
}

/** Aliases sorted by name, as `[alias, version]`. */
export function aliasList(model: Pick<RegisteredModel, 'aliases'>): [string, number][] {
  return Object.entries(model.aliases).sort(([a], [b]) => a.localeCompare(b));
}

export type AliasIntent =
  | { kind: 'empty' }
  | { kind: 'invalid'; message: string }
  | { kind: 'unchanged'; alias: string }
  | { kind: 'new'; alias: string }
  | { kind: 'move'; alias: string; from: number };

/**
 * What setting `text` as an alias of `version` will do. An alias names one version per model, so
 * an alias held by another version moves in the same action. Only the rules the user can fix as
 * they type are checked here (MLflow's `latest` / `vN` are reserved); the engine has the last word.
 */
export function aliasIntent(model: Pick<RegisteredModel, 'aliases'>, version: number, text: string): AliasIntent {
  const alias = text.trim();
  if (!alias) return { kind: 'empty' };
  if (alias.toLowerCase() === 'latest') return { kind: 'invalid', message: '"latest" is reserved by MLflow (it always means the newest version).' };
  if (/^v\d+$/i.test(alias)) return { kind: 'invalid', message: `"${alias}" is reserved by MLflow (vN means version N).` };
  const holder = model.aliases[alias];
  if (holder === undefined) return { kind: 'new', alias };
  if (holder === version) return { kind: 'unchanged', alias };
  return { kind: 'move', alias, from: holder };
}

// ---- registering a run ----

export type RegisterTarget = { kind: 'model'; storeId: string; name: string } | { kind: 'new' } | { kind: 'choose' };

export type RegisterStep =
  | { kind: 'refuse'; message: string }
  | { kind: 'register'; candidate: RunModelCandidate; modelName: string }
  | { kind: 'dialog'; candidates: RunModelCandidate[]; chosen: number; modelName: string; askName: boolean };

/**
 * After a run was dropped on `target` (or "Register model…" was chosen): a run without a model is
 * refused with the engine's reason; one model dropped on an existing model registers at once; a
 * choice to make (which model, what name) opens the dialog.
 */
export function registerStep(runModels: RunModels, target: RegisterTarget, runStoreId: string): RegisterStep {
  if (target.kind === 'model' && target.storeId !== runStoreId) {
    return { kind: 'refuse', message: `"${target.name}" is in another store: a run can only be registered in the store it was logged to.` };
  }
  const registrable = runModels.models.filter((m) => m.registrable);
  if (registrable.length === 0) {
    const why =
      runModels.reason ??
      (runModels.models.length > 0
        ? `Run "${runModels.runName || runModels.runId}" has no model that can be registered: ${runModels.models.map((m) => `${m.name} (${m.reason ?? 'not ready'})`).join(', ')}`
        : `Run "${runModels.runName || runModels.runId}" has no model to register.`);
    return { kind: 'refuse', message: why };
  }
  const first = defaultCandidate(registrable);
  const chosen = runModels.models.indexOf(first);
  if (target.kind === 'model') {
    if (registrable.length === 1) return { kind: 'register', candidate: first, modelName: target.name };
    return { kind: 'dialog', candidates: runModels.models, chosen, modelName: target.name, askName: false };
  }
  // "Register model…": where this model went before is the likeliest target again.
  const modelName = target.kind === 'new' ? suggestedModelName(first) : (first.registeredAs[0]?.name ?? suggestedModelName(first));
  return { kind: 'dialog', candidates: runModels.models, chosen, modelName, askName: true };
}

/**
 * The model preselected when a run has several: the last one it logged (highest output step, then
 * newest) — a training script logs checkpoints first and its final model last. Artifact folders
 * have neither, so the engine's order decides among them.
 */
export function defaultCandidate(registrable: readonly RunModelCandidate[]): RunModelCandidate {
  let best = registrable[0] as RunModelCandidate;
  const rank = (c: RunModelCandidate): [number, number] =>
    c.kind === 'logged-model' ? [c.step ?? -1, c.creationTimestamp ?? -1] : [-2, -2];
  for (const c of registrable) {
    const [s, t] = rank(c);
    const [bs, bt] = rank(best);
    if (s > bs || (s === bs && t > bt)) best = c;
  }
  return best;
}

/** A new model is named after the logged model by default (the CLI does the same). */
export function suggestedModelName(c: RunModelCandidate): string {
  return c.name;
}

export function candidateSource(c: RunModelCandidate): { kind: 'logged-model'; modelId: string } | { kind: 'artifact'; artifactPath: string } {
  return c.kind === 'logged-model' ? { kind: 'logged-model', modelId: c.modelId } : { kind: 'artifact', artifactPath: c.artifactPath };
}

// ---- review flow and audit trail ----

export function pendingRequests(requests: readonly TransitionRequest[]): TransitionRequest[] {
  return requests.filter((r) => r.status === 'pending');
}

/** Whether a direct move of `version` to `stage` will be refused by the approval rule. */
export function needsApproval(policy: boolean, stage: string, requests: readonly TransitionRequest[]): boolean {
  if (!policy || canonicalStage(stage) !== 'Production') return false;
  return !requests.some((r) => r.status === 'approved' && canonicalStage(r.stage) === 'Production');
}

const ACTION_LABELS: Record<string, string> = {
  register: 'Registered',
  transition: 'Stage changed',
  set_alias: 'Alias set',
  move_alias: 'Alias moved away',
  delete_alias: 'Alias removed',
  set_description: 'Description edited',
  set_tag: 'Tag set',
  delete_tag: 'Tag removed',
  delete_version: 'Deleted',
  request_transition: 'Transition requested',
  approve_transition: 'Request approved',
  reject_transition: 'Request rejected',
  promote: 'Promotion gate',
  undo: 'Undone',
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action.replace(/_/g, ' ');
}

/** The "what" column of an audit row: stage change, alias, tag key, request, source. */
export function auditDetail(e: AuditEntry): string {
  const parts: string[] = [];
  if (e.from !== undefined || e.to !== undefined) parts.push(e.from !== undefined && e.to !== undefined && e.from !== e.to ? `${e.from} → ${e.to}` : `→ ${e.to ?? e.from}`);
  if (e.alias) {
    if (e.action === 'move_alias' && e.otherVersion !== undefined) parts.push(`@${e.alias} moved to v${e.otherVersion}`);
    else if (e.otherVersion !== undefined) parts.push(`@${e.alias} (from v${e.otherVersion})`);
    else parts.push(`@${e.alias}`);
  } else if (e.otherVersion !== undefined && e.action !== 'undo') parts.push(`archived by v${e.otherVersion}`);
  if (e.key) parts.push(e.key);
  if (e.request !== undefined) parts.push(`request #${e.request}`);
  if (e.version !== undefined) parts.push(`v${e.version}`);
  if (e.action === 'undo' && e.undoOf) parts.push(`of ${actionLabel(e.undoOf).toLowerCase()}`);
  if (e.source) parts.push(e.source);
  if (e.action === 'promote') parts.push(...promoteDetail(e));
  return parts.join(' · ');
}

/** A `runsight promote` decision: its verdict, what happened, the incumbent, each gate. */
function promoteDetail(e: AuditEntry): string[] {
  const outcome = e.outcome === 'applied' ? 'applied' : e.outcome === 'requested' ? 'requested for review' : 'not applied';
  const parts = [`${e.decision ?? 'unknown'} (${outcome})`];
  if (e.against) parts.push(`against ${e.against}`);
  for (const g of e.gates ?? []) parts.push(`${g.passed ? '✓' : '✗'} ${g.gate}${g.observed === null ? ' (missing)' : ` = ${Number(g.observed.toPrecision(6))}`}`);
  return parts;
}

/**
 * Newest first. The trail is appended in order, so it is reversed rather than sorted by time:
 * entries written in the same millisecond (a transition and the archiving it causes) keep their
 * order, and a clock that stepped back never reorders history.
 */
export function auditRows(entries: readonly AuditEntry[]): AuditEntry[] {
  return [...entries].reverse();
}

/**
 * At most `max` toasts: the oldest non-error ones go first, so a refused write stays on screen
 * until it is dismissed even while later actions report.
 */
export function capToasts<T extends { kind: string }>(list: readonly T[], max: number): T[] {
  const out = [...list];
  while (out.length > max) {
    const i = out.findIndex((t) => t.kind !== 'error');
    out.splice(i >= 0 ? i : 0, 1);
  }
  return out;
}

/** Which store Undo acts on: the open model's, else the store of the last action made here. */
export function undoStoreId(s: {
  selected: { storeId: string } | null;
  capabilities: Record<string, { storeId: string; undo: unknown } | undefined>;
  lastActionStoreId: string | null;
}): string | null {
  if (s.selected && s.capabilities[s.selected.storeId]?.undo) return s.selected.storeId;
  if (s.lastActionStoreId && s.capabilities[s.lastActionStoreId]?.undo) return s.lastActionStoreId;
  const withUndo = Object.values(s.capabilities).filter((c) => c?.undo);
  return withUndo.length === 1 ? (withUndo[0]?.storeId ?? null) : null;
}
