// The watcher starts after the store is indexed, in the background (its initial scan of a big
// store takes seconds). A test seam (`beforeWatchStart`) holds the start for as long as a test
// wants, standing in for a slow scan, so nothing here depends on timing:
// - the project is queryable while the watcher is still starting;
// - what is written while it starts is not lost: the catch-up refresh picks it up (in full and in
//   tiered watching) and the index ends equal to a fresh load;
// - closing the project while a watcher is starting leaves no watch behind.
import { appendFile, cp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend } from '../../electron/engine/backend/index.ts';
import { Engine, type EngineOptions } from '../../electron/engine/engine.ts';
import { countProblems, type Run } from '../../electron/engine/model.ts';
import { FileStoreWatch, FULL_WATCH_MAX_RUNS } from '../../electron/engine/watch/file-store-watch.ts';
import { copyFixture, tempDir } from '../helpers/fixtures.ts';

const EXP = '266606262520181169';
/** Made RUNNING in the copy: the run training writes to. */
const TRAINING = '60fd641ffeec44cc92a95f9b74c2ff7a';
/** Finished runs edited or deleted while the watcher starts. */
const TAGGED = '0d202591143f42f2b13f37b9a3b71c85';
const DELETED = '0f0ee5f53dfa4c069bd808d38cf8f62a';
/** A finished run whose metric file gets a line appended in place (and nothing else) meanwhile. */
const APPENDED = '187fc5b87fa9498db55f741927fe9ef6';
const NEW_RUN = 'cccc0000dddd1111eeee2222ffff3333';

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of disposers.splice(0).reverse()) await d();
});

function gate(): { promise: Promise<void>; open: () => void; entered: () => boolean; seam: NonNullable<EngineOptions['beforeWatchStart']> } {
  let open = () => {};
  let entered = false;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    promise,
    open,
    entered: () => entered,
    seam: () => {
      entered = true;
      return promise;
    },
  };
}

/** Every file and folder under `dir` dated an hour back, as a store that was written long ago. */
async function backdate(dir: string): Promise<void> {
  const then = new Date(Date.now() - 3_600_000);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await backdate(p);
    await utimes(p, then, then);
  }
  await utimes(dir, then, then);
}

/**
 * seed-rf with one run marked RUNNING, every mtime an hour old: the catch-up then has to find the
 * changes by its own rules, not because the copy is fresh.
 */
async function trainingStore(): Promise<string> {
  const { dir, cleanup } = await copyFixture('seed-rf');
  disposers.push(cleanup);
  const meta = path.join(dir, 'mlruns', EXP, TRAINING, 'meta.yaml');
  const text = await readFile(meta, 'utf8');
  await writeFile(meta, text.replace(/status: \d/, 'status: 1').replace(/end_time: \d+/, 'end_time: null'));
  await backdate(dir);
  return dir;
}

function runsOf(engine: Engine, storeId: string): Run[] {
  const rows = engine.index.queryRuns({ storeId, experimentIds: [], lifecycle: 'all', limit: 10_000 }).rows;
  return rows
    .map((r) => engine.index.getRun({ storeId, runId: r.runId }) as Run)
    .sort((a, b) => a.runId.localeCompare(b.runId));
}

/** fs.watch handles (and stat watchers) of this process, once pending closes have completed. */
async function watchHandles(): Promise<number> {
  const count = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap' || r === 'StatWatcher').length;
  // Closing a handle completes on a later turn of the event loop; fs requests still in flight
  // (a scan cut short) must land too, or a watch they would open would go unnoticed.
  for (let turn = 0; turn < 200; turn++) {
    const pending = process.getActiveResourcesInfo().some((r) => r.startsWith('FSReq'));
    if (!pending && turn >= 3) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return count();
}

describe('watcher start in the background', () => {
  it('the project is indexed, ready and queryable while the watcher is still starting', async () => {
    const dir = await trainingStore();
    const { dir: config, cleanup } = await tempDir('runsight-config-');
    disposers.push(cleanup);
    const g = gate();
    const backend = await createBackend({ host: 'browser', configDir: config, watch: true, beforeWatchStart: g.seam });
    disposers.push(() => backend.dispose());
    const ready: string[] = [];
    backend.engine.events.on('indexProgress', (e) => {
      if (e.phase === 'ready') ready.push(e.storeId);
    });

    // Resolves although the watcher start is held (it used to wait for the watcher).
    const opened = await backend.call('openProject', { path: dir });
    if (!opened.ok) throw new Error(opened.error.message);
    const storeId = (opened.value.stores[0] as { id: string }).id;
    expect(g.entered()).toBe(true);
    expect(ready).toContain(storeId);
    const status = await backend.call('getStatus', {});
    expect(status.ok && status.value.indexing).toEqual([]);
    const runs = await backend.call('queryRuns', { storeId, experimentIds: [EXP], limit: 100 });
    expect(runs.ok && runs.value.total).toBe(16);

    let watching = false;
    const live = backend.engine.whenWatching().then(() => {
      watching = true;
    });
    await backend.engine.settle();
    expect(watching).toBe(false);
    g.open();
    await live;
    expect(watching).toBe(true);
    expect(backend.engine.diagnostics()).toEqual([]);
  });

  it('a store watched tiered reports a notice: listed by listDiagnostics, not counted by getStatus or diagnosticsChanged', async () => {
    const dir = await trainingStore();
    const { dir: config, cleanup } = await tempDir('runsight-config-');
    disposers.push(cleanup);
    const backend = await createBackend({ host: 'browser', configDir: config, watch: true, maxFullWatchRuns: 1 });
    disposers.push(() => backend.dispose());
    const counts: number[] = [];
    backend.engine.events.on('diagnosticsChanged', (e) => counts.push(e.count));
    const opened = await backend.call('openProject', { path: dir });
    if (!opened.ok) throw new Error(opened.error.message);
    await backend.engine.whenWatching();

    const listed = await backend.call('listDiagnostics', {});
    if (!listed.ok) throw new Error(listed.error.message);
    expect(listed.value).toHaveLength(1);
    expect(listed.value[0]).toMatchObject({ severity: 'notice', problem: expect.stringMatching(/too many runs to watch every file/) });
    const status = await backend.call('getStatus', {});
    expect(status.ok && status.value.diagnosticsCount).toBe(0);
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.every((c) => c === 0)).toBe(true);
  });

  for (const mode of ['full', 'tiered'] as const) {
    it(`what is written while the watcher starts is indexed once it is ready (${mode} watching)`, async () => {
      const dir = await trainingStore();
      const g = gate();
      const engine = await Engine.create({
        watch: true,
        beforeWatchStart: g.seam,
        ...(mode === 'tiered' ? { watchBudget: 10, coldPollMs: 60_000 } : {}),
      });
      disposers.push(() => engine.dispose());
      const { stores } = await engine.openProject(dir);
      const storeId = (stores[0] as { id: string }).id;
      expect(engine.index.getRun({ storeId, runId: TRAINING })?.status).toBe('RUNNING');
      const before = engine.index.getRun({ storeId, runId: TRAINING })?.metrics.mse?.value;
      expect(before).not.toBe(4321.5);

      // While the watcher is held: training appends a line (no folder's mtime changes), so does a
      // finished run (MLflow's log_metric after end_run), a tag is added to a finished run, a new
      // run folder appears, a finished run folder is removed.
      const expDir = path.join(dir, 'mlruns', EXP);
      await appendFile(path.join(expDir, TRAINING, 'metrics', 'mse'), `${Date.now()} 4321.5 99\n`);
      expect(engine.index.getRun({ storeId, runId: APPENDED })?.status).toBe('FINISHED');
      await appendFile(path.join(expDir, APPENDED, 'metrics', 'mse'), `${Date.now()} 8765.25 98\n`);
      await writeFile(path.join(expDir, TAGGED, 'tags', 'reviewed'), 'yes');
      const staging = path.join(dir, 'staging');
      await cp(path.join(expDir, TAGGED), staging, { recursive: true });
      await writeFile(path.join(staging, 'meta.yaml'), (await readFile(path.join(staging, 'meta.yaml'), 'utf8')).replaceAll(TAGGED, NEW_RUN));
      await rename(staging, path.join(expDir, NEW_RUN));
      await rm(path.join(expDir, DELETED), { recursive: true });
      await engine.settle();
      expect(engine.index.getRun({ storeId, runId: TRAINING })?.metrics.mse?.value).toBe(before);

      g.open();
      await engine.whenWatching();
      expect(engine.index.getRun({ storeId, runId: TRAINING })?.metrics.mse).toMatchObject({ value: 4321.5, step: 99 });
      expect(engine.index.getRun({ storeId, runId: TAGGED })?.tags.reviewed).toBe('yes');
      expect(engine.index.getRun({ storeId, runId: APPENDED })?.metrics.mse).toMatchObject({ value: 8765.25, step: 98 });
      expect(engine.index.getRun({ storeId, runId: NEW_RUN })?.experimentId).toBe(EXP);
      expect(engine.index.getRun({ storeId, runId: DELETED })).toBeFalsy();
      // Tiered watching is a notice (listed, not counted as a problem); full watching says nothing.
      const notices = engine.diagnostics().filter((d) => d.severity === 'notice');
      expect(countProblems(engine.diagnostics())).toBe(0);
      if (mode === 'tiered') {
        expect(notices).toHaveLength(1);
        expect(notices[0]?.problem).toMatch(/runs that are training are watched live/);
      } else expect(notices).toEqual([]);

      // Nothing else drifted: the index equals a fresh load of the store.
      const fresh = await Engine.create({ watch: false });
      disposers.push(() => fresh.dispose());
      await fresh.openProject(dir);
      expect(runsOf(engine, storeId)).toEqual(runsOf(fresh, storeId));
    });
  }

  it('closing the project while the watcher start is held opens no watch, ever', async () => {
    const baseline = await watchHandles();
    const dir = await trainingStore();
    const g = gate();
    const engine = await Engine.create({ watch: true, beforeWatchStart: g.seam });
    await engine.openProject(dir);
    expect(g.entered()).toBe(true);
    // Does not wait for the held start.
    await engine.dispose();
    g.open();
    expect(await watchHandles()).toBe(baseline);
  });

  for (const mode of ['full', 'tiered'] as const) {
    it(`closing the project during the watcher's initial scan leaves no watch open (${mode} watching)`, async () => {
      const baseline = await watchHandles();
      const dir = await trainingStore();
      const engine = await Engine.create({ watch: true, ...(mode === 'tiered' ? { maxFullWatchRuns: 1 } : {}) });
      const changes: unknown[] = [];
      await engine.openProject(dir);
      engine.events.on('indexChanged', (e) => changes.push(e));
      // The scan needs I/O callbacks to finish; none has run since openProject resolved.
      await engine.dispose();
      expect(await watchHandles()).toBe(baseline);
      expect(changes).toEqual([]);
    });
  }

  it('a project reopened while its watcher was starting is watched once, by the new store', async () => {
    const dir = await trainingStore();
    const g = gate();
    const engine = await Engine.create({ watch: true, beforeWatchStart: g.seam });
    disposers.push(() => engine.dispose());
    await engine.openProject(dir);
    const reopened = engine.openProject(dir);
    g.open();
    const { stores } = await reopened;
    await engine.whenWatching();
    const storeId = (stores[0] as { id: string }).id;
    const file = path.join(dir, 'mlruns', EXP, TRAINING, 'metrics', 'mse');
    const seen = new Promise<void>((resolve) => {
      engine.events.on('indexChanged', (e) => {
        if (e.runIds.includes(TRAINING)) resolve();
      });
    });
    await appendFile(file, `${Date.now()} 77.5 100\n`);
    await seen;
    expect(engine.index.getRun({ storeId, runId: TRAINING })?.metrics.mse).toMatchObject({ value: 77.5, step: 100 });
  });
});

describe('watch mode', () => {
  const runs = (n: number) => Array.from({ length: n }, (_, i) => ({ dir: `/store/1/run${i}`, hot: i === 0 }));
  const mode = (n: number, extra: Partial<ConstructorParameters<typeof FileStoreWatch>[0]> = {}) => {
    const w = new FileStoreWatch({ root: '/store', onChange: () => {}, watchBudget: Number.POSITIVE_INFINITY, ...extra }, runs(n));
    return [w.mode, w.tieredBecause];
  };

  it('watches every file of a store up to FULL_WATCH_MAX_RUNS runs, only training runs beyond', () => {
    expect(mode(FULL_WATCH_MAX_RUNS)).toEqual(['full', null]);
    expect(mode(FULL_WATCH_MAX_RUNS + 1)).toEqual(['tiered', 'size']);
    expect(mode(FULL_WATCH_MAX_RUNS + 1, { polling: true })).toEqual(['tiered', 'size']);
  });

  it('goes tiered when the inotify budget is short, whatever the size; polling needs no inotify watches', () => {
    expect(mode(10, { watchBudget: 100 })).toEqual(['tiered', 'budget']);
    expect(mode(10, { watchBudget: 100, polling: true })).toEqual(['full', null]);
  });
});
