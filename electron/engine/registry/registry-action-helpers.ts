// Pieces the registry actions share: loading a model and its versions, finding a live version or a
// pending request, the stage transition itself (with archive_existing) and the approval policy it
// obeys, opening and deciding a transition request, pointing an alias, soft deletion, and the
// `mlflow.modelVersions` tag of a logged model.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { EngineError } from '../errors.ts';
import type { ArtifactLocation } from '../model.ts';
import { pyJsonDumps, type PyJson } from './py-json.ts';
import { POLICY_PRODUCTION_APPROVAL_TAG, REVIEW_TAG, encodeReview, isManagedTag, nextRequestId, parseReview, policyOf } from './review.ts';
import { STAGE_ARCHIVED, STAGE_DELETED, checkTagKey, checkTagValue, invalid, notFound, type Stage } from './rules.ts';
import type { ModelRecord, RegistryTx, VersionFields, VersionRecord } from './types.ts';
import { Recorder } from './registry-recorder.ts';

/** What MLflow's SqlAlchemyStore writes into a deleted version's row (format doc 3.4). */
const REDACTED = { source: 'REDACTED-SOURCE-PATH', runId: 'REDACTED-RUN-ID', runLink: 'REDACTED-RUN-LINK' } as const;

/** What an action's body returns from inside its transaction (registry-actions.ts, act). */
export interface ActionOutcome<E> {
  summary: string;
  name: string;
  version: number | null;
  extra?: E;
}

export async function loadModel(tx: RegistryTx, name: string): Promise<{ model: ModelRecord; versions: VersionRecord[] }> {
  if (typeof name !== 'string' || name === '') throw invalid('A registered model name is required');
  const model = await tx.getModel(name);
  if (!model) throw notFound(`Registered model "${name}" not found`);
  return { model, versions: await tx.getVersions(name) };
}

/** MLflow treats Deleted_Internal versions as absent ("Model Version … not found"). */
export function liveVersion(versions: VersionRecord[], name: string, version: number): VersionRecord {
  const v = versions.find((x) => x.version === version);
  if (!v || v.currentStage === STAGE_DELETED) throw notFound(`Model version ${name} v${version} not found`);
  return v;
}

export function pendingRequest(requests: ReturnType<typeof parseReview>['requests'], name: string, version: number, id: number) {
  const req = requests.find((r) => r.id === id);
  if (!req) throw notFound(`${name} v${version} has no transition request #${id}`);
  if (req.status !== 'pending') throw invalid(`Request #${id} on ${name} v${version} was already ${req.status} by ${req.decidedBy ?? 'someone'}`);
  return req;
}

export function checkUserTag(key: string, value: string | null): void {
  checkTagKey(key);
  if (value !== null) checkTagValue(key, value);
  if (isManagedTag(key)) throw invalid(`Tag "${key}" is managed by Runsight (audit trail / review requests) and cannot be changed directly`);
}

/**
 * transition_model_version_stage: with archive_existing_versions every *other* version in the
 * target stage becomes Archived with the same timestamp (format doc 2.12; seed-rf v2).
 */
export async function transition(
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

/** Under the model's approval policy, Production needs an approved request first; `hint` says how. */
export function checkProductionApproval(model: ModelRecord, name: string, v: VersionRecord, stage: Stage, hint: string): void {
  if (stage !== 'Production' || !policyOf(model.tags).productionRequiresApproval) return;
  const approved = parseReview(v.tags[REVIEW_TAG]).requests.some((r) => r.status === 'approved' && r.stage === 'Production');
  if (!approved) {
    throw invalid(`Moving ${name} v${v.version} to Production needs an approved transition request (model policy ${POLICY_PRODUCTION_APPROVAL_TAG} = true): ${hint}`);
  }
}

/** Opens a request to move `v` to `stage` (in its review tag), audited; one open request per stage. */
export async function openRequest(
  tx: RegistryTx,
  rec: Recorder,
  name: string,
  v: VersionRecord,
  request: { stage: Stage; archiveExisting: boolean; user: string; comment: string | null | undefined },
  at: number,
): Promise<{ id: number; summary: string }> {
  const { stage, comment } = request;
  if (v.currentStage === stage) throw invalid(`${name} v${v.version} is already in ${stage}`);
  const review = parseReview(v.tags[REVIEW_TAG]);
  const open = review.requests.find((q) => q.status === 'pending' && q.stage === stage);
  if (open) throw invalid(`A request to move ${name} v${v.version} to ${stage} is already pending (#${open.id} by ${open.requestedBy})`);
  const id = nextRequestId(review);
  review.requests.push({
    id,
    stage,
    archiveExisting: request.archiveExisting,
    requestedBy: request.user.trim(),
    requestedAt: at,
    comment: comment ?? null,
    status: 'pending',
    decidedBy: null,
    decidedAt: null,
    decisionComment: null,
  });
  await rec.versionTag(v, REVIEW_TAG, encodeReview(review));
  await tx.touchModel(name, at);
  rec.audit(name, v.version, { action: 'request_transition', from: v.currentStage, to: stage, request: id, comment: comment ?? undefined });
  return { id, summary: `Requested moving ${name} v${v.version} to ${stage} (request #${id})` };
}

/** Marks a pending request approved or rejected (in the version's review tag); returns it. */
export async function decideRequest(
  rec: Recorder,
  name: string,
  v: VersionRecord,
  decision: { requestId: number; status: 'approved' | 'rejected'; user: string; comment: string | null | undefined },
  at: number,
) {
  const review = parseReview(v.tags[REVIEW_TAG]);
  const req = pendingRequest(review.requests, name, v.version, decision.requestId);
  req.status = decision.status;
  req.decidedBy = decision.user.trim();
  req.decidedAt = at;
  req.decisionComment = decision.comment ?? null;
  await rec.versionTag(v, REVIEW_TAG, encodeReview(review));
  return req;
}

/**
 * Points an alias at `v`, moving it from the version it named (one write: an alias names one
 * version per model, format doc 2.12), audited on both versions; returns the summary.
 */
export async function pointAlias(
  tx: RegistryTx,
  rec: Recorder,
  name: string,
  model: ModelRecord,
  versions: VersionRecord[],
  v: VersionRecord,
  alias: string,
  at: number,
): Promise<string> {
  const before = model.aliases[alias] ?? null;
  await rec.alias(name, alias, before, v.version);
  await tx.touchModel(name, at);
  const moved = before !== null && before !== v.version;
  rec.audit(name, v.version, { action: 'set_alias', alias, otherVersion: moved ? before : undefined });
  if (moved && versions.some((x) => x.version === before)) {
    rec.audit(name, before, { action: 'move_alias', alias, otherVersion: v.version });
  }
  return before === v.version
    ? `Alias @${alias} already on ${name} v${v.version}`
    : moved
      ? `Moved alias @${alias} of ${name} from v${before} to v${v.version}`
      : `Set alias @${alias} on ${name} v${v.version}`;
}

/** The version `against` named when the gates were evaluated must still be the one it names now. */
export async function checkIncumbent(model: ModelRecord, versions: VersionRecord[], against: { ref: string; version: number }): Promise<void> {
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

export function transitionSummary(name: string, v: VersionRecord, stage: string, archived: number[]): string {
  const arch = archived.length > 0 ? ` (archived ${archived.map((n) => `v${n}`).join(', ')})` : '';
  return `Moved ${name} v${v.version} from ${v.currentStage} to ${stage}${arch}`;
}

/** delete_model_version: stage Deleted_Internal, aliases removed; SQLite also scrubs (format doc 3.4). */
export async function softDelete(tx: RegistryTx, rec: Recorder, model: ModelRecord, v: VersionRecord, at: number): Promise<void> {
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
export async function resolveRecordedUri(uri: string): Promise<ArtifactLocation> {
  try {
    if (uri.startsWith('file:')) return { available: true, localPath: fileURLToPath(uri), rebased: false };
    if (path.isAbsolute(uri)) return { available: true, localPath: uri, rebased: false };
  } catch {
    // fall through
  }
  return { available: false, remote: true, reason: `Artifacts at ${uri} are not on this machine` };
}
