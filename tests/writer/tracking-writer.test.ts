// The tracking writer must produce stores MLflow 3.5 would have written itself: the fixtures (written
// by real MLflow) are the reference for formatting, key sets and schema.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFileTrackingWriter,
  createSqliteTrackingWriter,
  dumpYaml,
  localFileUri,
  MLFLOW_SCHEMA_REVISION,
  pyFloat,
  TrackingWriteError,
  type TrackingWriter,
  type YamlData,
} from '../../electron/engine/writer/tracking-writer.ts';
import { dumpStore } from '../../electron/engine/dump-store.ts';
import { fileStoreInfo, sqliteStoreInfo } from '../../electron/engine/store-info.ts';
import { fixturePath, tempDir } from '../helpers/fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function temp(): Promise<string> {
  const t = await tempDir('runsight-writer-');
  cleanups.push(t.cleanup);
  return t.dir;
}

const SEED_RF = path.join(fixturePath('seed-rf'), 'mlruns');
const SEED_EXP = '266606262520181169';
const SEED_RUN = '0d202591143f42f2b13f37b9a3b71c85';
const KS_DB = path.join(fixturePath('kitchen-sink-sqlite'), 'mlflow.db');

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

describe('SQLite store writer', () => {
  function schemaOf(file: string): { type: string; name: string; tbl_name: string; sql: string | null }[] {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      return db
        .prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name')
        .all()
        .map((r) => ({ ...(r as { type: string; name: string; tbl_name: string; sql: string | null }) }));
    } finally {
      db.close();
    }
  }

  it("creates exactly MLflow 3.5's schema, alembic head and Default experiment", async () => {
    const file = path.join(await temp(), 'mlflow.db');
    const w = await createSqliteTrackingWriter(file, { now: () => 7 });
    await w.close();
    expect(schemaOf(file)).toEqual(schemaOf(KS_DB));
    const db = new DatabaseSync(file, { readOnly: true });
    expect(db.prepare('SELECT version_num FROM alembic_version').all().map((r) => ({ ...r }))).toEqual([
      { version_num: MLFLOW_SCHEMA_REVISION },
    ]);
    expect({ ...db.prepare('SELECT * FROM experiments').get() }).toEqual({
      experiment_id: 0,
      name: 'Default',
      artifact_location: path.join(path.dirname(file), 'mlruns', '0'),
      lifecycle_stage: 'active',
      creation_time: 7,
      last_update_time: 7,
    });
    db.close();
  });

  it('writes runs, params, tags, metrics and latest_metrics like the fixture database', async () => {
    const dir = await temp();
    const file = path.join(dir, 'mlflow.db');
    const w = await createSqliteTrackingWriter(file, { now: () => 1000 });
    const expId = await w.createExperiment('kitchen-sink/main', { tags: { 'mlflow.note.content': 'd' } });
    expect(expId).toBe('1');
    const { runId, artifactUri } = await w.createRun({ experimentId: expId, runName: 'metrics-zoo', userId: 'alice', sourceName: 'train.py', startTime: 10 });
    expect(artifactUri).toBe(path.join(dir, 'mlruns', '1', runId, 'artifacts'));
    await w.logBatch(runId, {
      params: { alpha: '0.5' },
      metrics: [
        { key: 'acc', value: 0.6, step: 0, timestamp: 30 },
        { key: 'acc', value: 0.81, step: 20, timestamp: 20 },
        { key: 'acc', value: 0.81, step: 20, timestamp: 20 }, // exact duplicate: skipped (PK)
        { key: 'acc', value: 0.7, step: 20, timestamp: 20 }, // same step/ts, smaller value: not latest
        { key: 'weird/nan', value: NaN, step: 0, timestamp: 1 },
        { key: 'weird/pos_inf', value: Infinity, step: 0, timestamp: 1 },
        { key: 'weird/neg_inf', value: -Infinity, step: 0, timestamp: 1 },
        { key: 'weird/neg_zero', value: -0, step: 0, timestamp: 1 },
      ],
      tags: { team: 'x' },
    });
    await w.logMetric(runId, 'acc', 0.5, 19, 99); // lower step: latest stays at step 20
    await w.logMetric(runId, 'weird/nan', 2, 1, 2); // later step replaces the NaN
    await w.logArtifact(runId, 'dir/a.txt', 'hello');
    await w.endRun(runId, 'FAILED', 50);
    await expect(w.logParam(runId, 'alpha', '0.6')).rejects.toThrow(/Changing param values/);
    await w.close();

    const db = new DatabaseSync(file, { readOnly: true });
    const fx = new DatabaseSync(KS_DB, { readOnly: true });
    const run = { ...(db.prepare('SELECT * FROM runs').get() as object) };
    const fxRun = { ...(fx.prepare("SELECT * FROM runs WHERE name = 'metrics-zoo'").get() as object) };
    expect(Object.keys(run)).toEqual(Object.keys(fxRun));
    expect(run).toMatchObject({
      run_uuid: runId,
      name: 'metrics-zoo',
      source_type: 'UNKNOWN',
      source_name: '',
      entry_point_name: '',
      user_id: 'alice',
      status: 'FAILED',
      start_time: 10,
      end_time: 50,
      source_version: '',
      lifecycle_stage: 'active',
      experiment_id: 1,
      deleted_time: null,
    });
    const tags = db.prepare('SELECT key, value FROM tags ORDER BY key').all().map((r) => ({ ...r }));
    expect(tags).toEqual([
      { key: 'mlflow.runName', value: 'metrics-zoo' },
      { key: 'mlflow.source.name', value: 'train.py' },
      { key: 'mlflow.source.type', value: 'LOCAL' },
      { key: 'mlflow.user', value: 'alice' },
      { key: 'team', value: 'x' },
    ]);
    const fxTagKeys = fx.prepare('SELECT key FROM tags WHERE run_uuid = ? AND key LIKE ? ORDER BY key').all((fxRun as { run_uuid: string }).run_uuid, 'mlflow.%').map((r) => (r as { key: string }).key);
    expect(fxTagKeys).toEqual(expect.arrayContaining(tags.map((t) => t.key).filter((k) => String(k).startsWith('mlflow.'))));
    const latest = Object.fromEntries(
      db.prepare('SELECT key, value, timestamp, step, is_nan FROM latest_metrics').all().map((r) => {
        const { key, ...rest } = r as { key: string };
        return [key, { ...rest }];
      }),
    );
    expect(latest).toEqual({
      acc: { value: 0.81, timestamp: 20, step: 20, is_nan: 0 },
      'weird/nan': { value: 2, timestamp: 2, step: 1, is_nan: 0 },
      'weird/pos_inf': { value: 1.7976931348623157e308, timestamp: 1, step: 0, is_nan: 0 },
      'weird/neg_inf': { value: -1.7976931348623157e308, timestamp: 1, step: 0, is_nan: 0 },
      'weird/neg_zero': { value: 0, timestamp: 1, step: 0, is_nan: 0 },
    });
    // The same encodings as MLflow wrote into the fixture (format doc 3.3).
    const fxWeird = fx.prepare("SELECT key, value, is_nan FROM latest_metrics WHERE key IN ('weird/nan','weird/pos_inf','weird/neg_inf')").all().map((r) => ({ ...r }));
    expect(fxWeird).toEqual(
      expect.arrayContaining([
        { key: 'weird/nan', value: 0, is_nan: 1 },
        { key: 'weird/pos_inf', value: 1.7976931348623157e308, is_nan: 0 },
        { key: 'weird/neg_inf', value: -1.7976931348623157e308, is_nan: 0 },
      ]),
    );
    const nanRow = { ...(db.prepare("SELECT value, is_nan FROM metrics WHERE key = 'weird/nan' AND step = 0").get() as object) };
    expect(nanRow).toEqual({ value: 0, is_nan: 1 });
    expect((db.prepare("SELECT count(*) AS n FROM metrics WHERE key = 'acc'").get() as { n: number }).n).toBe(4);
    expect(db.prepare('SELECT key, value FROM experiment_tags').all().map((r) => ({ ...r }))).toEqual([{ key: 'mlflow.note.content', value: 'd' }]);
    fx.close();
    db.close();
    expect(readFileSync(path.join(dir, 'mlruns', '1', runId, 'artifacts', 'dir', 'a.txt'), 'utf8')).toBe('hello');
  });

  it('refuses a database of another schema revision', async () => {
    const file = path.join(await temp(), 'other.db');
    const db = new DatabaseSync(file);
    db.exec("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL); INSERT INTO alembic_version VALUES ('0000future')");
    db.close();
    await expect(createSqliteTrackingWriter(file)).rejects.toThrow(/not MLflow 3.5/);
  });
});

describe('round trip through our readers (dumpStore)', () => {
  type Dumped = { experiments: { experiment_id: string; name: string; tags: Record<string, string>; runs: Record<string, unknown>[] }[] };

  async function writeScenario(w: TrackingWriter): Promise<{ expId: string; finished: string; running: string }> {
    const expId = await w.createExperiment('Ünïcødé 実験 🚀', { tags: { 'mlflow.note.content': 'multi\nline: description' } });
    const a = await w.createRun({ experimentId: expId, runName: 'パラメータ ✨ run', userId: 'alice', sourceName: 'train.py', startTime: 100 });
    await w.logBatch(a.runId, {
      params: { 'optimizer/adam/beta_1': '0.9', empty: '', multi: 'a\nb', 学习率: '0.01' },
      metrics: [
        { key: 'acc', value: 0.6, step: 0, timestamp: 300 },
        { key: 'acc', value: 0.81, step: 20, timestamp: 200 },
        { key: 'train/loss', value: 2.5, step: 0, timestamp: 110 },
        { key: 'train/loss', value: 1e-300, step: 1, timestamp: 120 },
        { key: 'weird/nan', value: NaN, step: 0, timestamp: 130 },
        { key: 'weird/inf', value: Infinity, step: 0, timestamp: 130 },
        { key: 'with space: and colon', value: -3, step: -5, timestamp: 0 },
      ],
      tags: { 'priority/level': 'high', note: '' },
    });
    await w.logArtifact(a.runId, 'plots/curve.svg', '<svg/>');
    await w.endRun(a.runId, 'FINISHED', 400);
    const b = await w.createRun({ experimentId: expId, runName: 'still-running', userId: 'bob', sourceName: 'train.py', startTime: 500 });
    await w.logMetric(b.runId, 'loss', 1.5, 0, 510);
    await w.logMetric(b.runId, 'loss', 1.25, 1, 520);
    return { expId, finished: a.runId, running: b.runId };
  }

  async function dumpOf(kind: 'file' | 'sqlite'): Promise<{ dump: Dumped; ids: Awaited<ReturnType<typeof writeScenario>>; diagnostics: unknown[] }> {
    const dir = await temp();
    const w =
      kind === 'file'
        ? await createFileTrackingWriter(path.join(dir, 'mlruns'), { now: () => 50 })
        : await createSqliteTrackingWriter(path.join(dir, 'mlflow.db'), { now: () => 50 });
    const ids = await writeScenario(w);
    await w.close();
    const info = kind === 'file' ? fileStoreInfo(path.join(dir, 'mlruns')) : sqliteStoreInfo(path.join(dir, 'mlflow.db'));
    const out = await dumpStore(info);
    return { dump: out.runs as unknown as Dumped, ids, diagnostics: out.diagnostics };
  }

  it.each(['file', 'sqlite'] as const)('%s store: values written are the values read', async (kind) => {
    const { dump, ids, diagnostics } = await dumpOf(kind);
    expect(diagnostics).toEqual([]);
    expect(dump.experiments.map((e) => e.name)).toEqual(['Default', 'Ünïcødé 実験 🚀']);
    const exp = dump.experiments[1] as Dumped['experiments'][number];
    expect(exp.experiment_id).toBe(ids.expId);
    expect(exp.tags).toEqual({ 'mlflow.note.content': 'multi\nline: description' });
    const byId = new Map(exp.runs.map((r) => [r.run_id as string, r]));
    const a = byId.get(ids.finished) as Record<string, unknown>;
    expect(a).toMatchObject({
      run_name: 'パラメータ ✨ run',
      status: 'FINISHED',
      start_time: 100,
      end_time: 400,
      user_id: 'alice',
      lifecycle_stage: 'active',
      params: { 'optimizer/adam/beta_1': '0.9', empty: '', multi: 'a\nb', 学习率: '0.01' },
      tags: {
        'mlflow.runName': 'パラメータ ✨ run',
        'mlflow.source.name': 'train.py',
        'mlflow.source.type': 'LOCAL',
        'mlflow.user': 'alice',
        'priority/level': 'high',
        note: '',
      },
      artifacts: [{ path: 'plots/curve.svg', size: 6 }],
    });
    const metrics = a.metrics as Record<string, unknown>;
    expect(metrics.acc).toBe(0.81); // highest step wins, not the last line (format doc 1.5)
    expect(metrics['train/loss']).toBe(1e-300);
    expect(metrics['with space: and colon']).toBe(-3);
    // The documented differences between the backends (format doc 3.3).
    expect(metrics['weird/nan']).toBe('NaN');
    expect(metrics['weird/inf']).toBe(kind === 'file' ? 'Infinity' : 1.7976931348623157e308);
    expect((a.metric_history as Record<string, unknown>)['train/loss']).toEqual([
      [0, 110, 2.5],
      [1, 120, 1e-300],
    ]);
    const b = byId.get(ids.running) as Record<string, unknown>;
    expect(b).toMatchObject({ status: 'RUNNING', end_time: null, run_name: 'still-running', user_id: 'bob', metrics: { loss: 1.25 } });
  });
});
