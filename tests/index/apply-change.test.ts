// Keeping the index in step with a store: snapshots, changes, several stores at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunIndex, type RunIndex } from '../../electron/engine/index/index.ts';
import { change, dataset, experiment, fixtureSnapshot, loggedModel, registeredModel, run, snapshot } from './model-builders.ts';

let ix: RunIndex;
beforeEach(async () => {
  ix = await createRunIndex();
});
afterEach(() => ix.close());

const ids = (storeId: string, q: { filter?: string; lifecycle?: 'active' | 'deleted' | 'all'; experimentIds?: string[] } = {}) =>
  ix
    .queryRuns({ storeId, experimentIds: q.experimentIds ?? [], lifecycle: q.lifecycle, filter: q.filter })
    .rows.map((r) => r.runId);

const counts = (storeId: string) =>
  Object.fromEntries(ix.listExperiments({ storeId, lifecycle: 'all' }).map((e) => [e.experimentId, e.runCounts]));

describe('applyChange', () => {
  beforeEach(() => {
    ix.applySnapshot(
      snapshot('/s', {
        experiments: [experiment('0', { name: 'Default' }), experiment('1', { name: 'one' })],
        runs: [
          run('a', { experimentId: '1', startTime: 3, metrics: { loss: 0.5 }, params: { lr: '0.1' } }),
          run('b', { experimentId: '1', startTime: 2, metrics: { loss: 0.7 }, params: { lr: '0.01' } }),
          run('c', { experimentId: '0', startTime: 1, tags: { team: 'x' } }),
        ],
      }),
    );
  });

  it('upserts a run with a new latest metric', () => {
    expect(ids('/s', { filter: 'metrics.loss < 0.4' })).toEqual([]);
    ix.applyChange(
      '/s',
      change({
        runs: [
          run('b', {
            experimentId: '1',
            startTime: 2,
            metrics: { loss: { step: 5, timestamp: 99, value: 0.3 }, acc: 0.9 },
            params: { lr: '0.01', epochs: '5' },
          }),
        ],
      }),
    );
    expect(ids('/s', { filter: 'metrics.loss < 0.4' })).toEqual(['b']);
    expect(ix.getRun({ storeId: '/s', runId: 'b' })?.metrics).toEqual({
      loss: { step: 5, timestamp: 99, value: 0.3 },
      acc: { step: 0, timestamp: 2, value: 0.9 },
    });
    expect(ix.listColumns({ storeId: '/s', experimentIds: ['1'] })).toEqual({
      params: ['epochs', 'lr'],
      metrics: ['acc', 'loss'],
      tags: [],
    });
    expect(ix.stats()).toEqual({ stores: 1, experiments: 2, runs: 3 });
  });

  it('adds a new run and removes one', () => {
    ix.applyChange('/s', change({ runs: [run('d', { experimentId: '1', startTime: 4 })], removedRunIds: ['a'] }));
    expect(ids('/s')).toEqual(['d', 'b', 'c']);
    expect(ix.getRun({ storeId: '/s', runId: 'a' })).toBeNull();
    expect(ids('/s', { filter: "params.lr = '0.1'" })).toEqual([]);
    expect(counts('/s')).toEqual({ '0': { active: 1, deleted: 0 }, '1': { active: 2, deleted: 0 } });
    // a's key is gone from the columns once no run of the experiment has it... b still has lr.
    expect(ix.listColumns({ storeId: '/s', experimentIds: ['1'] }).params).toEqual(['lr']);
    ix.applyChange('/s', change({ removedRunIds: ['b', 'no-such-run'] }));
    expect(ix.listColumns({ storeId: '/s', experimentIds: ['1'] })).toEqual({ params: [], metrics: [], tags: [] });
  });

  it('moves a run between the active and deleted counts when its lifecycle changes', () => {
    expect(counts('/s')['1']).toEqual({ active: 2, deleted: 0 });
    const deleted = run('a', { experimentId: '1', startTime: 3, lifecycleStage: 'deleted', deletedTime: 10, metrics: { loss: 0.5 } });
    ix.applyChange('/s', change({ runs: [deleted] }));
    expect(counts('/s')['1']).toEqual({ active: 1, deleted: 1 });
    expect(ids('/s')).toEqual(['b', 'c']);
    expect(ids('/s', { lifecycle: 'deleted' })).toEqual(['a']);
    expect(ids('/s', { lifecycle: 'all' })).toEqual(['a', 'b', 'c']);
    expect(ix.getRun({ storeId: '/s', runId: 'a' })).toMatchObject({ lifecycleStage: 'deleted', deletedTime: 10 });
    ix.applyChange('/s', change({ runs: [{ ...deleted, lifecycleStage: 'active', deletedTime: null }] }));
    expect(counts('/s')['1']).toEqual({ active: 2, deleted: 0 });
  });

  it('moves a run to another experiment', () => {
    ix.applyChange('/s', change({ runs: [run('c', { experimentId: '1', startTime: 1, tags: { team: 'x' } })] }));
    expect(ids('/s', { experimentIds: ['0'] })).toEqual([]);
    expect(ids('/s', { experimentIds: ['1'] })).toEqual(['a', 'b', 'c']);
    expect(ix.listColumns({ storeId: '/s', experimentIds: ['0'] }).tags).toEqual([]);
    expect(ix.listColumns({ storeId: '/s', experimentIds: ['1'] }).tags).toEqual(['team']);
  });

  it('updates, adds and removes experiments (with their runs)', () => {
    ix.applyChange(
      '/s',
      change({
        experiments: [experiment('1', { name: 'renamed', lifecycleStage: 'deleted' }), experiment('2', { name: 'two' })],
        removedExperimentIds: ['0'],
      }),
    );
    expect(ix.listExperiments({ storeId: '/s' }).map((e) => e.name)).toEqual(['two']);
    expect(ix.listExperiments({ storeId: '/s', lifecycle: 'deleted' }).map((e) => e.name)).toEqual(['renamed']);
    expect(ix.listExperiments({ storeId: '/s', lifecycle: 'all' }).map((e) => e.experimentId)).toEqual(['1', '2']);
    expect(ids('/s')).toEqual(['a', 'b']);
    expect(ix.getRun({ storeId: '/s', runId: 'c' })).toBeNull();
    expect(ix.stats()).toEqual({ stores: 1, experiments: 2, runs: 2 });
  });

  it('replaces logged models and the registry', () => {
    ix.applyChange(
      '/s',
      change({
        loggedModels: [loggedModel('m-1', { experimentId: '1', sourceRunId: 'a' }), loggedModel('m-2', { experimentId: '1' })],
        registry: [registeredModel('reg')],
      }),
    );
    expect(ix.listLoggedModels({ storeId: '/s' }).map((m) => m.modelId)).toEqual(['m-1', 'm-2']);
    ix.applyChange(
      '/s',
      change({ loggedModels: [loggedModel('m-1', { experimentId: '1', name: 'renamed' })], removedLoggedModelIds: ['m-2'] }),
    );
    expect(ix.listLoggedModels({ storeId: '/s' }).map((m) => [m.modelId, m.name])).toEqual([['m-1', 'renamed']]);
    expect(ix.listRegisteredModels({}).map((m) => m.name)).toEqual(['reg']);
    ix.applyChange('/s', change({ registry: null }));
    expect(ix.listRegisteredModels({}).map((m) => m.name)).toEqual(['reg']);
    ix.applyChange('/s', change({ registry: [] }));
    expect(ix.listRegisteredModels({})).toEqual([]);
  });

  it('refuses a change for a store it never saw', () => {
    expect(() => ix.applyChange('/other', change({}))).toThrow(/no snapshot/);
  });
});

describe('several stores', () => {
  it('keeps two copies of one store apart (same experiment ids, same run ids)', () => {
    const a = fixtureSnapshot('seed-rf', '/copy-a/mlruns');
    const b = fixtureSnapshot('seed-rf', '/copy-b/mlruns');
    ix.applySnapshot(a);
    ix.applySnapshot(b);
    expect(ix.stats()).toEqual({ stores: 2, experiments: 4, runs: 32 });
    expect(ix.listStores().map((s) => s.id)).toEqual(['/copy-a/mlruns', '/copy-b/mlruns']);
    const exps = ix.listExperiments({});
    expect(exps.map((e) => [e.storeId, e.experimentId, e.runCounts.active])).toEqual([
      ['/copy-a/mlruns', '0', 0],
      ['/copy-a/mlruns', '266606262520181169', 16],
      ['/copy-b/mlruns', '0', 0],
      ['/copy-b/mlruns', '266606262520181169', 16],
    ]);

    // Deleting a run in copy B leaves copy A untouched.
    const best = '187fc5b87fa9498db55f741927fe9ef6';
    ix.applyChange('/copy-b/mlruns', change({ removedRunIds: [best] }));
    expect(ix.getRun({ storeId: '/copy-a/mlruns', runId: best })?.runName).toBe('blushing-skink-897');
    expect(ix.getRun({ storeId: '/copy-b/mlruns', runId: best })).toBeNull();
    expect(ix.queryRuns({ storeId: '/copy-a/mlruns', experimentIds: [] }).total).toBe(16);
    expect(ix.queryRuns({ storeId: '/copy-b/mlruns', experimentIds: [] }).total).toBe(15);
    expect(ix.queryRuns({ storeId: '/copy-a/mlruns', experimentIds: [], orderBy: ['metrics.mse'], limit: 1 }).rows[0]?.storeId).toBe(
      '/copy-a/mlruns',
    );
    expect(ix.listRegisteredModels({}).map((m) => [m.name, m.storeId])).toEqual([
      ['RandomForestRegressor', '/copy-a/mlruns'],
      ['RandomForestRegressor', '/copy-b/mlruns'],
    ]);

    // Same experiment id "0" in two stores: a run added to B's Default does not show in A's.
    ix.applyChange('/copy-b/mlruns', change({ runs: [run('new', { experimentId: '0' })] }));
    expect(ix.listExperiments({ storeId: '/copy-a/mlruns' })[0]?.runCounts.active).toBe(0);
    expect(ix.listExperiments({ storeId: '/copy-b/mlruns' })[0]?.runCounts.active).toBe(1);
    expect(ix.queryRuns({ storeId: '/copy-a/mlruns', experimentIds: ['0'] }).total).toBe(0);

    ix.removeStore('/copy-a/mlruns');
    expect(ix.stats()).toEqual({ stores: 1, experiments: 2, runs: 16 });
    expect(ix.getRun({ storeId: '/copy-a/mlruns', runId: best })).toBeNull();
    expect(ix.listRegisteredModels({}).map((m) => m.storeId)).toEqual(['/copy-b/mlruns']);
    expect(ix.queryRuns({ storeId: '/copy-b/mlruns', experimentIds: [] }).total).toBe(16);
    ix.removeStore('/copy-a/mlruns'); // already gone: no-op
  });

  it('replaces everything of a store on a new snapshot', () => {
    ix.applySnapshot(snapshot('/s', { runs: [run('a'), run('b')], registry: [registeredModel('m')] }));
    ix.applySnapshot(snapshot('/t', { runs: [run('a')] }));
    ix.applySnapshot(snapshot('/s', { runs: [run('c')], info: { kind: 'sqlite', schemaRevision: 'abc' } }));
    expect(ids('/s')).toEqual(['c']);
    expect(ids('/t')).toEqual(['a']);
    expect(ix.listRegisteredModels({})).toEqual([]);
    expect(ix.listStores()).toEqual([
      { id: '/s', kind: 'sqlite', path: '/s', artifactRoot: '/s', schemaRevision: 'abc' },
      { id: '/t', kind: 'file', path: '/t', artifactRoot: '/t' },
    ]);
  });

  it('keeps the later of two runs with the same id in one snapshot', () => {
    ix.applySnapshot(snapshot('/s', { runs: [run('a', { runName: 'first' }), run('a', { runName: 'second' })] }));
    expect(ix.queryRuns({ storeId: '/s', experimentIds: [] }).rows.map((r) => r.runName)).toEqual(['second']);
    expect(ix.stats().runs).toBe(1);
  });

  it('a snapshot delivered in parts (streaming load) ends as applySnapshot would leave it', async () => {
    const snap = fixtureSnapshot('kitchen-sink', '/ks');
    ix.applySnapshot(snapshot('/ks', { runs: [run('stale')] }));
    ix.beginSnapshot(snap.info);
    expect(ids('/ks')).toEqual([]);
    const [first, ...rest] = snap.runs;
    ix.addSnapshotRuns('/ks', [first!]);
    // Runs are queryable as soon as their batch is in.
    expect(ix.queryRuns({ storeId: '/ks', experimentIds: [], lifecycle: 'all' }).total).toBe(1);
    ix.addSnapshotRuns('/ks', rest.slice(0, 3));
    // A run delivered twice: the later record wins, as in one snapshot.
    ix.addSnapshotRuns('/ks', [{ ...first!, runName: 'again' }]);
    ix.endSnapshot({ ...snap, runs: rest.slice(3) });
    const whole = await createRunIndex();
    try {
      whole.applySnapshot({ ...snap, runs: [...rest, { ...first!, runName: 'again' }] });
      const all = (x: RunIndex) => x.queryRuns({ storeId: '/ks', experimentIds: [], lifecycle: 'all', orderBy: ['attributes.run_id'], limit: 1000 });
      expect(all(ix)).toEqual(all(whole));
      expect(ix.listExperiments({ storeId: '/ks', lifecycle: 'all' })).toEqual(whole.listExperiments({ storeId: '/ks', lifecycle: 'all' }));
      expect(ix.listColumns({ storeId: '/ks', experimentIds: [] })).toEqual(whole.listColumns({ storeId: '/ks', experimentIds: [] }));
      expect(ix.listRegisteredModels({})).toEqual(whole.listRegisteredModels({}));
      expect(ix.listLoggedModels({ storeId: '/ks', includeDeleted: true })).toEqual(whole.listLoggedModels({ storeId: '/ks', includeDeleted: true }));
      for (const r of snap.runs) expect(ix.getRun({ storeId: '/ks', runId: r.runId })).toEqual(whole.getRun({ storeId: '/ks', runId: r.runId }));
    } finally {
      whole.close();
    }
    expect(() => ix.addSnapshotRuns('/nope', [])).toThrow(/no snapshot begun/);
  });

  it('survives many changes: slots and keys are reused correctly', () => {
    ix.applySnapshot(snapshot('/s', { runs: Array.from({ length: 50 }, (_, i) => run(`r${i}`, { startTime: i, metrics: { m: i } })) }));
    for (let round = 0; round < 5; round++) {
      const removed = Array.from({ length: 10 }, (_, i) => `r${round * 10 + i}`);
      const added = Array.from({ length: 10 }, (_, i) =>
        run(`n${round}-${i}`, { startTime: 100 + round * 10 + i, params: { round: String(round) }, metrics: { m: -1 } }),
      );
      ix.applyChange('/s', change({ removedRunIds: removed, runs: added }));
    }
    expect(ix.queryRuns({ storeId: '/s', experimentIds: [] }).total).toBe(50);
    expect(ids('/s', { filter: 'metrics.m >= 0' })).toEqual([]);
    expect(ids('/s', { filter: "params.round = '4'" })).toHaveLength(10);
    expect(ix.queryRuns({ storeId: '/s', experimentIds: [], orderBy: ['params.round DESC'], limit: 1 }).rows[0]?.runId).toBe('n4-9');
    expect(ix.listColumns({ storeId: '/s', experimentIds: ['0'] })).toEqual({ params: ['round'], metrics: ['m'], tags: [] });
  });
});

describe('failed writes', () => {
  // A run the readers can never produce (a param value that is not a string) makes the SQL
  // write fail midway; without a rollback journal the index drops that store and says so.
  const broken = () => run('bad', { params: { p: { not: 'a string' } as unknown as string } });

  it('drops the store whose snapshot failed and keeps the others', () => {
    ix.applySnapshot(snapshot('/ok', { runs: [run('a')] }));
    expect(() => ix.applySnapshot(snapshot('/bad', { runs: [run('x'), broken()] }))).toThrow(/store \/bad was dropped/);
    expect(ix.listStores().map((s) => s.id)).toEqual(['/ok']);
    expect(ix.stats()).toEqual({ stores: 1, experiments: 1, runs: 1 });
    expect(ids('/ok')).toEqual(['a']);
    ix.applySnapshot(snapshot('/bad', { runs: [run('x')] }));
    expect(ids('/bad')).toEqual(['x']);
  });

  it('drops the store whose change failed', () => {
    ix.applySnapshot(snapshot('/s', { runs: [run('a')] }));
    expect(() => ix.applyChange('/s', change({ runs: [broken()] }))).toThrow(/dropped from the index/);
    expect(ix.listStores()).toEqual([]);
    expect(ix.queryRuns({ storeId: '/s', experimentIds: [] })).toEqual({ rows: [], total: 0 });
    expect(() => ix.applyChange('/s', change({}))).toThrow(/no snapshot/);
  });

  it('refuses to be used after close', () => {
    const closed = ix;
    closed.close();
    expect(() => closed.stats()).toThrow(/after close/);
    closed.close();
  });
});

describe('round trips', () => {
  it('getRun returns every kitchen-sink run exactly as ingested (NaN, ±Infinity, -0, datasets, outputs)', () => {
    const snap = fixtureSnapshot('kitchen-sink', '/ks');
    ix.applySnapshot(snap);
    for (const r of snap.runs) {
      const got = ix.getRun({ storeId: '/ks', runId: r.runId });
      expect(got).toEqual(r);
      for (const [k, p] of Object.entries(r.metrics)) expect(Object.is(got!.metrics[k]!.value, p.value)).toBe(true);
    }
    expect(ix.getRun({ storeId: '/ks', runId: 'nope' })).toBeNull();
    expect(ix.getRun({ storeId: '/nope', runId: snap.runs[0]!.runId })).toBeNull();
  });

  it('lists experiments with their tags and counts', () => {
    const snap = fixtureSnapshot('kitchen-sink', '/ks');
    ix.applySnapshot(snap);
    const all = ix.listExperiments({ lifecycle: 'all' });
    expect(all.map((e) => e.experimentId)).toEqual([
      '0',
      '359894897101744336',
      '387161336320449950',
      '549616697491748688',
      '685069564411739202',
      '731402854680542393',
      '767706762792392391',
      '965648626397435315',
    ]);
    for (const e of all) {
      const { storeId, runCounts, ...experimentFields } = e;
      expect(storeId).toBe('/ks');
      expect(experimentFields).toEqual(snap.experiments.find((x) => x.experimentId === e.experimentId));
      const runs = snap.runs.filter((r) => r.experimentId === e.experimentId);
      expect(runCounts).toEqual({
        active: runs.filter((r) => r.lifecycleStage === 'active').length,
        deleted: runs.filter((r) => r.lifecycleStage === 'deleted').length,
      });
    }
    expect(ix.listExperiments({}).map((e) => e.name)).not.toContain('to-be-deleted');
    expect(ix.listExperiments({ lifecycle: 'deleted' }).map((e) => e.name)).toEqual(['to-be-deleted']);
    expect(ix.listExperiments({ storeId: '/nope' })).toEqual([]);
  });

  it('lists the columns of the chosen experiments', () => {
    ix.applySnapshot(fixtureSnapshot('kitchen-sink', '/ks'));
    const cols = ix.listColumns({ storeId: '/ks', experimentIds: ['685069564411739202'] });
    expect(cols.metrics).toEqual(['точность']);
    const main = ix.listColumns({ storeId: '/ks', experimentIds: ['387161336320449950'] });
    expect(main.metrics).toContain('weird/nan');
    expect(main.metrics).toContain('with space: and colon');
    expect(main.params).toContain('data split: ratio');
    expect(main.tags).toContain('mlflow.parentRunId');
    expect(main.metrics).toEqual([...main.metrics].sort());
    const whole = ix.listColumns({ storeId: '/ks', experimentIds: [] });
    expect(whole.metrics).toContain('точность');
    expect(ix.listColumns({ storeId: '/nope', experimentIds: [] })).toEqual({ params: [], metrics: [], tags: [] });
  });

  it('keeps a run whose datasets and inputs survive a change', () => {
    ix.applySnapshot(snapshot('/s'));
    const r = run('d', {
      inputs: { datasets: [dataset('train', 'training'), dataset('raw', null)], models: ['m-1'] },
      outputs: { models: [{ modelId: 'm-2', step: 3 }] },
      metrics: { acc: { step: 2, timestamp: 5, value: 0.5, datasetName: 'train', datasetDigest: 'digest-train' } },
    });
    ix.applyChange('/s', change({ runs: [r] }));
    expect(ix.getRun({ storeId: '/s', runId: 'd' })).toEqual(r);
    expect(ids('/s', { filter: "dataset.context = 'training'" })).toEqual(['d']);
    expect(ids('/s', { filter: "dataset.name = 'raw' and dataset.context IN ('training')" })).toEqual(['d']);
    ix.applyChange('/s', change({ runs: [{ ...r, inputs: { datasets: [], models: [] } }] }));
    expect(ids('/s', { filter: "dataset.name = 'raw'" })).toEqual([]);
  });
});
