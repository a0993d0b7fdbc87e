// Live updates of the file store: refresh(changedPaths) re-reads only what the paths touch and
// returns whole records. After every refresh, the state the changes build (as the index applies
// them) must equal a fresh load of the store, diagnostics included.
import { appendFile, mkdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreReader } from '../../electron/engine/stores/reader.ts';
import { createFileStoreReader } from '../../electron/engine/stores/mlflow-file/index.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { copyTree, diagLines, fastTempDir, fileStoreInfo, Mirror, runMeta, writeRun } from '../helpers/file-store.ts';

const MAIN = '387161336320449950';
const DELETED_EXP = '549616697491748688';
const METRICS_ZOO = '5e9eac5ae3de4277a82ad6920479969a';
const PARAMS_TAGS = '360df678cf414cf5819763a7c64c39e3';
const CLASSIFIER_MODEL = 'm-3a74452680ce4871940237b65cadee40';

let root: string;
let cleanup: () => Promise<void>;
let reader: StoreReader;
let mirror: Mirror;

beforeEach(async () => {
  const tmp = await fastTempDir('runsight-file-refresh-');
  cleanup = tmp.cleanup;
  root = path.join(tmp.dir, 'mlruns');
  copyTree(path.join(fixturePath('kitchen-sink'), 'mlruns'), root);
  reader = createFileStoreReader(fileStoreInfo(root));
  mirror = Mirror.of(await reader.load());
});

afterEach(async () => {
  await reader.close();
  await cleanup();
});

async function refresh(...paths: string[]) {
  const change = await reader.refresh(paths);
  mirror.apply(change);
  return change;
}

/** The refreshed state equals what a fresh load reads now. */
async function expectSameAsFreshLoad(): Promise<void> {
  const fresh = await createFileStoreReader(fileStoreInfo(root)).load();
  expect(mirror.canonical()).toEqual(Mirror.of(fresh).canonical());
  expect(diagLines(root, reader.diagnostics())).toEqual(diagLines(root, fresh.diagnostics));
}

const runDir = (exp: string, run: string) => path.join(root, exp, run);

describe('file store refresh: metrics', () => {
  it('an appended metric line comes back as that run with the new latest value', async () => {
    const file = path.join(runDir(MAIN, METRICS_ZOO), 'metrics', 'acc');
    await appendFile(file, '1795697999999 0.99 30\n');
    const change = await refresh(file);
    expect(change.runs.map((r) => r.runId)).toEqual([METRICS_ZOO]);
    expect(change.runs[0]!.metrics.acc).toMatchObject({ step: 30, timestamp: 1795697999999, value: 0.99 });
    expect(change.runs[0]!.metrics.loss).toEqual(mirror.runs.get(METRICS_ZOO)!.metrics.loss);
    expect(change.experiments).toEqual([]);
    expect(change.registry).toBeNull();
    const history = await reader.getMetricHistory(METRICS_ZOO, 'acc');
    expect(history.at(-1)).toMatchObject({ step: 30, value: 0.99 });
    expect(history).toHaveLength(7);
    await expectSameAsFreshLoad();
  });

  it('an appended line that is not the new latest still reports the run (its history changed)', async () => {
    const file = path.join(runDir(MAIN, METRICS_ZOO), 'metrics', 'acc');
    await appendFile(file, '1795697999999 0.1 1\n');
    const change = await refresh(file);
    expect(change.runs[0]!.metrics.acc).toMatchObject({ step: 20, value: 0.81 });
    expect(await reader.getMetricHistory(METRICS_ZOO, 'acc')).toHaveLength(7);
    // Nothing changed since: nothing to report.
    expect((await refresh(file)).runs).toEqual([]);
  });

  it('holds a half-written line back until its newline arrives', async () => {
    const file = path.join(runDir(MAIN, METRICS_ZOO), 'metrics', 'acc');
    await appendFile(file, '1795697999999 0.5');
    // A writer is mid-line: its mtime is now (set ahead so a slow test machine cannot age it).
    const soon = new Date(Date.now() + 60_000);
    await utimes(file, soon, soon);
    const first = await refresh(file);
    expect(mirror.runs.get(METRICS_ZOO)!.metrics.acc).toMatchObject({ step: 20, value: 0.81 });
    expect(first.runs.every((r) => r.metrics.acc?.step === 20)).toBe(true);
    expect(reader.diagnostics()).toEqual([]);
    await appendFile(file, '5 40\n');
    const second = await refresh(file);
    expect(second.runs[0]!.metrics.acc).toMatchObject({ step: 40, value: 0.55, timestamp: 1795697999999 });
    await expectSameAsFreshLoad();
  });

  it('re-reads a metric file that was truncated or replaced from the start', async () => {
    const file = path.join(runDir(MAIN, METRICS_ZOO), 'metrics', 'acc');
    await writeFile(file, '1 0.3 2\n');
    const change = await refresh(file);
    expect(change.runs[0]!.metrics.acc).toMatchObject({ step: 2, value: 0.3 });
    // Replaced by a longer file (new inode): not read from the old offset.
    const tmp = `${file}.tmp`;
    await writeFile(tmp, '1 0.3 2\n1 0.3 2\n1 0.3 2\n1 0.3 2\n1 0.3 2\n1 0.3 2\n1 0.3 2\n1 0.7 3\n');
    await rename(tmp, file);
    const again = await refresh(file, tmp);
    expect(again.runs[0]!.metrics.acc).toMatchObject({ step: 3, value: 0.7 });
    await expectSameAsFreshLoad();
  });

  it('a new metric key (nested folder) and a removed one', async () => {
    const dir = runDir(MAIN, METRICS_ZOO);
    await mkdir(path.join(dir, 'metrics', 'eval', 'deep'), { recursive: true });
    await writeFile(path.join(dir, 'metrics', 'eval', 'deep', 'f1'), '1 0.8 0\n');
    await rm(path.join(dir, 'metrics', 'weird', 'nan'));
    const change = await refresh(path.join(dir, 'metrics', 'eval'), path.join(dir, 'metrics', 'weird', 'nan'));
    const metrics = change.runs[0]!.metrics;
    expect(metrics['eval/deep/f1']?.value).toBe(0.8);
    expect(metrics['weird/nan']).toBeUndefined();
    await expectSameAsFreshLoad();
  });

  it('garbage appended to a metric file is reported; fixing the file clears the diagnostic', async () => {
    const file = path.join(runDir(MAIN, METRICS_ZOO), 'metrics', 'acc');
    const original = await readFile(file, 'utf8');
    await appendFile(file, 'oops\n1795697999999 0.42 99\n');
    await refresh(file);
    expect(mirror.runs.get(METRICS_ZOO)!.metrics.acc).toMatchObject({ step: 99, value: 0.42 });
    expect(diagLines(root, reader.diagnostics())).toEqual([
      `${MAIN}/${METRICS_ZOO}/metrics/acc: metrics/acc line 7: expected "<timestamp> <value> <step>", got "oops" (line skipped)`,
    ]);
    await expectSameAsFreshLoad();
    await writeFile(file, original);
    await refresh(file);
    expect(reader.diagnostics()).toEqual([]);
    await expectSameAsFreshLoad();
  });
});

describe('file store refresh: runs', () => {
  it('a new run folder appears', async () => {
    const id = 'feedfacefeedfacefeedfacefeedface';
    const dir = await writeRun(root, MAIN, id, { name: 'brand-new', params: { lr: '0.01' }, metrics: { loss: '1 0.9 0\n' } });
    const change = await refresh(dir, path.join(dir, 'meta.yaml'), path.join(dir, 'params', 'lr'));
    expect(change.runs.map((r) => r.runId)).toEqual([id]);
    expect(change.runs[0]).toMatchObject({ runName: 'brand-new', experimentId: MAIN, params: { lr: '0.01' } });
    expect(change.runs[0]!.metrics.loss?.value).toBe(0.9);
    await expectSameAsFreshLoad();
  });

  it('meta.yaml rewritten with lifecycle_stage: deleted brings the run back deleted', async () => {
    const meta = path.join(runDir(MAIN, PARAMS_TAGS), 'meta.yaml');
    const text = await readFile(meta, 'utf8');
    await writeFile(meta, `${text.replace('lifecycle_stage: active', 'lifecycle_stage: deleted')}deleted_time: 1795698000000\n`);
    const change = await refresh(meta);
    expect(change.runs).toHaveLength(1);
    expect(change.runs[0]).toMatchObject({ runId: PARAMS_TAGS, lifecycleStage: 'deleted', deletedTime: 1795698000000 });
    // The rest of the record is whole, not just the meta fields.
    expect(change.runs[0]!.params).toEqual(mirror.runs.get(PARAMS_TAGS)!.params);
    expect(Object.keys(change.runs[0]!.tags).length).toBeGreaterThan(3);
    await expectSameAsFreshLoad();
  });

  it('a tag and a param written later are picked up', async () => {
    const dir = runDir(MAIN, METRICS_ZOO);
    await mkdir(path.join(dir, 'params'), { recursive: true });
    await writeFile(path.join(dir, 'params', 'late'), 'yes');
    await writeFile(path.join(dir, 'tags', 'mlflow.runName'), 'renamed-by-tag');
    const change = await refresh(path.join(dir, 'params', 'late'), path.join(dir, 'tags', 'mlflow.runName'));
    expect(change.runs[0]!.params).toEqual({ late: 'yes' });
    expect(change.runs[0]!.tags['mlflow.runName']).toBe('renamed-by-tag');
    // run_name in meta.yaml wins over the tag (MLflow's rule).
    expect(change.runs[0]!.runName).toBe('metrics-zoo');
    await expectSameAsFreshLoad();
  });

  it('a removed run folder is reported in removedRunIds', async () => {
    const dir = runDir(MAIN, PARAMS_TAGS);
    await rm(dir, { recursive: true });
    const change = await refresh(dir, path.join(dir, 'meta.yaml'));
    expect(change.removedRunIds).toEqual([PARAMS_TAGS]);
    expect(change.runs).toEqual([]);
    await expectSameAsFreshLoad();
  });

  it('a meta.yaml that breaks removes the run with a diagnostic; repaired, the run and only it come back', async () => {
    const meta = path.join(runDir(MAIN, PARAMS_TAGS), 'meta.yaml');
    const text = await readFile(meta, 'utf8');
    await writeFile(meta, text.slice(0, 40));
    const broken = await refresh(meta);
    expect(broken.removedRunIds).toEqual([PARAMS_TAGS]);
    expect(diagLines(root, reader.diagnostics())).toEqual([`${MAIN}/${PARAMS_TAGS}/meta.yaml: no experiment_id (run skipped)`]);
    await expectSameAsFreshLoad();
    await writeFile(meta, text);
    const fixed = await refresh(meta);
    expect(fixed.runs.map((r) => r.runId)).toEqual([PARAMS_TAGS]);
    expect(reader.diagnostics()).toEqual([]);
    await expectSameAsFreshLoad();
  });

  it('changes below artifacts/ do not touch the run record', async () => {
    const dir = path.join(runDir(MAIN, METRICS_ZOO), 'artifacts');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'new.txt'), 'x');
    const change = await refresh(path.join(dir, 'new.txt'));
    expect(change).toEqual({
      experiments: [],
      removedExperimentIds: [],
      runs: [],
      removedRunIds: [],
      loggedModels: [],
      removedLoggedModelIds: [],
      registry: null,
    });
  });
});

describe('file store refresh: experiments, logged models, registry', () => {
  it('an experiment moved into .trash comes back deleted with its runs; restored, active again', async () => {
    const active = path.join(root, MAIN);
    const trashed = path.join(root, '.trash', MAIN);
    const runIds = [...mirror.runs.values()].filter((r) => r.experimentId === MAIN).map((r) => r.runId).sort();
    // As MLflow's delete_experiment does: rewrite meta.yaml, then move the folder.
    const meta = await readFile(path.join(active, 'meta.yaml'), 'utf8');
    await writeFile(path.join(active, 'meta.yaml'), meta.replace('lifecycle_stage: active', 'lifecycle_stage: deleted'));
    await mkdir(path.join(root, '.trash'), { recursive: true });
    await rename(active, trashed);
    const change = await refresh(active, trashed);
    expect(change.experiments.map((e) => [e.experimentId, e.lifecycleStage])).toEqual([[MAIN, 'deleted']]);
    expect(change.runs.map((r) => r.runId).sort()).toEqual(runIds);
    expect(change.removedRunIds).toEqual([]);
    expect(change.removedExperimentIds).toEqual([]);
    await expectSameAsFreshLoad();

    await rename(trashed, active);
    await writeFile(path.join(active, 'meta.yaml'), meta);
    const back = await refresh(trashed, active);
    expect(back.experiments.map((e) => [e.experimentId, e.lifecycleStage])).toEqual([[MAIN, 'active']]);
    expect(back.runs).toHaveLength(runIds.length);
    await expectSameAsFreshLoad();
  });

  it('a folder moved into .trash by hand counts as deleted even if its meta.yaml says active', async () => {
    const active = path.join(root, MAIN);
    const trashed = path.join(root, '.trash', MAIN);
    await rename(active, trashed);
    const change = await refresh(path.join(root, '.trash'), root);
    expect(change.experiments.map((e) => [e.experimentId, e.lifecycleStage])).toEqual([[MAIN, 'deleted']]);
    await expectSameAsFreshLoad();
  });

  it('a deleted experiment removed from .trash for good (mlflow gc) is reported removed with its runs', async () => {
    const runIds = [...mirror.runs.values()].filter((r) => r.experimentId === DELETED_EXP).map((r) => r.runId).sort();
    await rm(path.join(root, '.trash', DELETED_EXP), { recursive: true });
    const change = await refresh(path.join(root, '.trash', DELETED_EXP));
    expect(change.removedExperimentIds).toEqual([DELETED_EXP]);
    expect([...change.removedRunIds].sort()).toEqual(runIds);
    await expectSameAsFreshLoad();
  });

  it('a logged model tag change returns that logged model', async () => {
    const tag = path.join(root, MAIN, 'models', CLASSIFIER_MODEL, 'tags', 'framework');
    await writeFile(tag, 'scikit-learn');
    const change = await refresh(tag);
    expect(change.loggedModels.map((m) => [m.modelId, m.tags.framework])).toEqual([[CLASSIFIER_MODEL, 'scikit-learn']]);
    expect(change.runs).toEqual([]);
    await expectSameAsFreshLoad();
  });

  it('a new registry version and a moved alias return the whole registry', async () => {
    const model = path.join(root, 'models', 'kitchen-classifier');
    const v2 = await readFile(path.join(model, 'version-2', 'meta.yaml'), 'utf8');
    await mkdir(path.join(model, 'version-6'));
    await writeFile(
      path.join(model, 'version-6', 'meta.yaml'),
      v2.replace('version: 2', 'version: 6').replace(/current_stage: \w+/, 'current_stage: None'),
    );
    await writeFile(path.join(model, 'aliases', 'champion'), '6');
    const change = await refresh(path.join(model, 'version-6'), path.join(model, 'version-6', 'meta.yaml'), path.join(model, 'aliases', 'champion'));
    expect(change.registry).not.toBeNull();
    const classifier = change.registry!.find((m) => m.name === 'kitchen-classifier')!;
    expect(classifier.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(classifier.aliases.champion).toBe(6);
    expect(classifier.versions.find((v) => v.version === 6)!.aliases).toEqual(['champion']);
    expect(classifier.versions.find((v) => v.version === 2)!.aliases).toEqual([]);
    expect(change.registry!.map((m) => m.name).sort()).toEqual(mirror.registry.map((m) => m.name).sort());
    expect(change.runs).toEqual([]);
    await expectSameAsFreshLoad();
  });

  it('keeps run ids exact strings and reads a run in a new experiment folder', async () => {
    const exp = '999999999999999999';
    await mkdir(path.join(root, exp));
    await writeFile(path.join(root, exp, 'meta.yaml'), `artifact_location: x\nexperiment_id: ${exp}\nlifecycle_stage: active\nname: late\n`);
    const id = '0123456789abcdef0123456789abcdef';
    await mkdir(path.join(root, exp, id));
    await writeFile(path.join(root, exp, id, 'meta.yaml'), runMeta(exp, id).replace(`'${exp}'`, exp));
    const change = await refresh(path.join(root, exp));
    expect(change.experiments.map((e) => e.experimentId)).toEqual([exp]);
    expect(change.runs.map((r) => [r.runId, r.experimentId])).toEqual([[id, exp]]);
    await expectSameAsFreshLoad();
  });
});
