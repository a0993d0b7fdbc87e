// Refresh planning: which parts of the file store a batch of changed paths (from the watcher) can
// have touched, worked out from the paths alone, before anything is read. A path names the
// smallest thing that feeds a record (one metric file, a run's params/, an experiment's
// meta.yaml...); a folder, or a path the plan cannot place, widens the plan to all that folder
// holds. refresh.ts then re-reads exactly what the plan names.
import path from 'node:path';

/** What to re-read of one run folder. */
export interface RunPlan {
  full: boolean;
  meta: boolean;
  params: boolean;
  tags: boolean;
  inputs: boolean;
  outputs: boolean;
  metricsList: boolean;
  metricKeys: Set<string>;
}

/** What to re-read of one experiment folder (`runs`: by run folder name). */
export interface ExpPlan {
  full: boolean;
  meta: boolean;
  datasets: Set<string>;
  allDatasets: boolean;
  modelsList: boolean;
  models: Set<string>;
  runs: Map<string, RunPlan>;
}

export interface Plan {
  /** Re-list the top level (experiments may have appeared, gone or moved to/from `.trash/`). */
  top: boolean;
  registry: boolean;
  exps: Map<string, ExpPlan>;
}

/**
 * The plan for `changedPaths` in the store at `root` (resolved). `knownExperiments`: the
 * experiments read so far, all re-read when an ancestor of the store changed.
 */
export function planRefresh(root: string, knownExperiments: ReadonlyMap<string, unknown>, changedPaths: readonly string[]): Plan {
  const plan: Plan = { top: false, registry: false, exps: new Map() };
  const expPlan = (id: string): ExpPlan => expPlanOf(plan, id);
  for (const raw of changedPaths) {
    const abs = path.resolve(raw);
    const rel = path.relative(root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      // An ancestor of the store (e.g. the project folder moved back): everything may have changed.
      const up = path.relative(abs, root);
      if (!up.startsWith('..') && !path.isAbsolute(up)) {
        plan.top = true;
        plan.registry = true;
        for (const id of knownExperiments.keys()) expPlan(id).full = true;
      }
      continue;
    }
    const parts = rel === '' ? [] : rel.split(path.sep);
    if (parts[0] === '.trash') {
      parts.shift();
      if (parts.length === 0) {
        plan.top = true;
        continue;
      }
    } else if (parts.length === 0) {
      plan.top = true;
      plan.registry = true;
      continue;
    } else if (parts[0] === 'models') {
      plan.registry = true;
      continue;
    }
    const id = parts[0] as string;
    if (id.startsWith('.')) continue;
    const ep = expPlan(id);
    if (parts.length === 1) {
      ep.full = true;
      continue;
    }
    const second = parts[1] as string;
    if (second === 'meta.yaml' || second === 'tags') ep.meta = true;
    else if (second === 'datasets') {
      if (parts.length >= 3) ep.datasets.add(parts[2] as string);
      else ep.allDatasets = true;
    } else if (second === 'models') {
      if (parts.length >= 3) ep.models.add(parts[2] as string);
      else ep.modelsList = true;
    } else if (second === 'traces' || second.startsWith('.')) {
      continue;
    } else if (parts.length >= 2) {
      const rp = runPlanOf(ep, second);
      if (parts.length === 2) {
        rp.full = true;
        continue;
      }
      switch (parts[2]) {
        case 'meta.yaml':
          rp.meta = true;
          break;
        case 'params':
          rp.params = true;
          break;
        case 'tags':
          rp.tags = true;
          break;
        case 'inputs':
          rp.inputs = true;
          break;
        case 'outputs':
          rp.outputs = true;
          break;
        case 'metrics':
          if (parts.length === 3) rp.metricsList = true;
          else rp.metricKeys.add(parts.slice(3).join('/'));
          break;
        default:
          // artifacts/ and unknown files do not change the run record.
          break;
      }
    }
  }
  return plan;
}

export function expPlanOf(plan: Plan, id: string): ExpPlan {
  let p = plan.exps.get(id);
  if (!p) {
    p = {
      full: false,
      meta: false,
      datasets: new Set(),
      allDatasets: false,
      modelsList: false,
      models: new Set(),
      runs: new Map(),
    };
    plan.exps.set(id, p);
  }
  return p;
}

export function runPlanOf(ep: ExpPlan, name: string): RunPlan {
  let rp = ep.runs.get(name);
  if (!rp) {
    rp = {
      full: false,
      meta: false,
      params: false,
      tags: false,
      inputs: false,
      outputs: false,
      metricsList: false,
      metricKeys: new Set(),
    };
    ep.runs.set(name, rp);
  }
  return rp;
}
