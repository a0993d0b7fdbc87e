// Registering a run's model as a new version: the input checked against MLflow's rules, then,
// inside the action's transaction, the run and its model (a logged model, or an MLflow model
// folder in the run's artifacts) checked and the version written as MLflow would write it. Both
// `register` and a promotion of a run (`promote --run`) come here.
import path from 'node:path';
import type { ArtifactLocation, StoreInfo } from '../model.ts';
import type { RegistryFs } from './atomic-fs.ts';
import { AUDIT_TAG, VERSION_AUDIT_LIMIT, appendAudit, isManagedTag } from './review.ts';
import { DESCRIPTION_LIMIT, STAGE_NONE, checkModelName, checkTagKey, checkTagValue, checkText, invalid, normalizeArtifactPath, notFound } from './rules.ts';
import type { ArtifactResolve, RegisterInput, RegistryTx, VersionFields } from './types.ts';
import { auditEntry, type Recorder } from './registry-recorder.ts';
import { appendModelVersion, type ActionOutcome } from './registry-action-helpers.ts';

/** A logged model's list of the versions registered from it (format doc 1.4). */
const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';
const PROMPT_TAG = 'mlflow.prompt.is_prompt';
/** LoggedModelStatus.READY (format doc 1.3). */
const LOGGED_MODEL_READY = 2;
const LOGGED_MODEL_STATUS: Record<number, string> = { 0: 'UNSPECIFIED', 1: 'PENDING', 2: 'READY', 3: 'FAILED' };

/** Where a run's artifacts are on this machine, and how to look inside them. */
export interface ArtifactSources {
  resolveArtifacts: ArtifactResolve;
  fs: RegistryFs;
}

/** MLflow's rules for a registration, checked before the transaction; the artifact path normalised. */
export function checkRegisterInput(input: RegisterInput, kind: StoreInfo['kind']): string | null {
  checkModelName(input.modelName, kind);
  checkText('Description', input.description, DESCRIPTION_LIMIT);
  const tags = input.tags ?? {};
  for (const [k, v] of Object.entries(tags)) {
    checkTagKey(k);
    checkTagValue(k, v);
    if (isManagedTag(k)) throw invalid(`Tag "${k}" is managed by Runsight and cannot be set directly`);
  }
  return input.source.kind === 'artifact' ? normalizeArtifactPath(input.source.artifactPath) : null;
}

/** The registration itself, inside an action's transaction (register, and promote --run). */
export async function registerInTx(
  sources: ArtifactSources,
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
    await checkArtifactModel(sources, run.runId, run.artifactUri, rel);
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

async function checkArtifactModel(sources: ArtifactSources, runId: string, artifactUri: string, rel: string): Promise<void> {
  const loc: ArtifactLocation = await sources.resolveArtifacts(artifactUri);
  if (!loc.available) throw invalid(`Cannot check run ${runId}'s artifacts for a model: ${loc.reason}`);
  const mlmodel = path.join(loc.localPath, ...rel.split('/'), 'MLmodel');
  if (!(await sources.fs.exists(mlmodel))) {
    throw invalid(`Run ${runId} has no MLflow model at artifacts/${rel} (no MLmodel file there)`);
  }
}
