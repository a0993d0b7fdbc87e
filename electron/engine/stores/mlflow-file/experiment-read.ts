// The file store above its runs (format doc 2.1, 2.10, 2.12): where each experiment lives (active
// or in `.trash/`), its meta.yaml and tags, which of its folders are runs and which logged models,
// each logged model, and the registry under `models/`. Every read records its diagnostics under a
// scope of its own, so re-reading one thing replaces only its diagnostics.
import path from 'node:path';
import type { LoggedModelMetric, RegisteredModel } from '../../model.ts';
import type { Collector } from './diagnostics.ts';
import { describeError, isDir, listDir } from './fs-util.ts';
import { walkKeys, type WalkProblem } from './key-walk.ts';
import { readModelMetric } from './model-metric-file.ts';
import type { ReadContext } from './read-context.ts';
import { readKeyValues, readMetaFile } from './read-helpers.ts';
import { experimentFromMeta, loggedModelFromMeta } from './records.ts';
import { readRegistry } from './registry.ts';
import type { ExpEntry, ModelEntry } from './store-cache.ts';

/** Top-level names that are not experiments (format doc 2.1). */
const RESERVED_TOP = new Set(['.trash', 'models']);
/** Names inside an experiment folder that are not runs (format doc 2.1). */
const RESERVED_IN_EXPERIMENT = new Set(['tags', 'datasets', 'models', 'traces']);

/** Where an experiment's folder is. */
export interface Location {
  dir: string;
  trashed: boolean;
}

/** Where each experiment lives: `mlruns/<id>` wins over `.trash/<id>`, as in MLflow's lookup. */
export async function locateExperiments(ctx: ReadContext): Promise<Map<string, Location>> {
  const scope = `${ctx.root}#top`;
  const c = ctx.book.collector();
  const out = new Map<string, Location>();
  const top = await listDir(ctx.io, ctx.root);
  if (!top.ok) {
    c.add(ctx.root, `store folder ${describeError(top.code)} (nothing read)`);
    ctx.book.set(scope, c.list);
    return out;
  }
  for (const n of top.badNames) c.add(path.join(ctx.root, n), 'folder name is not valid UTF-8 (skipped)');
  for (const e of top.entries) {
    if (!(e.isDirectory() || e.isSymbolicLink()) || RESERVED_TOP.has(e.name) || e.name.startsWith('.')) continue;
    out.set(e.name, { dir: path.join(ctx.root, e.name), trashed: false });
  }
  const trashDir = path.join(ctx.root, '.trash');
  const trash = await listDir(ctx.io, trashDir);
  if (trash.ok) {
    for (const n of trash.badNames) c.add(path.join(trashDir, n), 'folder name is not valid UTF-8 (skipped)');
    for (const e of trash.entries) {
      if (!(e.isDirectory() || e.isSymbolicLink()) || e.name.startsWith('.')) continue;
      const dir = path.join(trashDir, e.name);
      if (out.has(e.name)) noteShadowedTrash(ctx, e.name, true);
      else out.set(e.name, { dir, trashed: true });
    }
  } else if (trash.code !== 'ENOENT') {
    c.add(trashDir, `trash folder ${describeError(trash.code)} (deleted experiments not read)`);
  }
  ctx.book.set(scope, c.list);
  return out;
}

/** An experiment both active and in .trash: MLflow finds the active one first. */
export function noteShadowedTrash(ctx: ReadContext, id: string, shadowed: boolean): void {
  const dir = path.join(ctx.root, '.trash', id);
  ctx.book.one(`${dir}#shadowed`, dir, shadowed ? `experiment ${id} is also active; this deleted copy is ignored (as MLflow does)` : null);
}

export async function locateOne(ctx: ReadContext, id: string): Promise<Location | null> {
  const active = path.join(ctx.root, id);
  if (await isDir(ctx.io, active)) return { dir: active, trashed: false };
  const trashed = path.join(ctx.root, '.trash', id);
  if (await isDir(ctx.io, trashed)) return { dir: trashed, trashed: true };
  return null;
}

export async function readExperimentAt(ctx: ReadContext, id: string, loc: Location): Promise<ExpEntry | null> {
  const scope = `${loc.dir}#meta`;
  const c = ctx.book.collector();
  const metaPath = path.join(loc.dir, 'meta.yaml');
  const done = (entry: ExpEntry | null) => {
    ctx.book.set(scope, c.list);
    return entry;
  };
  const meta = await readMetaFile(ctx.io, metaPath);
  if (!meta.ok) {
    c.add(
      metaPath,
      meta.missing
        ? 'no meta.yaml: folder skipped (not an experiment)'
        : `${meta.problem} (experiment skipped with its runs)`,
    );
    return done(null);
  }
  const rec = experimentFromMeta(meta.map, c.at(metaPath));
  if (rec === null) {
    c.add(metaPath, 'no experiment_id (experiment skipped with its runs)');
    return done(null);
  }
  if (rec.experimentId !== id) {
    c.add(
      metaPath,
      `experiment_id "${rec.experimentId}" does not match the folder name "${id}" (experiment skipped, as MLflow does)`,
    );
    return done(null);
  }
  const tags = await readKeyValues(ctx.io, path.join(loc.dir, 'tags'), c, 'experiment tag');
  return done({
    id,
    dir: loc.dir,
    trashed: loc.trashed,
    // A folder in .trash/ is a deleted experiment whatever its meta.yaml says (a move by hand).
    exp: { ...rec, lifecycleStage: loc.trashed ? 'deleted' : rec.lifecycleStage, tags },
    runIds: new Set(),
    modelIds: new Set(),
    datasets: new Map(),
  });
}

export async function listExperimentChildren(ctx: ReadContext, exp: ExpEntry): Promise<{ runs: string[]; models: string[] }> {
  const scope = `${exp.dir}#list`;
  const c = ctx.book.collector();
  const runs: string[] = [];
  const models: string[] = [];
  const l = await listDir(ctx.io, exp.dir);
  if (!l.ok) {
    c.add(exp.dir, `experiment folder ${describeError(l.code)} (runs not read)`);
  } else {
    for (const n of l.badNames) c.add(path.join(exp.dir, n), 'folder name is not valid UTF-8 (skipped)');
    let hasModels = false;
    for (const e of l.entries) {
      if (!(e.isDirectory() || e.isSymbolicLink()) || e.name.startsWith('.')) continue;
      if (e.name === 'models') hasModels = true;
      if (RESERVED_IN_EXPERIMENT.has(e.name)) continue;
      runs.push(e.name);
    }
    if (hasModels) models.push(...(await listModelFolders(ctx, exp, c)));
  }
  ctx.book.set(scope, c.list);
  return { runs, models };
}

export async function listModelFolders(ctx: ReadContext, exp: ExpEntry, c: Collector): Promise<string[]> {
  const dir = path.join(exp.dir, 'models');
  const l = await listDir(ctx.io, dir);
  if (!l.ok) {
    if (l.code !== 'ENOENT') c.add(dir, `logged models folder ${describeError(l.code)} (logged models not read)`);
    return [];
  }
  for (const n of l.badNames) c.add(path.join(dir, n), 'folder name is not valid UTF-8 (skipped)');
  return l.entries.filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.')).map((e) => e.name);
}

// ---- logged models ---------------------------------------------------------------------------

export async function readLoggedModel(ctx: ReadContext, exp: ExpEntry, name: string): Promise<ModelEntry | null> {
  const dir = path.join(exp.dir, 'models', name);
  ctx.book.clearUnder(dir);
  const c = ctx.book.collector();
  const done = (m: ModelEntry | null) => {
    ctx.book.set(dir, c.list);
    return m;
  };
  const metaPath = path.join(dir, 'meta.yaml');
  const meta = await readMetaFile(ctx.io, metaPath);
  if (!meta.ok) {
    if (meta.missing && !(await isDir(ctx.io, dir))) return done(null);
    c.add(metaPath, `${meta.missing ? 'no meta.yaml' : meta.problem} (logged model skipped)`);
    return done(null);
  }
  const rec = loggedModelFromMeta(meta.map, c.at(metaPath));
  const [params, tags, metrics] = await Promise.all([
    readKeyValues(ctx.io, path.join(dir, 'params'), c, 'param'),
    readKeyValues(ctx.io, path.join(dir, 'tags'), c, 'tag'),
    readModelMetrics(ctx, path.join(dir, 'metrics'), c),
  ]);
  return done({
    modelId: name,
    expId: exp.id,
    dir,
    model: { modelId: name, experimentId: exp.id, ...rec, params, tags, metrics },
  });
}

async function readModelMetrics(ctx: ReadContext, base: string, c: Collector): Promise<LoggedModelMetric[]> {
  const problems: WalkProblem[] = [];
  const files = await walkKeys(ctx.io, base, problems);
  for (const p of problems) c.add(p.path, p.problem);
  const results = await Promise.all(files.map((f) => readModelMetric(ctx.io, f.abs, f.key, `metrics/${f.key}`)));
  const out: LoggedModelMetric[] = [];
  files.forEach((f, i) => {
    const r = results[i]!;
    if (!r.ok) {
      c.add(f.abs, `metrics/${f.key}: ${describeError(r.code, f.viaSymlink)} (metric skipped)`);
      return;
    }
    if (r.problem !== null) c.add(f.abs, r.problem);
    out.push(...r.metrics);
  });
  return out;
}

// ---- the registry ------------------------------------------------------------------------------

/** The registry under `models/` (registry.ts), its diagnostics in one scope. */
export async function readStoreRegistry(ctx: ReadContext): Promise<RegisteredModel[]> {
  const dir = path.join(ctx.root, 'models');
  const c = ctx.book.collector();
  const reg = await readRegistry(ctx.io, dir, c);
  ctx.book.set(`${dir}#registry`, c.list);
  return reg;
}
