// "Which models can this run register?" — what the drag-into-registry gesture and
// `runsight registry register` ask first. Two kinds (format doc 2.7, 2.10, 5.3):
//   - MLflow 3 logged models the run produced (owned by it, or listed in its outputs/);
//   - MLflow 2 models inside the run's artifacts: any folder holding an `MLmodel` file
//     (announced by the run tag `mlflow.log-model.history`, found by a shallow scan too).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import type { LoggedModel, RegisteredModel, Run } from '../model.ts';
import type { RegisteredAs, RunModelCandidate, RunModels } from './types.ts';




const SCAN_DEPTH = 4;

export async function listRunModels(engine: Engine, storeId: string, runId: string): Promise<RunModels> {
  const run = engine.index.getRun({ storeId, runId });
  if (!run) throw new EngineError('NOT_FOUND', `Run ${runId} not found`);
  const registry = engine.index.listRegisteredModels({ storeId, includePrompts: false });
  const models: RunModelCandidate[] = [];

  const outputs = new Map(run.outputs.models.map((o) => [o.modelId, o.step]));
  for (const m of engine.index.listLoggedModels({ storeId, runId, includeDeleted: false })) {
    const source = `models:/${m.modelId}`;
    const ready = m.status === 'READY';
    models.push({
      kind: 'logged-model',
      modelId: m.modelId,
      name: m.name,
      status: m.status,
      step: outputs.get(m.modelId) ?? null,
      creationTimestamp: m.creationTimestamp,
      source,
      registrable: ready,
      reason: ready ? null : notReadyReason(m),
      registeredAs: registeredFrom(registry, source),
    });
  }

  const location = await engine.resolveRunArtifacts(storeId, run, { includeTrash: true });
  if (location.available) {
    for (const rel of await findArtifactModels(location.localPath, run)) {
      const source = `${run.artifactUri.replace(/\/+$/, '')}/${rel}`;
      models.push({ kind: 'artifact', artifactPath: rel, name: rel, source, registrable: true, reason: null, registeredAs: registeredFrom(registry, source) });
    }
  }

  let reason: string | null = null;
  if (!models.some((m) => m.registrable)) {
    const label = `Run "${run.runName}" (${run.runId})`;
    if (models.length > 0) reason = `${label} has no finished model to register: ${models.map((m) => m.reason).filter(Boolean).join('; ')}`;
    else if (!location.available && location.remote) {
      reason = `${label} has no MLflow 3 logged model, and its artifacts cannot be searched for an MLmodel folder (${location.reason})`;
    } else {
      // A local artifact folder that does not exist (nothing logged, or pruned) holds no model either.
      reason = `${label} has no model to register: no MLflow 3 logged model and no folder with an MLmodel file in its artifacts`;
    }
  }
  return { storeId, runId: run.runId, runName: run.runName, models, reason };
}

function notReadyReason(m: LoggedModel): string {
  if (m.status === 'PENDING') return `logged model "${m.name}" (${m.modelId}) is PENDING: it was never finished`;
  if (m.status === 'FAILED') return `logged model "${m.name}" (${m.modelId}) FAILED${m.statusMessage ? `: ${m.statusMessage}` : ''}`;
  return `logged model "${m.name}" (${m.modelId}) has no READY status`;
}

function registeredFrom(registry: RegisteredModel[], source: string): RegisteredAs[] {
  const out: RegisteredAs[] = [];
  for (const rm of registry) {
    for (const v of rm.versions) {
      if (v.source === source && v.currentStage !== 'Deleted_Internal') out.push({ name: rm.name, version: v.version, stage: v.currentStage });
    }
  }
  return out;
}

async function findArtifactModels(root: string, run: Run): Promise<string[]> {
  const found = new Set<string>();
  const history = run.tags['mlflow.log-model.history'];
  if (history) {
    try {
      for (const entry of JSON.parse(history) as { artifact_path?: unknown }[]) {
        const p = typeof entry?.artifact_path === 'string' ? entry.artifact_path : '';
        if (p && !p.split('/').includes('..') && (await isFile(path.join(root, ...p.split('/'), 'MLmodel')))) found.add(p);
      }
    } catch {
      // A malformed history tag is not fatal: the scan below still finds the folders.
    }
  }
  await scan(root, '', 0, found);
  return [...found].sort();
}

async function scan(root: string, rel: string, depth: number, found: Set<string>): Promise<void> {
  if (depth > SCAN_DEPTH) return;
  const entries = await readdir(rel ? path.join(root, rel) : root, { withFileTypes: true }).catch(() => []);
  if (rel && entries.some((e) => e.isFile() && e.name === 'MLmodel')) {
    found.add(rel.split(path.sep).join('/'));
    return;
  }
  for (const e of entries) if (e.isDirectory()) await scan(root, rel ? path.join(rel, e.name) : e.name, depth + 1, found);
}

function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}
