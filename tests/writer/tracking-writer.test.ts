// The tracking writer must produce stores MLflow 3.5 would have written itself: the fixtures (written
// by real MLflow) are the reference for formatting, key sets and schema. This file: the Python
// value formatting (str(float), PyYAML) and the file store writer; tracking-writer-sqlite.test.ts
// has the SQLite writer and both writers read back through our readers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  createFileTrackingWriter,
  dumpYaml,
  localFileUri,
  pyFloat,
  TrackingWriteError,
  type YamlData,
} from '../../electron/engine/writer/tracking-writer.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { useTempDirs } from './helpers.ts';

const temp = useTempDirs();

const SEED_RF = path.join(fixturePath('seed-rf'), 'mlruns');
const SEED_EXP = '266606262520181169';
const SEED_RUN = '0d202591143f42f2b13f37b9a3b71c85';

function keysOf(yamlText: string): string[] {
  return yamlText
    .split('\n')
    .filter((l) => /^[a-z_]+:/.test(l))
    .map((l) => l.slice(0, l.indexOf(':')));
}

/** Every line's shape with values abstracted: `key: <int>`, `key: '<digits>'`, `key: ''` … */
function shapeOf(yamlText: string): string[] {
  return yamlText.split('\n').map((l) =>
    l
      .replace(/^([a-z_]+): \d+$/, '$1: <int>')
      .replace(/^([a-z_]+): '\d+'$/, "$1: '<digits>'")
      .replace(/^([a-z_]+): file:\/\/\/\S+$/, '$1: <file-uri>')
      .replace(/^(run_id): [0-9a-f]{32}$/, '$1: <hex32>')
      .replace(/^(run_name|user_id|name): [a-zA-Z][\w -]*$/, '$1: <plain>'),
  );
}

function listTree(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(`${path.relative(base, p)}/`, ...listTree(p, base));
    else out.push(path.relative(base, p));
  }
  return out.sort();
}

describe('pyFloat (Python str(float), format doc 2.5)', () => {
  it.each([
    [0.1, '0.1'],
    [2.586371818086803, '2.586371818086803'],
    [42, '42.0'],
    [1e-300, '1e-300'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [-0, '-0.0'],
    [0, '0.0'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-5.5e-7, '-5.5e-07'],
    [123456789.123, '123456789.123'],
    [2881.5791057118386, '2881.5791057118386'],
  ])('%s → %s', (x, expected) => {
    expect(pyFloat(x)).toBe(expected);
  });
});

describe('dumpYaml (PyYAML/libyaml safe_dump as MLflow calls it)', () => {
  it('re-dumps every meta.yaml of the fixtures byte for byte', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory() && e.name !== 'artifacts') walk(p);
        else if (e.isFile() && e.name === 'meta.yaml') files.push(p);
      }
    };
    for (const f of ['seed-rf', 'kitchen-sink'] as const) walk(path.join(fixturePath(f), 'mlruns'));
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const data = parseYaml(text, { intAsBigInt: true }) as { [key: string]: YamlData };
      expect(dumpYaml(data), f).toBe(text);
    }
  });

  it('quotes, escapes and folds like libyaml', () => {
    expect(dumpYaml({ a: '', b: 'yes', c: '12', d: '1.5', e: 'null', f: 'a: b', g: "it's", h: '- x' })).toBe(
      "a: ''\nb: 'yes'\nc: '12'\nd: '1.5'\ne: 'null'\nf: 'a: b'\ng: it's\nh: '- x'\n",
    );
    expect(dumpYaml({ name: 'Ünïcødé 実験 🚀', tab: 'a\tb', nel: 'x\u0085y' })).toBe(
      'name: "Ünïcødé 実験 \\U0001F680"\nnel: "x\\Ny"\ntab: "a\\tb"\n',
    );
    expect(dumpYaml({ d: 'Iris classifier.\n\n**Multi-line** markdown description.\n' })).toBe(
      "d: 'Iris classifier.\n\n\n  **Multi-line** markdown description.\n\n  '\n",
    );
    const long = `${'x'.repeat(78)} ${'y'.repeat(10)} z`;
    expect(dumpYaml({ k: long })).toBe(`k: ${'x'.repeat(78)}\n  ${'y'.repeat(10)} z\n`);
    expect(dumpYaml({ empty_list: [], empty_map: {}, nested: { b: '2', a: 1n }, list: ['a', 'b'], n: null, t: true })).toBe(
      "empty_list: []\nempty_map: {}\nlist:\n- a\n- b\nn: null\nnested:\n  a: 1\n  b: '2'\nt: true\n",
    );
  });

  it('localFileUri percent-encodes like pathlib.Path.as_uri', () => {
    expect(localFileUri('/tmp/a b+c@d:e/ü_.-~')).toBe('file:///tmp/a%20b%2Bc%40d%3Ae/%C3%BC_.-~');
  });
});

describe('file store writer', () => {
  it('writes experiments and runs in MLflow 3.5 layout (compared with seed-rf)', async () => {
    const dir = await temp();
    const mlruns = path.join(dir, 'mlruns');
    let clock = 1_795_697_811_000;
    const w = await createFileTrackingWriter(mlruns, { now: () => clock++ });
    const expId = await w.createExperiment('RandomForest Experiment');
    expect(expId).toMatch(/^[1-9]\d{17}$/);
    const run = await w.createRun({
      experimentId: expId,
      runName: 'adaptable-fowl-971',
      userId: 'alice',
      sourceName: '/home/alice/projects/diabetes-rf/train.py',
    });
    expect(run.runId).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    await w.logBatch(run.runId, {
      params: { n_estimators: '100', max_depth: '5' },
      metrics: [
        { key: 'mse', value: 2881.5791057118386, step: 0, timestamp: 1795697823706 },
        { key: 'r2_score', value: 0.4561161622977984, step: 0, timestamp: 1795697823707 },
      ],
    });
    await w.logArtifact(run.runId, 'scatter_plot.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    await w.endRun(run.runId, 'FINISHED');
    await w.close();

    // Store skeleton: Default experiment, .trash/, models/ (format doc 2.1).
    const top = (await readdir(mlruns)).sort();
    expect(top).toEqual(['.trash', '0', expId, 'models'].sort());
    const fxDefault = readFileSync(path.join(SEED_RF, '0', 'meta.yaml'), 'utf8');
    const ourDefault = await readFile(path.join(mlruns, '0', 'meta.yaml'), 'utf8');
    expect(shapeOf(ourDefault)).toEqual(shapeOf(fxDefault));
    expect(ourDefault).toContain(`artifact_location: ${localFileUri(path.join(mlruns, '0'))}\n`);

    // Experiment meta.yaml: same keys, same order, same formatting as MLflow's.
    const fxExp = readFileSync(path.join(SEED_RF, SEED_EXP, 'meta.yaml'), 'utf8');
    const ourExp = await readFile(path.join(mlruns, expId, 'meta.yaml'), 'utf8');
    expect(keysOf(ourExp)).toEqual(keysOf(fxExp));
    expect(shapeOf(ourExp)).toEqual(shapeOf(fxExp));

    // Run meta.yaml.
    const runDir = path.join(mlruns, expId, run.runId);
    const fxRun = readFileSync(path.join(SEED_RF, SEED_EXP, SEED_RUN, 'meta.yaml'), 'utf8');
    const ourRun = await readFile(path.join(runDir, 'meta.yaml'), 'utf8');
    expect(keysOf(ourRun)).toEqual(keysOf(fxRun));
    expect(shapeOf(ourRun)).toEqual(shapeOf(fxRun));
    expect(ourRun).toContain(`artifact_uri: ${localFileUri(mlruns)}/${expId}/${run.runId}/artifacts\n`);
    expect(ourRun).not.toContain('deleted_time');

    // Folder layout and file contents as in the fixture run (which has an outputs/ for its model).
    const fxTree = listTree(path.join(SEED_RF, SEED_EXP, SEED_RUN)).filter((p) => !p.startsWith('outputs'));
    expect(listTree(runDir)).toEqual(fxTree);
    for (const rel of ['params/max_depth', 'params/n_estimators', 'metrics/mse', 'metrics/r2_score', 'tags/mlflow.source.type', 'tags/mlflow.user', 'tags/mlflow.source.name', 'tags/mlflow.runName']) {
      // seed-rf logs each metric twice (log_model re-logs them); the first line is what we wrote.
      const fx = readFileSync(path.join(SEED_RF, SEED_EXP, SEED_RUN, rel), 'utf8');
      const ours = await readFile(path.join(runDir, rel), 'utf8');
      expect(ours, rel).toBe(rel.startsWith('metrics/') ? fx.slice(0, fx.indexOf('\n') + 1) : fx);
    }
    expect(statSync(path.join(runDir, 'artifacts', 'scatter_plot.png')).size).toBe(4);
  });

  it('metric lines, nested keys, status/end time, renames, param immutability', async () => {
    const dir = await temp();
    const mlruns = path.join(dir, 'mlruns');
    const w = await createFileTrackingWriter(mlruns, { now: () => 1000 });
    const expId = await w.createExperiment('weird', { tags: { 'mlflow.note.content': 'desc', 'a/b': 'nested' } });
    await expect(w.createExperiment('weird')).rejects.toThrow(TrackingWriteError);
    const { runId } = await w.createRun({ experimentId: expId, runName: 'r', userId: 'u', startTime: 5 });
    const runDir = path.join(mlruns, expId, runId);
    let meta = await readFile(path.join(runDir, 'meta.yaml'), 'utf8');
    expect(meta).toContain('end_time: null\n');
    expect(meta).toContain('status: 1\n');
    await w.logMetric(runId, 'train/loss', NaN, 3, 10);
    await w.logMetric(runId, 'train/loss', -Infinity, -5, 11);
    await w.logMetric(runId, 'train/loss', 1e-300, 1099511627776, 0);
    expect(await readFile(path.join(runDir, 'metrics', 'train', 'loss'), 'utf8')).toBe(
      '10 nan 3\n11 -inf -5\n0 1e-300 1099511627776\n',
    );
    await w.logParam(runId, 'lr', '0.1');
    await w.logParam(runId, 'lr', '0.1');
    await expect(w.logParam(runId, 'lr', '0.2')).rejects.toThrow(/Changing param values is not allowed/);
    await w.setTag(runId, 'mlflow.runName', 'renamed ✨');
    meta = await readFile(path.join(runDir, 'meta.yaml'), 'utf8');
    expect(meta).toContain('run_name: renamed ✨\n');
    await w.endRun(runId, 'KILLED', 99);
    meta = await readFile(path.join(runDir, 'meta.yaml'), 'utf8');
    expect(meta).toContain('status: 5\n');
    expect(meta).toContain('end_time: 99\n');
    expect(await readFile(path.join(mlruns, expId, 'tags', 'a', 'b'), 'utf8')).toBe('nested');
    // No temp files left behind by the atomic rewrites.
    expect(listTree(runDir).some((p) => p.includes('.tmp-'))).toBe(false);
    await expect(w.logMetric(runId, '../escape', 1)).rejects.toThrow(TrackingWriteError);
    await expect(w.logArtifact(runId, '../../x', 'no')).rejects.toThrow(TrackingWriteError);
    await w.close();

    // A second writer continues a run it did not create (live tests appending to a training run).
    const w2 = await createFileTrackingWriter(mlruns);
    await w2.logMetric(runId, 'train/loss', 0.5, 4, 12);
    await w2.endRun(runId, 'FINISHED', 100);
    meta = await readFile(path.join(runDir, 'meta.yaml'), 'utf8');
    expect(meta).toContain('status: 3\n');
    expect(meta).toContain('run_name: renamed ✨\n');
    expect(meta).toContain(`experiment_id: '${expId}'\n`);
    await w2.close();
  });

  it('is reproducible with a seeded random source', async () => {
    const write = async (): Promise<string[]> => {
      const dir = path.join(await temp(), 'mlruns');
      let x = 0.123;
      const random = (): number => (x = (x * 9301 + 0.49297) % 1);
      const w = await createFileTrackingWriter(dir, { random, now: () => 1 });
      const e = await w.createExperiment('e');
      await w.createRun({ experimentId: e, userId: 'u', sourceName: 's' });
      await w.close();
      return listTree(dir);
    };
    expect(await write()).toEqual(await write());
  });
});
