// queryRuns against hand-computed expectations on the fixtures' data (converted from MLflow's own
// dump of them, see model-builders.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunIndex, QueryError, type RunIndex, type RunQuery } from '../../electron/engine/index/index.ts';
import { FIXTURE_STORE_IDS, fixtureInfo, fixturesIndex, fixtureSnapshot, run } from './model-builders.ts';

const SEED = FIXTURE_STORE_IDS.seed;
const KS = FIXTURE_STORE_IDS.ks;
const RF_EXP = '266606262520181169';
const KS_MAIN = '387161336320449950';

/** seed-rf runs by short id prefix (run id, n_estimators / max_depth, mse, r2_score). */
const R = {
  orderly: '60fd641ffeec44cc92a95f9b74c2ff7a', // 10/3     mse 3036.87 r2 0.42681
  gifted: '5f4de492dd644204848a32ff13c0ee4b', // 10/5     mse 3207.36 r2 0.39463
  calm: '84eaf2adb20c487e98c05a7e4ef54d0c', // 10/10    mse 3074.79 r2 0.41965
  traveling: '58737830e3e744ba9c6f2a6f97bf6468', // 10/None  mse 3135.29 r2 0.40823
  dazzling: 'b97c4ec44a984c37b680c6ce86205374', // 50/3     mse 2863.26 r2 0.45957
  casual: '60bf6af29334498b98cb47d78ec8689d', // 50/5     mse 2960.87 r2 0.44115
  powerful: '0f0ee5f53dfa4c069bd808d38cf8f62a', // 50/10    mse 3064.49 r2 0.42159
  inquisitive: '95505e0ca5874b1fb420f2bccfaced2a', // 50/None  mse 3044.20 r2 0.42542
  bittersweet: '96e636eaf3844a07ab23a6d489298ae2', // 100/3    mse 2812.77 r2 0.46910
  adaptable: '0d202591143f42f2b13f37b9a3b71c85', // 100/5    mse 2881.58 r2 0.45612
  glamorous: 'b04318db5cf94072a14fc3cb5288b7ff', // 100/10   mse 2974.20 r2 0.43864
  classy: 'e5154a9759864e8abfe9bcb629c36def', // 100/None mse 2952.01 r2 0.44282
  blushing: '187fc5b87fa9498db55f741927fe9ef6', // 200/3    mse 2774.29 r2 0.47637
  resilient: '6979d36c75c14566ae0329de536707cb', // 200/5    mse 2860.39 r2 0.46011
  sassy: '7386ff7e4b7345f287b8219faf39f2c4', // 200/10   mse 3004.97 r2 0.43283
  bouncy: '5cef6a32c92e4e9f8535906842306a04', // 200/None mse 2966.02 r2 0.44018
};
/** The runs in MLflow's natural order (start_time DESC): the reverse of logging order. */
const NEWEST_FIRST = Object.values(R).reverse();

let ix: RunIndex;

beforeAll(async () => {
  ix = await fixturesIndex();
});
afterAll(() => ix.close());

function ids(q: Partial<RunQuery> & { storeId?: string }): string[] {
  return ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], limit: 1000, ...q }).rows.map((r) => r.runId);
}

function names(q: Partial<RunQuery>): string[] {
  return ix.queryRuns({ storeId: KS, experimentIds: [], limit: 1000, ...q }).rows.map((r) => r.runName);
}

describe('seed-rf filters', () => {
  it('lists all 16 runs newest first without a filter', () => {
    const res = ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP] });
    expect(res.total).toBe(16);
    expect(res.rows.map((r) => r.runId)).toEqual(NEWEST_FIRST);
  });

  it("metrics.mse < 3000 and params.max_depth != 'None'", () => {
    expect(ids({ filter: "metrics.mse < 3000 and params.max_depth != 'None'" })).toEqual([
      R.resilient,
      R.blushing,
      R.glamorous,
      R.adaptable,
      R.bittersweet,
      R.casual,
      R.dazzling,
    ]);
  });

  it("params.max_depth = 'None' or metrics.r2_score > 0.45", () => {
    expect(ids({ filter: "params.max_depth = 'None' or metrics.r2_score > 0.45" })).toEqual([
      R.bouncy,
      R.resilient,
      R.blushing,
      R.classy,
      R.adaptable,
      R.bittersweet,
      R.inquisitive,
      R.dazzling,
      R.traveling,
    ]);
  });

  it('applies AND before OR, and parentheses over both', () => {
    // AND first: 'None' runs, plus the n_estimators=10 run with r2 > 0.42 (orderly, 0.4268).
    expect(ids({ filter: "params.max_depth = 'None' or metrics.r2_score > 0.42 and params.n_estimators = '10'" })).toEqual([
      R.bouncy,
      R.classy,
      R.inquisitive,
      R.traveling,
      R.orderly,
    ]);
    // Parentheses: 'None' or r2 > 0.42, then only n_estimators=10.
    expect(
      ids({ filter: "(params.max_depth = 'None' or metrics.r2_score > 0.42) and params.n_estimators = '10'" }),
    ).toEqual([R.traveling, R.orderly]);
  });

  it('NOT, IN, NOT IN, LIKE, ILIKE, IS NULL', () => {
    expect(ids({ filter: "NOT (params.max_depth IN ('3', '5', '10'))" })).toEqual([R.bouncy, R.classy, R.inquisitive, R.traveling]);
    expect(ids({ filter: "params.n_estimators NOT IN ('10', '50', '100')" })).toEqual([R.bouncy, R.sassy, R.resilient, R.blushing]);
    expect(ids({ filter: "params.max_depth LIKE 'N%'" })).toHaveLength(4);
    expect(ids({ filter: "params.max_depth LIKE 'n%'" })).toHaveLength(0);
    expect(ids({ filter: "params.max_depth ILIKE 'n_ne'" })).toHaveLength(4);
    expect(ids({ filter: "params.max_depth NOT LIKE '1%'" })).toHaveLength(12);
    expect(ids({ filter: "params.n_estimators LIKE '_0'" })).toEqual([R.powerful, R.inquisitive, R.casual, R.dazzling, R.traveling, R.calm, R.gifted, R.orderly].sort((a, b) => NEWEST_FIRST.indexOf(a) - NEWEST_FIRST.indexOf(b)));
    expect(ids({ filter: 'params.max_depth IS NULL' })).toEqual([]);
    expect(ids({ filter: 'params.nope IS NULL' })).toHaveLength(16);
    expect(ids({ filter: 'metrics.mse IS NOT NULL' })).toHaveLength(16);
  });

  it('matches attributes, tags and aliases', () => {
    expect(ids({ filter: "attributes.run_name = 'blushing-skink-897'" })).toEqual([R.blushing]);
    expect(ids({ filter: "run_name LIKE 'b%'" })).toEqual([R.bouncy, R.blushing, R.bittersweet]);
    expect(ids({ filter: "`Run Name` = 'sassy-newt-136'" })).toEqual([R.sassy]);
    expect(ids({ filter: `attributes.run_id IN ('${R.calm}', '${R.gifted}')` })).toEqual([R.calm, R.gifted]);
    expect(ids({ filter: "attributes.status = 'FINISHED' and tags.mlflow.user = 'alice'" })).toHaveLength(16);
    expect(ids({ filter: "status = 'finished'" })).toHaveLength(0);
    expect(ids({ filter: 'attributes.start_time >= 1795697830944' })).toEqual([R.bouncy, R.sassy]);
    expect(ids({ filter: 'created < 1795697813183' })).toEqual([R.orderly]);
    expect(ids({ filter: 'attributes.end_time > 1795697832627' })).toEqual([R.bouncy]);
    expect(ids({ filter: "tags.`mlflow.source.type` = 'LOCAL'" })).toHaveLength(16);
    expect(ids({ filter: "tags.\"mlflow.runName\" ILIKE '%OWL%'" })).toEqual([R.adaptable, R.powerful]); // adaptable-fowl, powerful-owl
    expect(ids({ filter: "attributes.artifact_uri LIKE '%/187fc5b87fa9498db55f741927fe9ef6/artifacts'" })).toEqual([R.blushing]);
    expect(ids({ filter: "attributes.lifecycle_stage = 'active'" })).toHaveLength(16);
  });

  it('compares metrics numerically, missing metrics never match', () => {
    expect(ids({ filter: 'metrics.r2_score >= 0.4763658273031117' })).toEqual([R.blushing]);
    expect(ids({ filter: 'metrics.mse = 2774.293307657063' })).toEqual([R.blushing]);
    expect(ids({ filter: 'metrics.mse != 2774.293307657063' })).toHaveLength(15);
    expect(ids({ filter: 'metrics.mse <= 2.8e3' })).toEqual([R.blushing]);
    expect(ids({ filter: 'metrics.nope != 1' })).toEqual([]);
    expect(ids({ filter: 'NOT metrics.nope > 1' })).toHaveLength(16);
  });

  it('reports filter errors as QueryError from queryRuns', () => {
    expect(() => ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], filter: 'metrics.mse rmse' })).toThrow(QueryError);
    expect(() => ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], orderBy: ['metrics.mse UP'] })).toThrow(QueryError);
  });
});

describe('seed-rf ordering and paging', () => {
  it('puts the best run first by r2_score DESC', () => {
    const best = (fixtureInfo('seed-rf') as { best_run_id: string }).best_run_id;
    expect(best).toBe(R.blushing);
    expect(ids({ orderBy: ['metrics.r2_score DESC'], limit: 3 })).toEqual([R.blushing, R.bittersweet, R.resilient]);
    expect(ids({ orderBy: [{ key: 'metrics.mse' }], limit: 1 })).toEqual([best]);
  });

  it('sorts n_estimators numerically (all values numeric), ties newest first', () => {
    expect(ids({ orderBy: ['params.n_estimators'] })).toEqual([
      R.traveling, R.calm, R.gifted, R.orderly,
      R.inquisitive, R.powerful, R.casual, R.dazzling,
      R.classy, R.glamorous, R.adaptable, R.bittersweet,
      R.bouncy, R.sassy, R.resilient, R.blushing,
    ]);
    expect(ids({ orderBy: ['params.n_estimators DESC'], limit: 4 })).toEqual([R.bouncy, R.sassy, R.resilient, R.blushing]);
  });

  it('sorts max_depth as strings while it holds None, numerically once None is filtered out', () => {
    const order = (q: Partial<RunQuery>) =>
      ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], limit: 100, ...q }).rows.map((r) => r.params.max_depth);
    const depths = order({ orderBy: ['params.max_depth'] });
    expect([...new Set(depths)]).toEqual(['10', '3', '5', 'None']);
    expect([...new Set(order({ orderBy: ['params.max_depth'], filter: "params.max_depth != 'None'" }))]).toEqual(['3', '5', '10']);
    expect([...new Set(order({ orderBy: ['params.max_depth DESC'], filter: "params.max_depth != 'None'" }))]).toEqual(['10', '5', '3']);
  });

  it('uses later order terms for ties', () => {
    expect(ids({ orderBy: ['params.max_depth', 'metrics.mse DESC'], filter: "params.max_depth = '3'" })).toEqual([
      R.orderly,
      R.dazzling,
      R.bittersweet,
      R.blushing,
    ]);
    expect(ids({ orderBy: ['attributes.status', 'attributes.start_time'], limit: 2 })).toEqual([R.orderly, R.gifted]);
  });

  it('pages with offset/limit and a stable total', () => {
    const all = ids({ orderBy: ['metrics.mse'] });
    expect(all).toHaveLength(16);
    const pages: string[] = [];
    for (let offset = 0; offset < 16; offset += 5) {
      const res = ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], orderBy: ['metrics.mse'], offset, limit: 5 });
      expect(res.total).toBe(16);
      pages.push(...res.rows.map((r) => r.runId));
    }
    expect(pages).toEqual(all);
    expect(ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], offset: 16 })).toEqual({ rows: [], total: 16 });
    expect(ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], limit: 0 })).toEqual({ rows: [], total: 16 });
    const filtered = ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], filter: 'metrics.mse < 3000', limit: 2, offset: 8 });
    expect(filtered.total).toBe(9);
    expect(filtered.rows).toHaveLength(1);
  });

  it('restricts to runIds', () => {
    expect(ids({ runIds: [R.calm, R.blushing, 'not-a-run', R.calm] })).toEqual([R.blushing, R.calm]);
    expect(ids({ runIds: [R.calm, R.blushing], filter: 'metrics.mse < 3000' })).toEqual([R.blushing]);
    expect(ids({ runIds: [] })).toEqual([]);
  });

  it('returns full rows', () => {
    const [row] = ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], orderBy: ['metrics.mse'], limit: 1 }).rows;
    expect(row).toEqual({
      storeId: SEED,
      runId: R.blushing,
      experimentId: RF_EXP,
      runName: 'blushing-skink-897',
      status: 'FINISHED',
      startTime: 1795697827786,
      endTime: 1795697829240,
      userId: 'alice',
      lifecycleStage: 'active',
      artifactUri: `file:///home/alice/projects/diabetes-rf/mlruns/${RF_EXP}/${R.blushing}/artifacts`,
      parentRunId: null,
      params: { max_depth: '3', n_estimators: '200' },
      metrics: {
        mse: { value: 2774.293307657063, step: 0, timestamp: 1795697827989 },
        r2_score: { value: 0.4763658273031117, step: 0, timestamp: 1795697827989 },
      },
      tags: {
        'mlflow.runName': 'blushing-skink-897',
        'mlflow.source.name': '/home/alice/projects/diabetes-rf/train.py',
        'mlflow.source.type': 'LOCAL',
        'mlflow.user': 'alice',
      },
    });
  });
});

describe('ordering with missing and NaN values', () => {
  let local: RunIndex;
  const extra = [
    // Newest of all: would come first in the natural order.
    run('nan-mse', { experimentId: RF_EXP, startTime: 1795697900000, metrics: { mse: NaN, r2_score: 0.5 } }),
    run('no-mse', { experimentId: RF_EXP, startTime: 1795697900001, metrics: { r2_score: 0.1 } }),
    run('inf-mse', { experimentId: RF_EXP, startTime: 1795697900002, metrics: { mse: Infinity } }),
    run('neg-inf-mse', { experimentId: RF_EXP, startTime: 1795697900003, metrics: { mse: -Infinity } }),
    run('no-start', { experimentId: RF_EXP, startTime: null, metrics: { mse: 3000 } }),
  ];

  beforeAll(async () => {
    local = await createRunIndex();
    const snap = fixtureSnapshot('seed-rf', SEED);
    snap.runs.push(...extra);
    local.applySnapshot(snap);
  });
  afterAll(() => local.close());

  const order = (orderBy: RunQuery['orderBy'], filter?: string) =>
    local.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], orderBy, filter, limit: 100 }).rows.map((r) => r.runId);

  it('puts NaN after numbers and missing last, ascending and descending', () => {
    const asc = order(['metrics.mse']);
    expect(asc).toHaveLength(21);
    expect(asc.slice(0, 2)).toEqual(['neg-inf-mse', R.blushing]);
    expect(asc.slice(-3)).toEqual(['inf-mse', 'nan-mse', 'no-mse']);
    const desc = order(['metrics.mse DESC']);
    expect(desc.slice(0, 2)).toEqual(['inf-mse', R.gifted]);
    expect(desc.slice(-3)).toEqual(['neg-inf-mse', 'nan-mse', 'no-mse']);
  });

  it('puts runs lacking a param or tag last in both directions', () => {
    const asc = order(['params.n_estimators']);
    const desc = order(['params.n_estimators DESC']);
    // The 5 hand-made runs have no params; among them the natural order (newest first, null start last).
    const tail = ['neg-inf-mse', 'inf-mse', 'no-mse', 'nan-mse', 'no-start'];
    expect(asc.slice(-5)).toEqual(tail);
    expect(desc.slice(-5)).toEqual(tail);
    expect(order(['tags.mlflow.user DESC']).slice(-5)).toEqual(tail);
  });

  it('puts a null start_time last in the natural order and in both directions', () => {
    expect(order(undefined).at(-1)).toBe('no-start');
    expect(order(['attributes.start_time']).at(-1)).toBe('no-start');
    expect(order(['attributes.start_time DESC']).at(-1)).toBe('no-start');
    expect(order(['attributes.start_time']).at(0)).toBe(R.orderly);
  });

  it('applies IEEE semantics to NaN in filters', () => {
    expect(order(undefined, 'metrics.mse > 0 and metrics.r2_score >= 0.5')).toEqual([]);
    expect(order(undefined, 'metrics.mse != 0 and metrics.r2_score >= 0.5')).toEqual(['nan-mse']);
    expect(order(undefined, 'metrics.mse > 1e308')).toEqual(['inf-mse']);
    expect(order(undefined, 'metrics.mse < -1e308')).toEqual(['neg-inf-mse']);
    expect(order(undefined, 'attributes.start_time IS NULL')).toEqual(['no-start']);
    expect(order(undefined, 'attributes.start_time != 5 and metrics.mse = 3000')).toEqual([]);
  });
});

describe('kitchen-sink queries', () => {
  it('scopes by experiments and lifecycle; an empty experiment list is the whole store', () => {
    expect(ix.queryRuns({ storeId: KS, experimentIds: [KS_MAIN] }).total).toBe(20);
    expect(ix.queryRuns({ storeId: KS, experimentIds: [KS_MAIN], lifecycle: 'deleted' }).rows.map((r) => r.runName)).toEqual([
      'deleted-run',
    ]);
    expect(ix.queryRuns({ storeId: KS, experimentIds: [KS_MAIN], lifecycle: 'all' }).total).toBe(21);
    expect(ix.queryRuns({ storeId: KS, experimentIds: [KS_MAIN, '0'] }).total).toBe(21);
    expect(ix.queryRuns({ storeId: KS, experimentIds: [] }).total).toBe(25);
    expect(ix.queryRuns({ storeId: KS, experimentIds: [], lifecycle: 'all' }).total).toBe(28);
    expect(ix.queryRuns({ storeId: KS, experimentIds: ['no-such'] }).total).toBe(0);
    expect(ix.queryRuns({ storeId: '/nowhere', experimentIds: [] })).toEqual({ rows: [], total: 0 });
  });

  it('handles NaN, infinities, -0 and odd metric keys', () => {
    expect(names({ filter: 'metrics."weird/nan" != 0' })).toEqual(['metrics-zoo']);
    expect(names({ filter: 'metrics."weird/nan" = 0 or metrics."weird/nan" < 1 or metrics."weird/nan" > 1' })).toEqual([]);
    expect(names({ filter: 'metrics.`weird/pos_inf` > 1e308 and metrics.`weird/neg_inf` < -1e308' })).toEqual(['metrics-zoo']);
    expect(names({ filter: 'metrics.weird/neg_zero = 0' })).toEqual(['metrics-zoo']);
    expect(names({ filter: "metrics.`with space: and colon` = 1.5 and metrics.学习曲线 = 0.5" })).toEqual(['metrics-zoo']);
    expect(names({ filter: 'metrics.`weird/tiny` > 0 and metrics.`weird/tiny` < 1e-299' })).toEqual(['metrics-zoo']);
  });

  it('matches params and tags with Unicode, spaces, empty and multi-line values', () => {
    const run = ['パラメータ ✨ run'];
    expect(names({ filter: "params.`data split: ratio` = '80/20'" })).toEqual(run);
    expect(names({ filter: "params.empty_value = '' and tags.empty_tag = ''" })).toEqual(run);
    expect(names({ filter: "params.bool_value ILIKE 'true'" })).toEqual(run);
    expect(names({ filter: "params.学习率 = '0.01'" })).toEqual(run);
    expect(names({ filter: "tags.ステータス = '完了 ✅'" })).toEqual(run);
    expect(names({ filter: "tags.multi_line_tag LIKE 'a%c'" })).toEqual(run);
    expect(names({ filter: "params.multi_line LIKE '%second line_'" })).toEqual(run);
    expect(names({ filter: "params.`optimizer/adam/beta_1` = '0.9'" })).toEqual(run);
    expect(names({ filter: "tags.team ILIKE 'VISION'" })).toEqual(run);
    expect(names({ filter: "attributes.run_name ILIKE 'パラメータ%'" })).toEqual(run);
    expect(names({ filter: "attributes.run_name = 'ユニコード run 🚀'" })).toEqual(['ユニコード run 🚀']);
  });

  it('matches statuses, users, null end times and run names case-sensitively', () => {
    expect(names({ filter: "attributes.status IN ('FAILED', 'KILLED')" })).toEqual(['killed-by-user', 'crashes-with-exception']);
    expect(names({ filter: 'attributes.end_time IS NULL' })).toEqual(['scheduled-run', 'still-running']);
    expect(names({ filter: "attributes.user_id = 'bob'" })).toEqual(['colorful-hawk-666']);
    expect(names({ filter: "attributes.run_name LIKE 'SWEEP%'" })).toEqual([]);
    expect(names({ filter: "attributes.run_name ILIKE 'SWEEP%'" })).toEqual([
      'sweep-child-lr=0.01',
      'sweep-grandchild',
      'sweep-child-lr=0.1',
      'sweep-parent',
    ]);
    expect(
      names({ filter: "(attributes.status = 'FAILED' OR attributes.status = 'KILLED') AND metrics.loss >= 0.85" }),
    ).toEqual(['crashes-with-exception']);
    expect(names({ filter: "run_name = 'duplicate-name'" })).toHaveLength(2);
  });

  it('matches dataset inputs by name, digest and context', () => {
    expect(names({ filter: "dataset.name = 'iris-train'" })).toEqual(['train-classifier', 'with-datasets']);
    expect(names({ filter: "dataset.context = 'training'" })).toEqual(['train-classifier', 'with-datasets']);
    expect(names({ filter: "dataset.context = 'evaluation'" })).toEqual(['with-datasets']);
    expect(names({ filter: "dataset.digest LIKE '2eff%'" })).toEqual(['train-classifier', 'with-datasets']);
    expect(names({ filter: "datasets.name IN ('iris-test-np')" })).toEqual(['with-datasets']);
    expect(names({ filter: "dataset.name != 'iris-test'" })).toEqual(['train-classifier', 'with-datasets']);
    expect(names({ filter: "dataset.context NOT IN ('training')" })).toEqual(['with-datasets']);
  });

  it('reports the parent of nested runs', () => {
    const rows = ix.queryRuns({ storeId: KS, experimentIds: [KS_MAIN], filter: "run_name LIKE 'sweep-%'", limit: 10 }).rows;
    const byName = new Map(rows.map((r) => [r.runName, r]));
    const parent = byName.get('sweep-parent')!;
    expect(parent.parentRunId).toBeNull();
    expect(byName.get('sweep-child-lr=0.1')!.parentRunId).toBe(parent.runId);
    expect(byName.get('sweep-grandchild')!.parentRunId).toBe(byName.get('sweep-child-lr=0.1')!.runId);
    expect(names({ filter: `tags.mlflow.parentRunId = '${parent.runId}'` })).toEqual(['sweep-child-lr=0.01', 'sweep-child-lr=0.1']);
  });

  it('returns NaN, infinities and -0 in rows', () => {
    const [zoo] = ix.queryRuns({ storeId: KS, experimentIds: [KS_MAIN], filter: "run_name = 'metrics-zoo'" }).rows;
    expect(zoo!.metrics['weird/nan']!.value).toBeNaN();
    expect(zoo!.metrics['weird/pos_inf']!.value).toBe(Infinity);
    expect(zoo!.metrics['weird/neg_inf']!.value).toBe(-Infinity);
    expect(Object.is(zoo!.metrics['weird/neg_zero']!.value, -0)).toBe(true);
    expect(zoo!.metrics['weird/huge']!.value).toBe(1.7976931348623157e308);
    expect(zoo!.metrics['steps/big_step']!.step).toBe(2 ** 40);
  });
});
