// Change detection without a watch, from mtimes alone: a record's signature (the newest mtime of
// the files and folders it is read from) and what changed in the experiment folders since a time.
// The tiered poll of finished runs and the catch-up after a snapshot (file-store-watch.ts) use it.
import path from 'node:path';
import type { Probe } from './watch-probe.ts';

/** What a run's index record comes from (artifacts/ is never read into it). */
const RUN_SIGNATURE = ['meta.yaml', 'metrics', 'params', 'tags', 'inputs', 'outputs'];
const MODEL_SIGNATURE = ['meta.yaml', 'metrics', 'params', 'tags'];
/** Names inside an experiment folder that are not runs (as the reader has them). */
const RESERVED_IN_EXPERIMENT = new Set(['tags', 'datasets', 'models', 'traces']);

/** The newest mtime among the files/folders a record comes from; 0 when none exists. */
export async function signature(probe: Probe, dir: string, parts: readonly string[] = RUN_SIGNATURE): Promise<number> {
  let newest = 0;
  for (const rel of parts) {
    const t = await probe.mtime(path.join(dir, rel));
    if (t > newest) newest = t;
  }
  return newest;
}

/** Experiments, runs the index does not know and logged models changed since `after`. */
export async function changedInExperiments(
  probe: Probe,
  root: string,
  runDirs: Iterable<string>,
  after: number,
  isClosed: () => boolean,
): Promise<string[]> {
  const out: string[] = [];
  const known = new Map<string, Set<string>>();
  for (const dir of runDirs) {
    const exp = path.dirname(dir);
    let names = known.get(exp);
    if (!names) known.set(exp, (names = new Set()));
    names.add(path.basename(dir));
  }
  for (const name of await probe.folders(root)) {
    if (isClosed()) return [];
    if (name.startsWith('.') || name === 'models') continue;
    const exp = path.join(root, name);
    if ((await probe.mtime(exp)) >= after) {
      // Its listing changed: runs created or deleted, or meta.yaml replaced.
      out.push(path.join(exp, 'meta.yaml'));
      const runs = known.get(exp);
      for (const child of await probe.folders(exp)) {
        if (!child.startsWith('.') && !RESERVED_IN_EXPERIMENT.has(child) && !runs?.has(child)) out.push(path.join(exp, child));
      }
    } else if ((await signature(probe, exp, ['meta.yaml', 'tags'])) >= after) {
      out.push(path.join(exp, 'meta.yaml'));
    }
    const models = path.join(exp, 'models');
    const modelsTime = await probe.mtime(models);
    if (modelsTime === 0) continue;
    if (modelsTime >= after) out.push(models);
    for (const id of await probe.folders(models)) {
      if (!id.startsWith('.') && (await signature(probe, path.join(models, id), MODEL_SIGNATURE)) >= after) out.push(path.join(models, id));
    }
  }
  return out;
}
