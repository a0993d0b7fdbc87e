// A gated promotion (`runsight promote`) in one transaction: register the candidate run's model
// when asked, move the stage / set the alias / request the transition, and append a `promote`
// audit entry with the gates — after checking that the incumbent the gates compared against is
// still the same (else WRITE_CONFLICT, nothing written). A failed decision records the entry only.
import type { StoreInfo } from '../model.ts';
import { COMMENT_LIMIT, canonicalStage, checkAlias, checkArchiveExisting, checkModelName, checkText, checkVersion, invalid, normalizeArtifactPath, type Stage } from './rules.ts';
import type { AuditEntry, PromoteInput, RegistryTx } from './types.ts';
import type { Recorder } from './registry-recorder.ts';
import { checkIncumbent, checkProductionApproval, liveVersion, loadModel, openRequest, pointAlias, transition, transitionSummary, type ActionOutcome } from './registry-action-helpers.ts';
import { registerInTx, type ArtifactSources } from './registry-register.ts';

export interface CheckedPromotion {
  /** The target stage, or null for an alias. */
  stage: Stage | null;
  /** The candidate's model folder in its run's artifacts, when it registers one. */
  artifactPath: string | null;
}

/** MLflow's rules and the promotion's own, checked before the transaction. */
export function checkPromoteInput(input: PromoteInput, kind: StoreInfo['kind']): CheckedPromotion {
  checkModelName(input.name, kind);
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
  return { stage, artifactPath };
}

/** The promotion itself, inside the action's transaction. */
export async function promoteInTx(
  sources: ArtifactSources,
  tx: RegistryTx,
  rec: Recorder,
  at: number,
  input: PromoteInput,
  { stage, artifactPath }: CheckedPromotion,
): Promise<ActionOutcome<{ requestId?: number; createdModel?: boolean }>> {
  const { candidate, target } = input;
  const parts: string[] = [];
  let version: number;
  let createdModel: boolean | undefined;
  if ('register' in candidate) {
    const reg = await registerInTx(sources, tx, rec, at, { ...candidate.register, modelName: input.name, user: input.user }, artifactPath);
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
      const request = await openRequest(tx, rec, input.name, v, { stage, archiveExisting: archive, user: input.user, comment: input.comment }, at);
      requestId = request.id;
      parts.push(request.summary);
      outcome = 'requested';
    } else {
      checkProductionApproval(model, input.name, v, stage, 'use --require-approval');
      const archived = await transition(tx, rec, versions, v, stage, archive, at, { action: 'transition', comment: input.comment ?? undefined });
      parts.push(transitionSummary(input.name, v, stage, archived));
      outcome = 'applied';
    }
  } else if (input.apply && 'alias' in target) {
    parts.push(await pointAlias(tx, rec, input.name, model, versions, v, target.alias, at));
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
}
