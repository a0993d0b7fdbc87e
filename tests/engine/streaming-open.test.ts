// A big store's first read streams: its experiments are listed (and the store is named) before
// its runs are read, the experiment with the most run folders is read first, and the app is told
// to look as batches land — so the table shows rows long before the store is complete.
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type IndexChangedEvent } from '../../electron/engine/engine.ts';
import type { IndexProgressEvent, Run } from '../../electron/engine/model.ts';
import { createFileStoreReader } from '../../electron/engine/stores/mlflow-file/index.ts';
import { fastTempDir, fileStoreInfo, writeExperiment, writeRun } from '../helpers/file-store.ts';

const SMALL = '1';
const BIG = '2';
const BIG_RUNS = 600;

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of disposers.splice(0).reverse()) await d();
});

async function twoExperimentStore(): Promise<string> {
  const { dir, cleanup } = await fastTempDir('runsight-stream-');
  disposers.push(cleanup);
  const root = `${dir}/mlruns`;
  await writeExperiment(root, '0', 'Default');
  await writeExperiment(root, SMALL, 'small');
  await writeExperiment(root, BIG, 'big');
  for (let i = 0; i < 3; i++) await writeRun(root, SMALL, `s${String(i).padStart(31, '0')}`, { name: `small-${i}` });
  for (let i = 0; i < BIG_RUNS; i++) await writeRun(root, BIG, `b${String(i).padStart(31, '0')}`, { name: `big-${i}`, metrics: { loss: `1 ${i / 1000} 0\n` } });
  return root;
}

describe('streaming first read', () => {
  it('lists the experiments and the store before any run is read, with the run folders each holds', async () => {
    const root = await twoExperimentStore();
    const engine = await Engine.create({ watch: false });
    disposers.push(() => engine.dispose());
    interface Seen {
      progress: IndexProgressEvent;
      experiments: string[];
      stores: number;
      runs: number;
    }
    const seenList: Seen[] = [];
    // Asked while the store is still being read: answered once it is open, not refused.
    let history: Promise<unknown> | null = null;
    engine.events.on('indexProgress', (p) => {
      if (seenList.length > 0 || !p.runFolders) return;
      history = engine.getMetricHistory({ storeId: root, runIds: [`b${'0'.repeat(31)}`], keys: ['loss'] });
      const experiments = engine.index.listExperiments({ storeId: root, lifecycle: 'all' });
      seenList.push({
        progress: p,
        experiments: experiments.map((e) => e.name).sort(),
        stores: engine.listStores().length,
        runs: engine.index.queryRuns({ storeId: root, experimentIds: [], offset: 0, limit: 1 }).total,
      });
    });
    const changes: IndexChangedEvent[] = [];
    engine.events.on('indexChanged', (e) => changes.push(e));
    await engine.openStorePath(root);
    const s = seenList[0] as Seen;
    expect(s).toBeDefined();
    expect(s.progress).toMatchObject({ storeId: root, phase: 'reading', done: 0, total: BIG_RUNS + 3, runFolders: { [SMALL]: 3, [BIG]: BIG_RUNS } });
    expect(s.experiments).toEqual(['Default', 'big', 'small']);
    expect(s.stores).toBe(1);
    expect(s.runs).toBe(0);
    await expect(history).resolves.toEqual({ [`b${'0'.repeat(31)}`]: { loss: [expect.objectContaining({ timestamp: 1, value: 0, step: 0 })] } });
    // The first look comes with the experiments, before the store is complete; one more when ready.
    expect(changes[0]?.experimentIds.sort()).toEqual(['0', SMALL, BIG]);
    expect(changes.length).toBeGreaterThanOrEqual(2);
    // Complete once open: every run, counted per experiment.
    const counts = Object.fromEntries(engine.index.listExperiments({ storeId: root }).map((e) => [e.experimentId, e.runCounts.active]));
    expect(counts).toEqual({ '0': 0, [SMALL]: 3, [BIG]: BIG_RUNS });
  });

  it('reads the experiment with the most run folders first', async () => {
    const root = await twoExperimentStore();
    const reader = createFileStoreReader(fileStoreInfo(root));
    disposers.push(() => reader.close());
    const batches: Run[][] = [];
    const snap = await reader.load({ onRuns: (runs) => batches.push(runs), onExperiments: () => undefined });
    expect(batches.length).toBeGreaterThan(2);
    expect(batches[0]?.every((r) => r.experimentId === BIG)).toBe(true);
    expect(batches.flat().map((r) => r.experimentId).lastIndexOf(BIG)).toBeLessThan(batches.flat().map((r) => r.experimentId).indexOf(SMALL));
    expect(batches.flat()).toHaveLength(BIG_RUNS + 3);
    expect(snap.runs).toHaveLength(0);
  });
});
