// `runsight promote`: the registry as read — the registered model, the candidate (a version, a
// run, or the best run by a metric; what registering it would take) and the incumbent of --against.
import type { Engine } from '../engine/engine.ts';
import type { ModelVersion, RegisteredModel, Run, StoreInfo } from '../engine/model.ts';
import type { RegisterSource } from '../engine/registry/types.ts';
import type { Direction } from './best-run.ts';
import { list, noMatch, resolveExperiments, usageError } from './ci-common.ts';
import { canonical, type PromoteRequest, type PromoteValues } from './promote-args.ts';
import { pickCandidate } from './registry-command.ts';
import { findBest } from './runs-command.ts';

export interface Candidate {
  /** The version promoted; null when the run's model is registered first. */
  version: ModelVersion | null;
  run: Run;
  /** What registering takes (null for an existing version), and how the decision names it. */
  register: RegisterSource | null;
  registerLabel: string | null;
}

export interface Incumbent {
  version: ModelVersion;
  run: Run | null;
}

/** The candidate of the command line (a finished run unless --allow-unfinished), or a no-match error. */
export async function findCandidate(engine: Engine, info: StoreInfo, registered: RegisteredModel | null, req: PromoteRequest, values: PromoteValues): Promise<Candidate> {
  const { model, version, bestKey, globalDir } = req;
  let candidate: Candidate;
  if (version !== null) {
    const v = liveVersion(registered, model, version, info);
    const run = v.runId ? engine.index.getRun({ storeId: info.id, runId: v.runId }) : null;
    if (!run) throw noMatch(`${model} v${version} has no run in this store${v.runId ? ` (run ${v.runId})` : ''}: its logged metrics cannot be checked`);
    candidate = { version: v, run, register: null, registerLabel: null };
  } else {
    let run: Run | null;
    if (bestKey !== null) {
      const experiments = resolveExperiments(engine, info, list(values.experiment));
      const best = findBest(engine, {
        storeId: info.id,
        experimentIds: experiments.map((e) => e.experimentId),
        filter: values.filter ?? '',
        finishedOnly: !values['allow-unfinished'],
        metric: bestKey,
        dir: globalDir as Direction,
      });
      run = engine.index.getRun({ storeId: info.id, runId: best.best.row.runId });
    } else {
      run = engine.index.getRun({ storeId: info.id, runId: values.run as string });
      if (!run) throw noMatch(`Run ${values.run} not found in ${info.path}`);
    }
    const r = run as Run;
    checkFinished(r, values['allow-unfinished']);
    const existing = (registered?.versions ?? []).filter((v) => v.runId === r.runId && v.currentStage !== 'Deleted_Internal');
    const chosen = values['artifact-path'] === undefined && values['model-id'] === undefined ? existing[existing.length - 1] : undefined;
    if (chosen) candidate = { version: chosen, run: r, register: null, registerLabel: null };
    else {
      const { RegistryService } = await import('../engine/registry/index.ts');
      const found = await new RegistryService(engine).listRunModels(info.id, r.runId);
      let pick;
      try {
        pick = pickCandidate(found.models, found.reason, { runId: r.runId, artifactPath: values['artifact-path'], modelId: values['model-id'] });
      } catch (e) {
        throw noMatch(e instanceof Error ? e.message : String(e));
      }
      const source: RegisterSource = pick.kind === 'logged-model' ? { kind: 'logged-model', modelId: pick.modelId } : { kind: 'artifact', artifactPath: pick.artifactPath };
      const label = pick.kind === 'logged-model' ? `logged model "${pick.name}" (${pick.modelId})` : `artifacts/${pick.artifactPath}`;
      candidate = { version: null, run: r, register: source, registerLabel: label };
    }
  }
  checkFinished(candidate.run, values['allow-unfinished']);
  return candidate;
}

/** The incumbent named by --against, or null without it. */
export function findIncumbent(engine: Engine, info: StoreInfo, registered: RegisteredModel | null, req: PromoteRequest): Incumbent | null {
  return req.against === null ? null : resolveAgainst(engine, info, registered, req.model, req.against);
}

function checkFinished(run: Run, allowUnfinished: boolean): void {
  if (run.status !== 'FINISHED' && !allowUnfinished) {
    throw noMatch(`Run ${run.runId} ("${run.runName}") is ${run.status}, not FINISHED: a candidate must be a finished run (--allow-unfinished to accept it)`);
  }
}

function modelOrFail(m: RegisteredModel | null, name: string, info: StoreInfo): RegisteredModel {
  if (!m || m.isPrompt) throw noMatch(`Registered model "${name}" not found in ${info.path}`);
  return m;
}

function liveVersion(m: RegisteredModel | null, name: string, version: number, info: StoreInfo): ModelVersion {
  const model = modelOrFail(m, name, info);
  const v = model.versions.find((x) => x.version === version && x.currentStage !== 'Deleted_Internal');
  if (!v) {
    const live = model.versions.filter((x) => x.currentStage !== 'Deleted_Internal').map((x) => `v${x.version}`);
    throw noMatch(`${name} has no version ${version}; its versions: ${live.join(', ') || '(none)'}`);
  }
  return v;
}

export function maxVersion(m: RegisteredModel | null): number {
  return (m?.versions ?? []).reduce((n, v) => Math.max(n, v.version), 0);
}

function resolveAgainst(engine: Engine, info: StoreInfo, m: RegisteredModel | null, name: string, ref: string): { version: ModelVersion; run: Run | null } {
  const model = modelOrFail(m, name, info);
  let version: number | null = null;
  if (ref.startsWith('@')) {
    version = model.aliases[ref.slice(1)] ?? null;
    if (version === null) {
      const aliases = Object.keys(model.aliases).map((a) => `@${a}`);
      throw noMatch(`${name} has no alias ${ref}; its aliases: ${aliases.join(', ') || '(none)'}`);
    }
  } else if (/^[0-9]+$/.test(ref)) {
    version = Number(ref);
  } else {
    const stage = canonical(ref);
    if (!stage) throw usageError(`Invalid --against "${ref}": @ALIAS, a stage (None, Staging, Production, Archived) or a version number`);
    const inStage = model.versions.filter((v) => v.currentStage === stage);
    if (inStage.length === 0) throw noMatch(`${name} has no version in ${stage}`);
    version = Math.max(...inStage.map((v) => v.version));
  }
  const v = liveVersion(model, name, version, info);
  return { version: v, run: v.runId ? engine.index.getRun({ storeId: info.id, runId: v.runId }) : null };
}

