// Helpers shared by the file-store reader tests: store info, a tiny store writer (the shapes MLflow
// writes, format doc section 2) and a mirror that applies StoreChanges the way the index does.
import { accessSync, chmodSync, constants, copyFileSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JsonValue } from '../../electron/engine/mlflow-dump.ts';
import type { Experiment, LoggedModel, RegisteredModel, Run, StoreInfo, StoreSnapshot } from '../../electron/engine/model.ts';
import type { StoreChange } from '../../electron/engine/stores/reader.ts';

/** A deep copy without any `artifacts` key (artifact listing is tested elsewhere). */
export function stripArtifacts(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(stripArtifacts);
  if (v === null || typeof v !== 'object') return v;
  const out: { [k: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'artifacts') out[k] = stripArtifacts(x);
  return out;
}

/**
 * A temp dir for stores the tests write, in RAM (/dev/shm) where there is one: these tests create
 * thousands of small files, and on a busy disk each creation can take milliseconds. The reader
 * does not care which file system it reads.
 */
export async function fastTempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  let base = tmpdir();
  try {
    accessSync('/dev/shm', constants.W_OK);
    base = '/dev/shm';
  } catch {
    // no RAM disk: the OS temp dir
  }
  const dir = await mkdtemp(path.join(base, prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A writable copy of a store (the shared fixtures have no write bits), without `artifacts/`
 * folders: the reader never reads them and they hold most of the bytes.
 */
export function copyTree(src: string, dest: string): void {
  mkdirSync(dest, { recursive: true, mode: 0o755 });
  for (const e of readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const d = path.join(dest, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'artifacts') copyTree(s, d);
    } else if (e.isSymbolicLink()) symlinkSync(readlinkSync(s), d);
    else {
      copyFileSync(s, d);
      // copyFileSync keeps the source mode (read-only here): make the copy writable.
      chmodSync(d, 0o644);
    }
  }
}

export function fileStoreInfo(mlruns: string): StoreInfo {
  return { id: mlruns, kind: 'file', path: mlruns, artifactRoot: mlruns };
}

export const EXP_ID = '387161336320449950';

export async function writeExperiment(root: string, id: string, name: string, extra = ''): Promise<string> {
  const dir = path.join(root, id);
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'meta.yaml'),
    `artifact_location: file://${dir}\ncreation_time: 1795697840901\nexperiment_id: '${id}'\n` +
      `last_update_time: 1795697840901\nlifecycle_stage: active\nname: ${name}\n${extra}`,
  );
  return dir;
}

export interface RunSpec {
  name?: string;
  status?: number;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  /** key -> file content (lines, usually `\n`-terminated) */
  metrics?: Record<string, string>;
  lifecycle?: 'active' | 'deleted';
  startTime?: number;
}

export function runMeta(expId: string, runId: string, spec: RunSpec = {}, dir = '/tmp/x'): string {
  return (
    `artifact_uri: file://${dir}/artifacts\nend_time: 1795697841046\nentry_point_name: ''\n` +
    `experiment_id: '${expId}'\nlifecycle_stage: ${spec.lifecycle ?? 'active'}\nrun_id: ${runId}\n` +
    `run_name: ${spec.name ?? 'run'}\nsource_name: ''\nsource_type: 4\nsource_version: ''\n` +
    `start_time: ${spec.startTime ?? 1795697840951}\nstatus: ${spec.status ?? 3}\ntags: []\nuser_id: alice\n`
  );
}

export async function writeRun(root: string, expId: string, runId: string, spec: RunSpec = {}): Promise<string> {
  const dir = path.join(root, expId, runId);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'meta.yaml'), runMeta(expId, runId, spec, dir));
  const put = async (folder: string, rec: Record<string, string> | undefined) => {
    for (const [k, v] of Object.entries(rec ?? {})) {
      const p = path.join(dir, folder, ...k.split('/'));
      await mkdir(path.dirname(p), { recursive: true });
      await writeFile(p, v);
    }
  };
  await put('params', spec.params);
  await put('tags', { 'mlflow.runName': spec.name ?? 'run', ...spec.tags });
  await put('metrics', spec.metrics);
  return dir;
}

/** What the index would hold after applying a load and a series of changes. */
export class Mirror {
  experiments = new Map<string, Experiment>();
  runs = new Map<string, Run>();
  models = new Map<string, LoggedModel>();
  registry: RegisteredModel[] = [];

  static of(snap: StoreSnapshot): Mirror {
    const m = new Mirror();
    for (const e of snap.experiments) m.experiments.set(e.experimentId, e);
    for (const r of snap.runs) m.runs.set(r.runId, r);
    for (const x of snap.loggedModels) m.models.set(x.modelId, x);
    m.registry = snap.registry;
    return m;
  }

  apply(c: StoreChange): void {
    for (const id of c.removedExperimentIds) this.experiments.delete(id);
    for (const id of c.removedRunIds) this.runs.delete(id);
    for (const id of c.removedLoggedModelIds) this.models.delete(id);
    for (const e of c.experiments) this.experiments.set(e.experimentId, e);
    for (const r of c.runs) this.runs.set(r.runId, r);
    for (const x of c.loggedModels) this.models.set(x.modelId, x);
    if (c.registry !== null) this.registry = c.registry;
  }

  /** Order-independent form for toEqual. */
  canonical(): unknown {
    const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      experiments: sorted(this.experiments),
      runs: sorted(this.runs).map(([id, r]) => [id, { ...r, inputs: sortInputs(r.inputs), outputs: sortOutputs(r.outputs) }]),
      models: sorted(this.models).map(([id, m]) => [id, { ...m, metrics: [...m.metrics].sort((a, b) => cmp(a.key + (a.datasetName ?? ''), b.key + (b.datasetName ?? ''))) }]),
      registry: [...this.registry].sort((a, b) => cmp(a.name, b.name)),
    };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
function sortInputs(i: Run['inputs']): Run['inputs'] {
  return { datasets: [...i.datasets].sort((a, b) => cmp(a.name + a.digest, b.name + b.digest)), models: [...i.models].sort() };
}
function sortOutputs(o: Run['outputs']): Run['outputs'] {
  return { models: [...o.models].sort((a, b) => cmp(a.modelId, b.modelId)) };
}

/** Diagnostics as "relative path: problem" lines, sorted (stable across temp dirs). */
export function diagLines(root: string, diags: { path: string; problem: string }[]): string[] {
  return diags.map((d) => `${path.relative(root, d.path)}: ${d.problem}`).sort();
}
