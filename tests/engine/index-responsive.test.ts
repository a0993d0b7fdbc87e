// The API keeps answering while a 10k-run store is indexed: the stores' runs are read in helper
// threads (the file store's load-worker.ts, the SQLite store's sqlite-load-worker.ts) and this
// thread builds and indexes them batch by batch, giving the event loop a turn between batches. A
// query sent through the contract (what IPC and the browser bridge call) while the store's first
// read is still going returns, and sees the runs indexed so far. No timings are asserted: only
// that answers come back before the read ends, with a count between none and all.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../electron/engine/backend/index.ts';
import { copyFixture, tempDir } from '../helpers/fixtures.ts';
import { fastTempDir, runMeta } from '../helpers/file-store.ts';
import { createEmptyLike, fillSynthetic } from '../helpers/sqlite-fixtures.ts';

const RUNS = 10_000;
const EXP = '123456789012345678';

/** Opens `project` and queries its runs on every turn of the event loop until the open returns. */
async function queriesDuringOpen(project: string): Promise<{ during: number[]; after: number }> {
  const config = await tempDir('runsight-responsive-config-');
  const backend = await createBackend({ host: 'browser', configDir: config.dir, watch: false });
  try {
    let storeId: string | null = null;
    backend.on('indexProgress', (ev) => {
      // The first events are the project's discovery; a store's own come with its reading.
      if (ev.phase === 'reading') storeId ??= ev.storeId;
    });
    let opened = false;
    const opening = backend.call('openProject', { path: project }).finally(() => {
      opened = true;
    });
    const during: number[] = [];
    while (!opened) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (opened || storeId === null) continue;
      const res = await backend.call('queryRuns', { storeId, experimentIds: [], limit: 10 });
      // Answered while the open was still running.
      if (!opened && res.ok) during.push(res.value.total);
    }
    const open = await opening;
    expect(open.ok).toBe(true);
    const all = await backend.call('queryRuns', { storeId: storeId as unknown as string, experimentIds: [], limit: 10 });
    return { during, after: all.ok ? all.value.total : -1 };
  } finally {
    await backend.dispose();
    await config.cleanup();
  }
}

const partial = (during: number[]) => during.filter((n) => n > 0 && n < RUNS);

describe('the API answers while a 10k-run store is indexed', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let sqliteProject: string;
  let fileProject: string;

  beforeAll(async () => {
    const sq = await copyFixture('kitchen-sink-sqlite');
    cleanups.push(sq.cleanup);
    sqliteProject = path.join(sq.dir, 'big');
    mkdirSync(sqliteProject);
    const db = createEmptyLike(path.join(sq.dir, 'mlflow.db'), path.join(sqliteProject, 'mlflow.db'));
    fillSynthetic(db, { runs: RUNS, params: 10, metrics: 10, tags: 5 });
    db.close();

    const f = await fastTempDir('runsight-responsive-file-');
    cleanups.push(f.cleanup);
    fileProject = f.dir;
    const exp = path.join(f.dir, 'mlruns', EXP);
    mkdirSync(exp, { recursive: true });
    writeFileSync(path.join(exp, 'meta.yaml'), `artifact_location: file://${exp}\nexperiment_id: '${EXP}'\nlifecycle_stage: active\nname: big\n`);
    for (let i = 0; i < RUNS; i++) {
      const id = i.toString(16).padStart(32, '0');
      const dir = path.join(exp, id);
      mkdirSync(path.join(dir, 'params'), { recursive: true });
      mkdirSync(path.join(dir, 'metrics'));
      mkdirSync(path.join(dir, 'tags'));
      writeFileSync(path.join(dir, 'meta.yaml'), runMeta(EXP, id, { name: `r${i}`, startTime: 1795697840000 + i }, dir));
      writeFileSync(path.join(dir, 'params', 'lr'), String(i / 1000));
      writeFileSync(path.join(dir, 'tags', 'mlflow.runName'), `r${i}`);
      writeFileSync(path.join(dir, 'metrics', 'loss'), `1795697840000 ${i / RUNS} 0\n1795697840001 ${i / RUNS / 2} 1\n`);
    }
  }, 120_000);
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('SQLite store: queries return with part of the runs while they are indexed', async () => {
    const { during, after } = await queriesDuringOpen(sqliteProject);
    expect(partial(during).length).toBeGreaterThan(0);
    expect(after).toBe(RUNS);
  }, 60_000);

  it('file store: queries return with part of the runs while they are indexed', async () => {
    const { during, after } = await queriesDuringOpen(fileProject);
    expect(partial(during).length).toBeGreaterThan(0);
    expect(after).toBe(RUNS);
  }, 60_000);
});
