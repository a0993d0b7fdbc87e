// Refresh: brings the reader's cache up to date with a batch of changed paths (the plan from
// refresh-plan.ts) and reports what changed. A cold run is re-read whole and becomes hot; a hot
// run re-reads only the parts the plan names, its metric files from their last offsets
// (store-cache.ts). The invariant the tests check: whatever sequence of refreshes, the state
// equals a fresh load.
import path from 'node:path';
import type { Experiment, LoggedModel, RegisteredModel, Run } from '../../model.ts';
import { emptyChange, type StoreChange } from '../reader.ts';
import {
  listExperimentChildren,
  listModelFolders,
  locateExperiments,
  locateOne,
  noteShadowedTrash,
  readExperimentAt,
  readLoggedModel,
  readStoreRegistry,
  type Location,
} from './experiment-read.ts';
import { isDir, runPool } from './fs-util.ts';
import { RUN_CONCURRENCY, SMALL_CONCURRENCY, type ReadContext } from './read-context.ts';
import { expPlanOf, planRefresh, runPlanOf, type ExpPlan, type RunPlan } from './refresh-plan.ts';
import {
  assembleRun,
  METRICS_CHANGED,
  METRICS_RELIST,
  readInputs,
  readOutputs,
  readRunFull,
  readRunKeys,
  readRunMeta,
  readRunMetrics,
  sortedMetrics,
} from './run-read.ts';
import { runDir, type ExpEntry, type StoreCache } from './store-cache.ts';

class ChangeBuilder {
  experiments = new Map<string, Experiment>();
  runs = new Map<string, Run>();
  models = new Map<string, LoggedModel>();
  removedExperiments = new Set<string>();
  removedRuns = new Set<string>();
  removedModels = new Set<string>();
  registry: RegisteredModel[] | null = null;

  build(): StoreChange {
    const c = emptyChange();
    c.experiments = [...this.experiments.values()];
    c.runs = [...this.runs.values()];
    c.loggedModels = [...this.models.values()];
    c.removedExperimentIds = [...this.removedExperiments].filter((id) => !this.experiments.has(id));
    c.removedRunIds = [...this.removedRuns].filter((id) => !this.runs.has(id));
    c.removedLoggedModelIds = [...this.removedModels].filter((id) => !this.models.has(id));
    c.registry = this.registry;
    return c;
  }
}

/** Re-reads what `changedPaths` can have touched; the change since the last load or refresh. */
export async function refreshStore(ctx: ReadContext, cache: StoreCache, changedPaths: readonly string[]): Promise<StoreChange> {
  const ch = new ChangeBuilder();
  const plan = planRefresh(ctx.root, cache.exps, changedPaths);
  if (plan.top) {
    const located = await locateExperiments(ctx);
    const fullOf = (id: string) => {
      expPlanOf(plan, id).full = true;
    };
    for (const [id, loc] of located) {
      const known = cache.exps.get(id);
      if (!known || known.dir !== loc.dir) fullOf(id);
    }
    for (const id of cache.exps.keys()) if (!located.has(id)) fullOf(id);
  }
  for (const [id, ep] of plan.exps) await refreshExperiment(ctx, cache, id, ep, ch);
  if (plan.registry) {
    cache.registry = await readStoreRegistry(ctx);
    ch.registry = cache.registry;
  }
  return ch.build();
}

async function refreshExperiment(ctx: ReadContext, cache: StoreCache, id: string, ep: ExpPlan, ch: ChangeBuilder): Promise<void> {
  const loc = await locateOne(ctx, id);
  const known = cache.exps.get(id);
  noteShadowedTrash(ctx, id, loc !== null && !loc.trashed && (await isDir(ctx.io, path.join(ctx.root, '.trash', id))));
  if (loc === null) {
    if (known) dropExperiment(ctx, cache, known, ch, true);
    ctx.book.clearUnder(path.join(ctx.root, id));
    ctx.book.clearUnder(path.join(ctx.root, '.trash', id));
    return;
  }
  if (!known || known.dir !== loc.dir || ep.full) {
    await rereadExperiment(ctx, cache, id, loc, known, ch);
    return;
  }
  if (ep.meta) {
    const fresh = await readExperimentAt(ctx, id, loc);
    if (fresh === null) {
      dropExperiment(ctx, cache, known, ch, false);
      return;
    }
    known.exp = fresh.exp;
    ch.experiments.set(id, fresh.exp);
  }
  if (ep.allDatasets || ep.datasets.size > 0) {
    for (const ds of ep.datasets) {
      known.datasets.delete(ds);
      ctx.book.clear(path.join(known.dir, 'datasets', ds, 'meta.yaml'));
    }
    if (ep.allDatasets) known.datasets.clear();
    for (const runId of known.runIds) {
      const r = cache.runs.get(runId);
      if (!r) continue;
      if (ep.allDatasets || r.datasetRefs.some((d) => ep.datasets.has(d))) {
        runPlanOf(ep, r.runId).inputs = true;
      }
    }
  }
  if (ep.modelsList) {
    const c = ctx.book.collector();
    const names = new Set(await listModelFolders(ctx, known, c));
    ctx.book.set(`${known.dir}#models`, c.list);
    for (const mid of [...known.modelIds]) if (!names.has(mid)) ep.models.add(mid);
    for (const n of names) if (!known.modelIds.has(n)) ep.models.add(n);
  }
  for (const name of ep.models) await refreshModel(ctx, cache, known, name, ch);
  await runPool([...ep.runs.entries()], SMALL_CONCURRENCY, ([name, rp]) => refreshRun(ctx, cache, known, name, rp, ch));
}

/** Forgets an experiment and everything in it (reported as removed). */
function dropExperiment(ctx: ReadContext, cache: StoreCache, exp: ExpEntry, ch: ChangeBuilder, clearMeta: boolean): void {
  cache.exps.delete(exp.id);
  ch.removedExperiments.add(exp.id);
  for (const runId of exp.runIds) {
    const r = cache.runs.get(runId);
    if (r && r.exp.id === exp.id) {
      cache.runs.delete(runId);
      cache.hotRuns.delete(r);
      ctx.book.clearUnder(runDir(r));
      ch.removedRuns.add(runId);
    }
  }
  for (const mid of exp.modelIds) {
    const m = cache.models.get(mid);
    if (m && m.expId === exp.id) {
      cache.models.delete(mid);
      ctx.book.clearUnder(m.dir);
      ch.removedModels.add(mid);
    }
  }
  ctx.book.clear(`${exp.dir}#list`);
  ctx.book.clear(`${exp.dir}#models`);
  if (clearMeta) ctx.book.clearUnder(exp.dir);
}

async function rereadExperiment(ctx: ReadContext, cache: StoreCache, id: string, loc: Location, known: ExpEntry | undefined, ch: ChangeBuilder): Promise<void> {
  if (known) {
    dropExperiment(ctx, cache, known, ch, true);
    ch.removedExperiments.add(id);
  }
  const fresh = await readExperimentAt(ctx, id, loc);
  if (fresh === null) return;
  cache.exps.set(id, fresh);
  ch.experiments.set(id, fresh.exp);
  const children = await listExperimentChildren(ctx, fresh);
  // Possibly thousands of runs (an experiment restored from .trash): cached cold.
  await runPool(children.runs, RUN_CONCURRENCY, async (name) => {
    const r = await readRunFull(ctx, fresh, name);
    if (r && cache.addRun(fresh, name, r.datasetRefs, null)) ch.runs.set(name, r.run);
  });
  await runPool(children.models, SMALL_CONCURRENCY, async (name) => {
    const m = await readLoggedModel(ctx, fresh, name);
    if (m) {
      cache.addModel(fresh, m);
      ch.models.set(m.modelId, m.model);
    }
  });
}

async function refreshModel(ctx: ReadContext, cache: StoreCache, exp: ExpEntry, name: string, ch: ChangeBuilder): Promise<void> {
  const known = cache.models.get(name);
  const m = await readLoggedModel(ctx, exp, name);
  if (m === null) {
    if (known && known.expId === exp.id) {
      cache.models.delete(name);
      exp.modelIds.delete(name);
      ch.removedModels.add(name);
    }
    return;
  }
  cache.addModel(exp, m);
  ch.models.set(m.modelId, m.model);
}

async function refreshRun(ctx: ReadContext, cache: StoreCache, exp: ExpEntry, name: string, rp: RunPlan, ch: ChangeBuilder): Promise<void> {
  const dir = path.join(exp.dir, name);
  const known = cache.runs.get(name);
  const entry = known && known.exp.dir === exp.dir ? known : undefined;
  const hot = entry?.hot ?? null;
  const touched = rp.meta || rp.params || rp.tags || rp.inputs || rp.outputs || rp.metricsList || rp.metricKeys.size > 0;
  // Only paths that do not feed the record (artifacts/): nothing to re-read for a known run.
  if (entry && !touched && !rp.full) return;
  // A cold run has no state to update: re-read whole (what a fresh load would read), kept hot.
  if (!entry || hot === null || rp.full || !(await isDir(ctx.io, dir))) {
    if (entry) cache.forgetRun(entry);
    const fresh = await readRunFull(ctx, exp, name);
    if (fresh === null) {
      if (entry) ch.removedRuns.add(name);
      return;
    }
    const { datasetRefs, ...state } = fresh;
    if (cache.addRun(exp, name, datasetRefs, state)) ch.runs.set(name, fresh.run);
    return;
  }
  cache.touchHot(entry);
  if (rp.meta) {
    const meta = await readRunMeta(ctx, dir, exp, name);
    if (meta === null) {
      cache.forgetRun(entry);
      ch.removedRuns.add(name);
      for (const part of ['params', 'tags', 'metrics', 'inputs', 'outputs', 'dup']) ctx.book.clear(`${dir}#${part}`);
      ctx.book.clearUnder(path.join(dir, 'metrics'));
      return;
    }
    hot.meta = meta;
  }
  let { params, tags, metrics, inputs, outputs } = hot.run;
  let changed = rp.meta || rp.params || rp.tags || rp.inputs || rp.outputs;
  const jobs: Promise<void>[] = [];
  if (rp.params) jobs.push(readRunKeys(ctx, dir, 'params', 'param').then((v) => void (params = v)));
  if (rp.tags) jobs.push(readRunKeys(ctx, dir, 'tags', 'tag').then((v) => void (tags = v)));
  if (rp.inputs) {
    jobs.push(
      readInputs(ctx, exp, dir).then((v) => {
        inputs = { datasets: v.datasets, models: v.models };
        entry.datasetRefs = v.refs;
      }),
    );
  }
  if (rp.outputs) jobs.push(readOutputs(ctx, dir).then((v) => void (outputs = { models: v })));
  const metricsTouched = rp.metricsList || rp.metricKeys.size > 0;
  if (metricsTouched) {
    jobs.push(
      (async () => {
        let status = rp.metricsList
          ? METRICS_RELIST
          : await readRunMetrics(ctx, dir, hot.metricStates, true, [...rp.metricKeys]);
        if (status & METRICS_RELIST) status |= await readRunMetrics(ctx, dir, hot.metricStates, true, null);
        if (status & METRICS_CHANGED) {
          changed = true;
          metrics = sortedMetrics(hot.metricStates);
        }
      })(),
    );
  }
  await Promise.all(jobs);
  if (!changed) return;
  hot.run = assembleRun(name, hot.meta, { params, tags, metrics, inputs, outputs });
  ch.runs.set(name, hot.run);
}
