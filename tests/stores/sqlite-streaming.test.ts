// The SQLite reader's streaming first load (what the engine asks for): the experiments first, then
// the runs in batches, their SQL run by a helper thread in a big store. Whatever thread read them,
// the runs, diagnostics and later refreshes equal a one-thread load's.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Experiment, Run, StoreSnapshot } from '../../electron/engine/model.ts';
import { createSqliteStoreReader, type SqliteReaderOptions } from '../../electron/engine/stores/mlflow-sqlite/sqlite-store-reader.ts';
import { copyFixture } from '../helpers/fixtures.ts';
import { Mirror } from '../helpers/file-store.ts';
import { MlflowLikeWriter, createEmptyLike, fillSynthetic, runIdOf, sqliteStoreInfo } from '../helpers/sqlite-fixtures.ts';

const RUNS = 2600;

/** A streaming load: the snapshot with the streamed runs put back, and how they came. */
async function streamed(file: string, options: SqliteReaderOptions) {
  const reader = createSqliteStoreReader(sqliteStoreInfo(file), options);
  const batches: Run[][] = [];
  let experiments: Experiment[] | null = null;
  let announced = 0;
  const progress: number[] = [];
  const snap = await reader.load({
    onExperiments: (exps, counts) => {
      experiments = exps;
      for (const n of counts.values()) announced += n;
    },
    onRuns: (runs) => {
      // Experiments are announced before the first batch.
      expect(experiments).not.toBeNull();
      batches.push(runs);
    },
    onProgress: (done) => progress.push(done),
  });
  const whole: StoreSnapshot = { ...snap, runs: [...snap.runs, ...batches.flat()] };
  return { reader, snap, whole, batches, announced, progress };
}

async function oneThread(file: string): Promise<StoreSnapshot> {
  const reader = createSqliteStoreReader(sqliteStoreInfo(file), { workerUrl: null });
  try {
    return await reader.load();
  } finally {
    await reader.close();
  }
}

const canonical = (snap: StoreSnapshot) => ({ mirror: Mirror.of(snap).canonical(), diagnostics: snap.diagnostics });

describe('SQLite reader: streaming load through the helper thread', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let big: string;
  let fixture: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await copyFixture('kitchen-sink-sqlite'));
    fixture = path.join(dir, 'mlflow.db');
    big = path.join(dir, 'big.db');
    const db = createEmptyLike(fixture, big);
    fillSynthetic(db, { runs: RUNS, params: 10, metrics: 10, tags: 5 });
    db.close();
  });
  afterAll(async () => cleanup());

  it('hands a big store over in batches, equal to a one-thread load', async () => {
    const one = await oneThread(big);
    const s = await streamed(big, {});
    try {
      expect(s.snap.runs).toEqual([]);
      expect(s.batches.length).toBeGreaterThanOrEqual(Math.ceil(RUNS / 500));
      expect(s.announced).toBe(RUNS);
      expect(s.progress.at(-1)).toBe(RUNS);
      expect(s.reader.lastLoad).toEqual({ helperRuns: RUNS, ownRuns: 0, helperBaseline: true });
      expect(canonical(s.whole)).toEqual(canonical(one));
    } finally {
      await s.reader.close();
    }
  });

  it('reads every kind of record the same way in the helper (the fixture, helper forced on)', async () => {
    const one = await oneThread(fixture);
    const s = await streamed(fixture, { helperMinRuns: 0 });
    try {
      expect(s.batches.length).toBeGreaterThan(0);
      expect(s.reader.lastLoad).toMatchObject({ ownRuns: 0, helperBaseline: true });
      expect(s.reader.lastLoad?.helperRuns).toBe(one.runs.length);
      expect(canonical(s.whole)).toEqual(canonical(one));
    } finally {
      await s.reader.close();
    }
  });

  it('reads the whole store itself when the helper module cannot be loaded', async () => {
    const one = await oneThread(big);
    const s = await streamed(big, { workerUrl: new URL('./no-such-worker.ts', import.meta.url) });
    try {
      expect(s.batches.length).toBeGreaterThan(1);
      expect(s.reader.lastLoad).toEqual({ helperRuns: 0, ownRuns: RUNS, helperBaseline: false });
      expect(canonical(s.whole)).toEqual(canonical(one));
    } finally {
      await s.reader.close();
    }
  });

  it('reads the batches a crashed helper did not deliver, and its refreshes still find every change', async () => {
    const one = await oneThread(big);
    const s = await streamed(big, { workerUrl: new URL('../helpers/sqlite-crashing-worker.ts', import.meta.url) });
    const w = new MlflowLikeWriter(big);
    try {
      expect(s.reader.lastLoad).toEqual({ helperRuns: 500, ownRuns: RUNS - 500, helperBaseline: false });
      expect(canonical(s.whole)).toEqual(canonical(one));
      w.logMetric(runIdOf(2100), 'metric_2', 7, 1800000000000, 12);
      const change = await s.reader.refresh([big]);
      expect(change.runs.map((r) => r.runId)).toEqual([runIdOf(2100)]);
    } finally {
      w.close();
      await s.reader.close();
    }
  });

  it("refreshes from the helper's baseline: only what changed after the load is re-read", async () => {
    const s = await streamed(big, {});
    const w = new MlflowLikeWriter(big);
    try {
      expect(s.reader.lastLoad?.helperBaseline).toBe(true);
      const mirror = Mirror.of(s.whole);
      w.logMetric(runIdOf(5), 'metric_0', 42, 1800000000000, 11);
      w.db.exec(`UPDATE runs SET status = 'KILLED', end_time = 1800000000001 WHERE run_uuid = '${runIdOf(2500)}'`);
      w.db.exec(`INSERT INTO tags VALUES ('late', 'yes', '${runIdOf(1999)}')`);
      const change = await s.reader.refresh([big]);
      expect(change.runs.map((r) => r.runId).sort()).toEqual([runIdOf(5), runIdOf(1999), runIdOf(2500)].sort());
      mirror.apply(change);
      expect(mirror.canonical()).toEqual(Mirror.of(await oneThread(big)).canonical());
    } finally {
      w.close();
      await s.reader.close();
    }
  });
});
