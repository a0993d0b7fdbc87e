// The tracking writer must produce stores MLflow 3.5 would have written itself: the fixture
// database (written by real MLflow) is the reference for the schema and the rows. This file: the
// SQLite writer, and what both writers write read back through our readers (dumpStore);
// tracking-writer.test.ts has the value formatting and the file store writer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import {
  createFileTrackingWriter,
  createSqliteTrackingWriter,
  MLFLOW_SCHEMA_REVISION,
  type TrackingWriter,
} from '../../electron/engine/writer/tracking-writer.ts';
import { dumpStore } from '../../electron/engine/dump-store.ts';
import { fileStoreInfo, sqliteStoreInfo } from '../../electron/engine/store-info.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { useTempDirs } from './helpers.ts';

const temp = useTempDirs();

const KS_DB = path.join(fixturePath('kitchen-sink-sqlite'), 'mlflow.db');

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
