// One run folder of the file store (format doc 2.2-2.9): its meta.yaml, params, tags, metric
// files, inputs (datasets, logged models) and outputs, read whole for a load or a cold run, or
// part by part when a refresh names only some of them. The metric states a read leaves behind
// (metric-file.ts) are what the next refresh of a hot run continues from.
import path from 'node:path';
import type { DatasetInput, MetricPoint, Run, RunOutputModel } from '../../model.ts';
import { describeError, listDir } from './fs-util.ts';
import { walkKeys, type KeyFile, type WalkProblem } from './key-walk.ts';
import { mapField, intField, textField, textMap } from './meta-yaml.ts';
import { RUN_LINE_FORM, RunMetricState, badLinesProblem, type MetricReadResult, updateRunMetric } from './metric-file.ts';
import { isSafeName, type ReadContext } from './read-context.ts';
import { readKeyValues, readMetaFile } from './read-helpers.ts';
import { datasetFromMeta, runFromMeta, type DatasetMeta, type RunMeta } from './records.ts';
import type { ExpEntry, HotRun } from './store-cache.ts';

/** readRunMetrics' status bits. */
export const METRICS_CHANGED = 1;
export const METRICS_RELIST = 2;

/** One run folder read whole. */
export interface ReadRun extends HotRun {
  datasetRefs: string[];
}

interface Inputs {
  datasets: DatasetInput[];
  models: string[];
  refs: string[];
}

export function sortedMetrics(states: Map<string, RunMetricState>): Record<string, MetricPoint> {
  const out: Record<string, MetricPoint> = {};
  for (const key of [...states.keys()].sort()) {
    const p = (states.get(key) as RunMetricState).latest();
    if (p !== null) out[key] = p;
  }
  return out;
}

export function assembleRun(
  runId: string,
  meta: RunMeta,
  parts: Pick<Run, 'params' | 'tags' | 'metrics' | 'inputs' | 'outputs'>,
): Run {
  return {
    runId,
    experimentId: meta.experimentId,
    // MLflow falls back to the mlflow.runName tag when run_name is missing or empty (get_run).
    runName: meta.runName || parts.tags['mlflow.runName'] || '',
    status: meta.status,
    startTime: meta.startTime,
    endTime: meta.endTime,
    lifecycleStage: meta.lifecycleStage,
    userId: meta.userId,
    artifactUri: meta.artifactUri,
    deletedTime: meta.deletedTime,
    params: parts.params,
    tags: parts.tags,
    metrics: parts.metrics,
    inputs: parts.inputs,
    outputs: parts.outputs,
  };
}

/**
 * Reads a run folder whole; null when it is not a readable run (diagnostic recorded). `fresh`:
 * during a load the book is empty, and clearing scopes per run would cost O(diagnostics) each.
 */
export async function readRunFull(ctx: ReadContext, exp: ExpEntry, name: string, fresh = false): Promise<ReadRun | null> {
  const dir = path.join(exp.dir, name);
  if (!fresh) ctx.book.clearUnder(dir);
  const l = await listDir(ctx.io, dir);
  if (!l.ok) {
    // A folder that vanished is a removal, not a problem.
    if (l.code !== 'ENOENT') {
      const c = ctx.book.collector();
      c.add(dir, `run folder ${describeError(l.code)} (run skipped)`);
      ctx.book.set(`${dir}#meta`, c.list);
    }
    return null;
  }
  const has = new Set(l.entries.map((e) => e.name));
  const meta = await readRunMeta(ctx, dir, exp, name, has.has('meta.yaml'));
  if (meta === null) return null;
  const states = new Map<string, RunMetricState>();
  const [params, tags, , inputs, outputs] = await Promise.all([
    has.has('params') ? readRunKeys(ctx, dir, 'params', 'param') : {},
    has.has('tags') ? readRunKeys(ctx, dir, 'tags', 'tag') : {},
    has.has('metrics') ? readRunMetrics(ctx, dir, states, false, null) : 0,
    has.has('inputs') ? readInputs(ctx, exp, dir) : { datasets: [], models: [], refs: [] },
    has.has('outputs') ? readOutputs(ctx, dir) : [],
  ]);
  return {
    meta,
    metricStates: states,
    datasetRefs: inputs.refs,
    run: assembleRun(name, meta, {
      params,
      tags,
      metrics: sortedMetrics(states),
      inputs: { datasets: inputs.datasets, models: inputs.models },
      outputs: { models: outputs },
    }),
  };
}

export async function readRunMeta(ctx: ReadContext, dir: string, exp: ExpEntry, name: string, present = true): Promise<RunMeta | null> {
  const scope = `${dir}#meta`;
  const c = ctx.book.collector();
  const metaPath = path.join(dir, 'meta.yaml');
  const done = (m: RunMeta | null) => {
    ctx.book.set(scope, c.list);
    return m;
  };
  const meta = present ? await readMetaFile(ctx.io, metaPath) : ({ ok: false, missing: true, problem: '' } as const);
  if (!meta.ok) {
    c.add(
      metaPath,
      meta.missing
        ? 'no meta.yaml: folder skipped (not a run; MLflow ignores it too)'
        : `${meta.problem} (run skipped)`,
    );
    return done(null);
  }
  const rec = runFromMeta(meta.map, c.at(metaPath));
  if (rec === null) {
    c.add(metaPath, 'no experiment_id (run skipped)');
    return done(null);
  }
  if (rec.experimentId !== exp.id) {
    c.add(
      metaPath,
      `experiment_id "${rec.experimentId}" does not match the experiment folder "${exp.id}" (run skipped, as MLflow does)`,
    );
    return done(null);
  }
  if (rec.runId !== '' && rec.runId !== name) {
    c.add(metaPath, `run_id "${rec.runId}" differs from the folder name (the folder name is used)`);
  }
  return done(rec);
}

export async function readRunKeys(ctx: ReadContext, dir: string, folder: 'params' | 'tags', what: string): Promise<Record<string, string>> {
  const c = ctx.book.collector();
  const out = await readKeyValues(ctx.io, path.join(dir, folder), c, what);
  ctx.book.set(`${dir}#${folder}`, c.list);
  return out;
}

/**
 * Updates the metric states of a run. `keys` null = walk `metrics/` (keys that disappeared are
 * dropped); otherwise only those keys. Returns METRICS_CHANGED and/or METRICS_RELIST (a listed key
 * turned out not to be a plain file any more: the caller then walks the folder).
 */
export async function readRunMetrics(
  ctx: ReadContext,
  dir: string,
  states: Map<string, RunMetricState>,
  checkReplaced: boolean,
  keys: string[] | null,
): Promise<number> {
  let status = 0;
  const base = path.join(dir, 'metrics');
  let files: KeyFile[];
  if (keys === null) {
    const problems: WalkProblem[] = [];
    files = await walkKeys(ctx.io, base, problems);
    const c = ctx.book.collector();
    for (const p of problems) c.add(p.path, p.problem);
    ctx.book.set(`${dir}#metrics`, c.list);
    const present = new Set(files.map((f) => f.key));
    for (const k of [...states.keys()]) {
      if (!present.has(k)) {
        states.delete(k);
        ctx.book.clear(path.join(base, ...k.split('/')));
        status |= METRICS_CHANGED;
      }
    }
  } else {
    files = keys
      .filter((k) => k.split('/').every(isSafeName))
      .map((k) => ({ key: k, abs: path.join(base, ...k.split('/')), viaSymlink: false }));
  }
  for (const f of files) {
    let one = readOneMetric(ctx, f, states, checkReplaced);
    if (one instanceof Promise) one = await one;
    status |= one;
  }
  return status;
}

/** METRICS_CHANGED, METRICS_RELIST when the file is gone or is a folder, or 0. */
function readOneMetric(ctx: ReadContext, f: KeyFile, states: Map<string, RunMetricState>, checkReplaced: boolean): number | Promise<number> {
  const st = states.get(f.key) ?? new RunMetricState();
  const r = updateRunMetric(ctx.io, f.abs, st, checkReplaced);
  // Blocking I/O answers synchronously: no promise per metric file on a cold index.
  if (r instanceof Promise) return r.then((x) => afterMetricRead(ctx, f, states, st, x));
  return afterMetricRead(ctx, f, states, st, r);
}

function afterMetricRead(ctx: ReadContext, f: KeyFile, states: Map<string, RunMetricState>, st: RunMetricState, r: MetricReadResult): number {
  if (!r.ok) {
    states.delete(f.key);
    if (!f.viaSymlink && (r.code === 'ENOENT' || r.code === 'EISDIR')) {
      ctx.book.clear(f.abs);
      return METRICS_RELIST | METRICS_CHANGED;
    }
    ctx.book.one(f.abs, f.abs, `metrics/${f.key}: ${describeError(r.code, f.viaSymlink)} (metric skipped)`);
    return METRICS_CHANGED;
  }
  states.set(f.key, st);
  let problem: string | null = null;
  if (st.bad > 0 || st.badTail !== null) problem = badLinesProblem(`metrics/${f.key}`, st, RUN_LINE_FORM);
  else if (st.lines === 0 && st.offset === 0 && st.tail === null && !st.pending) {
    // MLflow fails the whole run on an empty metric file; we only leave the metric out.
    problem = `metrics/${f.key}: empty metric file (metric skipped)`;
  }
  ctx.book.one(f.abs, f.abs, problem);
  return r.changed ? METRICS_CHANGED : 0;
}

export async function readInputs(ctx: ReadContext, exp: ExpEntry, dir: string): Promise<Inputs> {
  const base = path.join(dir, 'inputs');
  const c = ctx.book.collector();
  const out: Inputs = { datasets: [], models: [], refs: [] };
  const l = await listDir(ctx.io, base);
  if (!l.ok) {
    if (l.code !== 'ENOENT') c.add(base, `inputs folder ${describeError(l.code)} (inputs skipped)`);
  } else {
    for (const n of l.badNames) c.add(path.join(base, n), 'folder name is not valid UTF-8 (input skipped)');
    const dirs = l.entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name);
    const metas = await Promise.all(dirs.map((d) => readMetaFile(ctx.io, path.join(base, d, 'meta.yaml'))));
    for (let i = 0; i < dirs.length; i++) {
      const metaPath = path.join(base, dirs[i] as string, 'meta.yaml');
      const m = metas[i]!;
      if (!m.ok) {
        c.add(metaPath, `${m.missing ? 'missing' : m.problem} (input skipped)`);
        continue;
      }
      const sourceType = textField(m.map, 'source_type');
      const sourceId = textField(m.map, 'source_id') ?? '';
      if (sourceType === 'DATASET') {
        out.refs.push(sourceId);
        const ds = await dataset(ctx, exp, sourceId);
        if (ds === null) {
          c.add(metaPath, `dataset "${sourceId}" missing or unreadable in the experiment's datasets/ (input skipped)`);
          continue;
        }
        out.datasets.push({ ...ds, tags: textMap(mapField(m.map, 'tags')) });
      } else if (sourceType === 'MODEL') {
        // Model inputs (format doc 2.9/3.2): a logged model the run used.
        out.models.push(sourceId);
      } else {
        c.add(metaPath, `unknown input source_type "${sourceType ?? ''}" (input skipped)`);
      }
    }
  }
  ctx.book.set(`${dir}#inputs`, c.list);
  return out;
}

function dataset(ctx: ReadContext, exp: ExpEntry, id: string): Promise<DatasetMeta | null> {
  let p = exp.datasets.get(id);
  if (!p) {
    p = readDataset(ctx, exp, id);
    exp.datasets.set(id, p);
  }
  return p;
}

async function readDataset(ctx: ReadContext, exp: ExpEntry, id: string): Promise<DatasetMeta | null> {
  if (!isSafeName(id)) return null;
  const metaPath = path.join(exp.dir, 'datasets', id, 'meta.yaml');
  const c = ctx.book.collector();
  const m = await readMetaFile(ctx.io, metaPath);
  let out: DatasetMeta | null = null;
  if (!m.ok) {
    if (!m.missing) c.add(metaPath, `${m.problem} (dataset skipped)`);
  } else {
    out = datasetFromMeta(m.map, c.at(metaPath, ' (dataset skipped)'));
  }
  ctx.book.set(metaPath, c.list);
  return out;
}

export async function readOutputs(ctx: ReadContext, dir: string): Promise<RunOutputModel[]> {
  const base = path.join(dir, 'outputs');
  const c = ctx.book.collector();
  const out: RunOutputModel[] = [];
  const l = await listDir(ctx.io, base);
  if (!l.ok) {
    if (l.code !== 'ENOENT') c.add(base, `outputs folder ${describeError(l.code)} (outputs skipped)`);
  } else {
    for (const n of l.badNames) c.add(path.join(base, n), 'folder name is not valid UTF-8 (output skipped)');
    const dirs = l.entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name);
    const metas = await Promise.all(dirs.map((d) => readMetaFile(ctx.io, path.join(base, d, 'meta.yaml'))));
    dirs.forEach((d, i) => {
      const m = metas[i]!;
      const metaPath = path.join(base, d, 'meta.yaml');
      if (!m.ok) {
        c.add(metaPath, `${m.missing ? 'missing' : m.problem} (output skipped)`);
        return;
      }
      // Both ids are the model id (format doc 2.10); the folder name is the same id again.
      const modelId = textField(m.map, 'destination_id') ?? textField(m.map, 'source_id') ?? d;
      out.push({ modelId, step: intField(m.map, 'step') ?? 0 });
    });
  }
  ctx.book.set(`${dir}#outputs`, c.list);
  return out;
}
