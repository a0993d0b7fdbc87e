// refresh() against a second connection that writes the way MLflow does, on temp copies of the
// fixture: rollback-journal mode (MLflow's default) and WAL mode with the data still in -wal.
import { renameSync, statSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreSnapshot } from '../../electron/engine/model.ts';
import { createSqliteStoreReader } from '../../electron/engine/stores/mlflow-sqlite/index.ts';
import { isEmptyChange, type StoreChange, type StoreReader } from '../../electron/engine/stores/reader.ts';
import { copyFixture, tempDir } from '../helpers/fixtures.ts';
import {
  MlflowLikeWriter,
  createEmptyLike,
  fillSynthetic,
  runIdOf,
  sqliteStoreInfo,
} from '../helpers/sqlite-fixtures.ts';

const NEW_RUN = 'feedfacefeedfacefeedfacefeedface';
const METRICS_ZOO = '6d56cc5a26f948ae82bf3a68ad84bb84';
const RENAMED = '098bcb548eed4b2c90782be1b4c303fe';
const T = 1800000000000;

/** The three MLflow-style writes every scenario below makes. */
function writeThreeChanges(w: MlflowLikeWriter): void {
  w.createRun(NEW_RUN, '1', 'live-run', T);
  w.logMetric(METRICS_ZOO, 'loss', 0.001, T + 1, 10_000);
  w.deleteRun(RENAMED, T + 2);
}

function expectThreeChanges(change: StoreChange): void {
  expect(change.runs.map((r) => r.runId).sort()).toEqual([RENAMED, METRICS_ZOO, NEW_RUN].sort());
  expect(change.removedRunIds).toEqual([]);
  expect(change.experiments).toEqual([]);
  expect(change.loggedModels).toEqual([]);
  expect(change.registry).toBeNull();
  const byId = new Map(change.runs.map((r) => [r.runId, r]));
  expect(byId.get(NEW_RUN)).toMatchObject({
    runName: 'live-run',
    experimentId: '1',
    status: 'RUNNING',
    endTime: null,
    tags: { 'mlflow.runName': 'live-run' },
  });
  expect(byId.get(METRICS_ZOO)?.metrics.loss).toEqual({ step: 10_000, timestamp: T + 1, value: 0.001 });
  // The rest of the record is whole, not just the changed part.
  expect(Object.keys(byId.get(METRICS_ZOO)?.metrics ?? {})).toHaveLength(19);
  expect(byId.get(RENAMED)).toMatchObject({ lifecycleStage: 'deleted', deletedTime: T + 2, runName: 'renamed-run' });
}

describe('SQLite reader: refresh', () => {
  let dir: string;
  let db: string;
  let cleanup: () => Promise<void>;
  let reader: StoreReader;
  let writer: MlflowLikeWriter | null;

  beforeEach(async () => {
    ({ dir, cleanup } = await copyFixture('kitchen-sink-sqlite'));
    db = path.join(dir, 'mlflow.db');
    reader = createSqliteStoreReader(sqliteStoreInfo(db));
    writer = null;
  });

  afterEach(async () => {
    await reader.close();
    writer?.close();
    await cleanup();
  });

  it('returns an empty change when nothing was committed', async () => {
    await reader.load();
    expect(isEmptyChange(await reader.refresh([db]))).toBe(true);
    // A write transaction that is rolled back is not a change either.
    writer = new MlflowLikeWriter(db);
    writer.db.exec('BEGIN');
    writer.db.exec(`UPDATE runs SET status = 'KILLED' WHERE run_uuid = '${RENAMED}'`);
    expect(isEmptyChange(await reader.refresh([db]))).toBe(true);
    writer.db.exec('ROLLBACK');
    expect(isEmptyChange(await reader.refresh([db]))).toBe(true);
  });

  it('returns exactly the runs another connection changed (rollback-journal mode)', async () => {
    const before = await reader.load();
    writer = new MlflowLikeWriter(db);
    writeThreeChanges(writer);
    const change = await reader.refresh([db]);
    expectThreeChanges(change);
    expect(before.runs.find((r) => r.runId === NEW_RUN)).toBeUndefined();
    expect(isEmptyChange(await reader.refresh([db]))).toBe(true);
    const history = await reader.getMetricHistory(METRICS_ZOO, 'loss');
    expect(history).toHaveLength(501);
    expect(history.at(-1)).toEqual({ step: 10_000, timestamp: T + 1, value: 0.001 });
  });

  it('sees commits that are still only in the -wal file (WAL mode, writer kept open)', async () => {
    writer = new MlflowLikeWriter(db);
    expect(writer.db.prepare('PRAGMA journal_mode = WAL').get()).toEqual({ journal_mode: 'wal' });
    writer.db.exec('PRAGMA wal_autocheckpoint = 0');
    await reader.load();
    writeThreeChanges(writer);
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
    // Proof the data is only in the log: the main file alone (immutable=1 ignores -wal) lacks it.
    const url = pathToFileURL(db);
    url.search = '?immutable=1';
    const mainOnly = new DatabaseSync(url, { readOnly: true });
    expect(mainOnly.prepare('SELECT count(*) AS n FROM runs WHERE run_uuid = ?').get(NEW_RUN)).toEqual({ n: 0 });
    mainOnly.close();

    expectThreeChanges(await reader.refresh([`${db}-wal`]));
    expect(isEmptyChange(await reader.refresh([`${db}-wal`]))).toBe(true);

    // A reader that starts now reads the same state from main file + log.
    const fresh = createSqliteStoreReader(sqliteStoreInfo(db));
    try {
      const snap = await fresh.load();
      expect(snap.diagnostics).toEqual([]);
      expect(snap.runs.find((r) => r.runId === NEW_RUN)?.runName).toBe('live-run');
    } finally {
      await fresh.close();
    }
  });

  it('follows a switch to WAL made after it loaded', async () => {
    await reader.load();
    writer = new MlflowLikeWriter(db);
    writer.db.exec('PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0');
    writeThreeChanges(writer);
    expectThreeChanges(await reader.refresh([db]));
  });

  it('reports experiments, logged models and the registry when they change', async () => {
    await reader.load();
    writer = new MlflowLikeWriter(db);
    writer.db.exec(`INSERT INTO experiment_tags ("key", value, experiment_id) VALUES ('team', 'vision', 2)`);
    writer.db.exec(
      `UPDATE logged_model_tags SET tag_value = 'silver' WHERE model_id = 'm-905b60fd443e483099c0b2e8d03b0765' AND tag_key = 'stage/quality'`,
    );
    writer.db.exec(`UPDATE registered_model_aliases SET version = 4 WHERE name = 'kitchen-classifier' AND alias = 'champion'`);
    const change = await reader.refresh([db]);
    expect(change.experiments.map((e) => [e.experimentId, e.tags.team])).toEqual([['2', 'vision']]);
    expect(change.loggedModels.map((m) => [m.modelId, m.tags['stage/quality']])).toEqual([
      ['m-905b60fd443e483099c0b2e8d03b0765', 'silver'],
    ]);
    expect(change.registry?.find((m) => m.name === 'kitchen-classifier')?.aliases.champion).toBe(4);
    expect(change.runs).toEqual([]);
  });

  it('notices an in-place tag overwrite on a run nothing else touched, and removed runs', async () => {
    await reader.load();
    writer = new MlflowLikeWriter(db);
    // Same byte length, different first and last character: only the table hash can see it.
    writer.db.exec(`UPDATE tags SET value = 'bob' WHERE run_uuid = '${RENAMED}' AND "key" = 'mlflow.user'`);
    writer.db.exec(`DELETE FROM latest_metrics WHERE run_uuid = '${METRICS_ZOO}'; DELETE FROM tags WHERE run_uuid = '${METRICS_ZOO}';
      DELETE FROM metrics WHERE run_uuid = '${METRICS_ZOO}'; DELETE FROM runs WHERE run_uuid = '${METRICS_ZOO}'`);
    const change = await reader.refresh([db]);
    expect(change.runs.map((r) => [r.runId, r.tags['mlflow.user']])).toEqual([[RENAMED, 'bob']]);
    expect(change.removedRunIds).toEqual([METRICS_ZOO]);
  });

  it('re-reads a database replaced by another file (rename over it)', async () => {
    const snap: StoreSnapshot = await reader.load();
    const other = path.join(dir, 'other.db');
    copyFileSync(db, other);
    const w = new DatabaseSync(other);
    w.exec(`UPDATE runs SET name = 'swapped' WHERE run_uuid = '${RENAMED}'`);
    w.close();
    renameSync(other, db);
    const change = await reader.refresh([db]);
    expect(change.runs.map((r) => [r.runId, r.runName])).toEqual([[RENAMED, 'swapped']]);
    expect(change.removedRunIds).toEqual([]);
    expect(snap.runs).toHaveLength(28);
  });

  it('recovers when a file that was not a database becomes one', async () => {
    const { dir: empty, cleanup: done } = await tempDir('runsight-sqlite-late-');
    try {
      const file = path.join(empty, 'mlflow.db');
      const late = createSqliteStoreReader(sqliteStoreInfo(file));
      const snap = await late.load();
      expect(snap.diagnostics.map((d) => d.problem)).toEqual(['file not found']);
      expect(isEmptyChange(await late.refresh([file]))).toBe(true);
      copyFileSync(db, file);
      const change = await late.refresh([file]);
      expect(change.runs).toHaveLength(28);
      expect(change.experiments).toHaveLength(8);
      expect(change.registry?.length).toBeGreaterThan(0);
      expect(late.diagnostics()).toEqual([]);
      await late.close();
    } finally {
      await done();
    }
  });
});

describe('SQLite reader: refresh on a larger synthetic store', () => {
  it('finds the one changed run among 2000 and agrees with a fresh load', async () => {
    const { dir, cleanup } = await copyFixture('kitchen-sink-sqlite');
    const file = path.join(dir, 'big.db');
    const seed = createEmptyLike(path.join(dir, 'mlflow.db'), file);
    fillSynthetic(seed, { runs: 2000, params: 10, metrics: 10, tags: 5 });
    seed.close();
    const reader = createSqliteStoreReader(sqliteStoreInfo(file));
    const w = new MlflowLikeWriter(file);
    try {
      const snap = await reader.load();
      expect(snap.runs).toHaveLength(2000);
      expect(snap.diagnostics).toEqual([]);
      expect(snap.runs[1234]?.params).toHaveProperty('param_9');

      w.logMetric(runIdOf(1500), 'metric_3', 99, 1800000000000, 11);
      let change = await reader.refresh([file]);
      expect(change.runs.map((r) => r.runId)).toEqual([runIdOf(1500)]);
      expect(change.runs[0]?.metrics.metric_3?.value).toBe(99);

      // An older step does not change the latest value, but the history grew: still reported.
      w.logMetric(runIdOf(7), 'metric_0', -1, 1700000000000, 1);
      change = await reader.refresh([file]);
      expect(change.runs.map((r) => r.runId)).toEqual([runIdOf(7)]);

      w.db.exec(`UPDATE runs SET status = 'KILLED', end_time = 1800000000001 WHERE run_uuid = '${runIdOf(42)}'`);
      w.db.exec(`INSERT INTO params VALUES ('late', 'x', '${runIdOf(43)}')`);
      change = await reader.refresh([file]);
      expect(change.runs.map((r) => r.runId).sort()).toEqual([runIdOf(42), runIdOf(43)]);

      const again = createSqliteStoreReader(sqliteStoreInfo(file));
      const fresh = await again.load();
      await again.close();
      const updated = new Map(change.runs.map((r) => [r.runId, r]));
      expect(updated.get(runIdOf(42))).toEqual(fresh.runs.find((r) => r.runId === runIdOf(42)));
      expect(updated.get(runIdOf(43))).toEqual(fresh.runs.find((r) => r.runId === runIdOf(43)));
    } finally {
      w.close();
      await reader.close();
      await cleanup();
    }
  });
});
