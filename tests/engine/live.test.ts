// Live updates through the whole engine (watcher → reader.refresh → index → indexChanged) on temp
// copies of the fixtures, driven the way MLflow writes: appends to metric files, new run folders,
// meta.yaml rewrites, and rows committed by another SQLite connection (also in WAL mode).
import { DatabaseSync } from 'node:sqlite';
import { appendFile, cp, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type IndexChangedEvent } from '../../electron/engine/engine.ts';
import { copyFixture } from '../helpers/fixtures.ts';

const SEED_EXP = '266606262520181169';
const SEED_RUN = '60fd641ffeec44cc92a95f9b74c2ff7a';

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of disposers.splice(0).reverse()) await d();
});

async function openLive(name: 'seed-rf' | 'kitchen-sink' | 'kitchen-sink-sqlite') {
  const { dir, cleanup } = await copyFixture(name);
  const engine = await Engine.create({ watch: true });
  disposers.push(cleanup, () => engine.dispose());
  const { stores } = await engine.openProject(dir);
  expect(stores).toHaveLength(1);
  // openProject resolves once the store is indexed; these tests are about the live watch.
  await engine.whenWatching();
  return { dir, engine, storeId: (stores[0] as { id: string }).id };
}

/** Resolves with the first indexChanged event that satisfies `pred` (bounded wait). */
function nextChange(engine: Engine, pred: (e: IndexChangedEvent) => boolean, ms = 10_000): Promise<IndexChangedEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      engine.events.off('indexChanged', on);
      reject(new Error('no matching indexChanged event'));
    }, ms);
    const on = (e: IndexChangedEvent) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      engine.events.off('indexChanged', on);
      resolve(e);
    };
    engine.events.on('indexChanged', on);
  });
}

describe('file store, live', () => {
  it('an appended metric line becomes the run’s new latest value, in one event naming the run', async () => {
    const { dir, engine, storeId } = await openLive('seed-rf');
    const file = path.join(dir, 'mlruns', SEED_EXP, SEED_RUN, 'metrics', 'mse');
    const changed = nextChange(engine, (e) => e.runIds.includes(SEED_RUN));
    await appendFile(file, `${Date.now()} 1234.5 7\n`);
    const ev = await changed;
    expect(ev.experimentIds).toContain(SEED_EXP);
    const run = engine.index.getRun({ storeId, runId: SEED_RUN });
    expect(run?.metrics.mse).toMatchObject({ value: 1234.5, step: 7 });
  });

  it('a half-written line is held until its newline arrives', async () => {
    const { dir, engine, storeId } = await openLive('seed-rf');
    const file = path.join(dir, 'mlruns', SEED_EXP, SEED_RUN, 'metrics', 'r2_score');
    const ts = Date.now();
    await appendFile(file, `${ts} 0.9`);
    await new Promise((r) => setTimeout(r, 400));
    await engine.settle();
    expect(engine.index.getRun({ storeId, runId: SEED_RUN })?.metrics.r2_score?.step).toBe(0);
    const changed = nextChange(engine, (e) => e.runIds.includes(SEED_RUN));
    await appendFile(file, '9 12\n');
    await changed;
    expect(engine.index.getRun({ storeId, runId: SEED_RUN })?.metrics.r2_score).toMatchObject({ value: 0.99, step: 12 });
  });

  it('a new run folder appears; a run marked deleted moves to the deleted list', async () => {
    const { dir, engine, storeId } = await openLive('seed-rf');
    const expDir = path.join(dir, 'mlruns', SEED_EXP);
    const newId = 'aaaabbbbccccddddeeeeffff00001111';
    const appeared = nextChange(engine, (e) => e.runIds.includes(newId));
    // Like MLflow: the run folder is created, then its meta.yaml is written.
    const src = path.join(expDir, SEED_RUN);
    const tmp = path.join(dir, 'staging-run');
    await cp(src, tmp, { recursive: true });
    const meta = (await readFile(path.join(tmp, 'meta.yaml'), 'utf8')).replaceAll(SEED_RUN, newId).replace(/run_name: .*/, 'run_name: live-new-run');
    await writeFile(path.join(tmp, 'meta.yaml'), meta);
    await writeFile(path.join(tmp, 'tags', 'mlflow.runName'), 'live-new-run');
    await rename(tmp, path.join(expDir, newId));
    await appeared;
    expect(engine.index.getRun({ storeId, runId: newId })?.runName).toBe('live-new-run');
    const active = () => engine.index.queryRuns({ storeId, experimentIds: [SEED_EXP], limit: 1000 }).total;
    expect(active()).toBe(17);

    const deleted = nextChange(engine, (e) => e.runIds.includes(SEED_RUN));
    const metaPath = path.join(expDir, SEED_RUN, 'meta.yaml');
    const m = await readFile(metaPath, 'utf8');
    await writeFile(`${metaPath}.tmp`, m.replace('lifecycle_stage: active', `deleted_time: ${Date.now()}\nlifecycle_stage: deleted`));
    await rename(`${metaPath}.tmp`, metaPath);
    await deleted;
    expect(engine.index.getRun({ storeId, runId: SEED_RUN })?.lifecycleStage).toBe('deleted');
    expect(active()).toBe(16);
    expect(engine.index.queryRuns({ storeId, experimentIds: [SEED_EXP], lifecycle: 'deleted' }).rows.map((r) => r.runId)).toEqual([
      SEED_RUN,
    ]);
  });
});

describe('SQLite store, live', () => {
  for (const wal of [false, true]) {
    it(`a run and a metric committed by another connection are picked up${wal ? ' (WAL mode)' : ''}`, async () => {
      const { dir } = await copyFixture('kitchen-sink-sqlite');
      const db = path.join(dir, 'mlflow.db');
      // The writer stays open for the whole test, like a training process would.
      const writer = new DatabaseSync(db);
      if (wal) writer.exec('PRAGMA journal_mode=WAL');
      disposers.push(async () => writer.close());
      const engine = await Engine.create({ watch: true });
      disposers.push(() => engine.dispose());
      const { stores } = await engine.openProject(dir);
      await engine.whenWatching();
      const storeId = (stores[0] as { id: string }).id;
      const runId = 'feedfacefeedfacefeedfacefeedface';
      const now = Date.now();
      const appeared = nextChange(engine, (e) => e.runIds.includes(runId));
      writer.exec('BEGIN');
      writer
        .prepare(
          `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time,
             end_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
           VALUES (?, 'from-another-process', 'UNKNOWN', '', '', 'alice', 'RUNNING', ?, NULL, '', 'active', ?, 1)`,
        )
        .run(runId, now, `${dir}/mlruns/1/${runId}/artifacts`);
      writer.prepare(`INSERT INTO tags (key, value, run_uuid) VALUES ('mlflow.runName', 'from-another-process', ?)`).run(runId);
      writer
        .prepare(`INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES ('loss', 0.25, ?, ?, 3, 0)`)
        .run(now, runId);
      writer
        .prepare(`INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES ('loss', 0.25, ?, 3, 0, ?)`)
        .run(now, runId);
      writer.exec('COMMIT');
      await appeared;
      const run = engine.index.getRun({ storeId, runId });
      expect(run).toMatchObject({ runName: 'from-another-process', status: 'RUNNING' });
      expect(run?.metrics.loss).toMatchObject({ value: 0.25, step: 3 });
    });
  }
});

describe('file store, live, tiered watching (a store too large for the inotify budget)', () => {
  it('sees new runs, training runs’ appends, finished runs’ edits and registry changes', async () => {
    const { dir, cleanup } = await copyFixture('seed-rf');
    const engine = await Engine.create({ watch: true, watchBudget: 10, coldPollMs: 150 });
    disposers.push(cleanup, () => engine.dispose());
    const { stores } = await engine.openProject(dir);
    await engine.whenWatching();
    const storeId = (stores[0] as { id: string }).id;
    expect(engine.diagnostics().map((d) => d.problem).join('\n')).toMatch(/runs that are training are watched live/);
    const expDir = path.join(dir, 'mlruns', SEED_EXP);

    // A new run that is training (status 1 = RUNNING): its folder is seen, then it is watched live.
    const newId = 'bbbbccccddddeeeeffff000011112222';
    const appeared = nextChange(engine, (e) => e.runIds.includes(newId));
    const tmp = path.join(dir, 'staging-run');
    await cp(path.join(expDir, SEED_RUN), tmp, { recursive: true });
    const meta = (await readFile(path.join(tmp, 'meta.yaml'), 'utf8'))
      .replaceAll(SEED_RUN, newId)
      .replace(/status: \d/, 'status: 1')
      .replace(/end_time: \d+/, 'end_time: null');
    await writeFile(path.join(tmp, 'meta.yaml'), meta);
    await rename(tmp, path.join(expDir, newId));
    await appeared;
    expect(engine.index.getRun({ storeId, runId: newId })?.status).toBe('RUNNING');
    const appended = nextChange(engine, (e) => e.runIds.includes(newId));
    await appendFile(path.join(expDir, newId, 'metrics', 'mse'), `${Date.now()} 42.5 3\n`);
    await appended;
    expect(engine.index.getRun({ storeId, runId: newId })?.metrics.mse).toMatchObject({ value: 42.5, step: 3 });

    // A finished run deleted by `mlflow runs delete`: caught by the slow poll of finished runs.
    const deleted = nextChange(engine, (e) => e.runIds.includes(SEED_RUN));
    const metaPath = path.join(expDir, SEED_RUN, 'meta.yaml');
    const m = await readFile(metaPath, 'utf8');
    await writeFile(`${metaPath}.tmp`, m.replace('lifecycle_stage: active', `deleted_time: ${Date.now()}\nlifecycle_stage: deleted`));
    await rename(`${metaPath}.tmp`, metaPath);
    await deleted;
    expect(engine.index.getRun({ storeId, runId: SEED_RUN })?.lifecycleStage).toBe('deleted');

    // The registry is always watched in full.
    const registry = nextChange(engine, (e) => e.registryChanged);
    await writeFile(path.join(dir, 'mlruns', 'models', 'RandomForestRegressor', 'aliases', 'staging-candidate'), '4');
    await registry;
    const model = engine.index.getRegisteredModel({ storeId, name: 'RandomForestRegressor' });
    expect(model?.aliases['staging-candidate']).toBe(4);
  });

  // MLflow appends to finished runs too (log_metric through the client after end_run): a line
  // appended in place changes no folder's mtime, so the poll of folder mtimes alone never saw it.
  const ZOO_EXP = '387161336320449950';
  const ZOO_RUN = '5e9eac5ae3de4277a82ad6920479969a';
  const cases = [
    // Too many runs to watch every file: each finished run's metric folders have a plain watch.
    // The poll is an hour apart, so only the watch can be what sees the lines.
    { how: 'watched by its metric folders', options: { maxFullWatchRuns: 1, coldPollMs: 3_600_000 } },
    // No inotify budget to spare: the poll sweeps finished runs' metric files.
    { how: 'swept by the poll', options: { watchBudget: 10, coldPollMs: 150 } },
  ];
  for (const { how, options } of cases) {
    it(`a line appended to a FINISHED run's metric file reaches the index (${how}), nested keys too`, async () => {
      const { dir, cleanup } = await copyFixture('kitchen-sink');
      const engine = await Engine.create({ watch: true, ...options });
      disposers.push(cleanup, () => engine.dispose());
      const { stores } = await engine.openProject(dir);
      await engine.whenWatching();
      const storeId = (stores[0] as { id: string }).id;
      expect(engine.diagnostics().map((d) => d.problem).join('\n')).toMatch(/finished runs are checked every/);
      expect(engine.index.getRun({ storeId, runId: ZOO_RUN })?.status).toBe('FINISHED');
      const metrics = path.join(dir, 'mlruns', ZOO_EXP, ZOO_RUN, 'metrics');

      const flat = nextChange(engine, (e) => e.runIds.includes(ZOO_RUN), 30_000);
      await appendFile(path.join(metrics, 'acc'), `${Date.now()} 0.625 500\n`);
      await flat;
      expect(engine.index.getRun({ storeId, runId: ZOO_RUN })?.metrics.acc).toMatchObject({ value: 0.625, step: 500 });

      const nested = nextChange(engine, (e) => e.runIds.includes(ZOO_RUN), 30_000);
      await appendFile(path.join(metrics, 'train', 'loss'), `${Date.now()} 0.0025 501\n`);
      await nested;
      expect(engine.index.getRun({ storeId, runId: ZOO_RUN })?.metrics['train/loss']).toMatchObject({ value: 0.0025, step: 501 });

      // A second line to the same file: the run is read incrementally from here, and still seen.
      const again = nextChange(engine, (e) => e.runIds.includes(ZOO_RUN), 30_000);
      await appendFile(path.join(metrics, 'acc'), `${Date.now()} 0.75 502\n`);
      await again;
      expect(engine.index.getRun({ storeId, runId: ZOO_RUN })?.metrics.acc).toMatchObject({ value: 0.75, step: 502 });
    });
  }
});
