// queryGroups (and RunQuery.group) against hand-computed expectations: the seed-rf sweep grouped
// by max_depth is four groups of four runs; the numbers below were computed from
// /work/shared/fixtures/seed-rf/expected-runs.json (MLflow's own dump) with Python's math.fsum,
// i.e. the correctly rounded sum divided by the count. NaN/±inf values are counted apart and
// left out of mean/min/max (types.ts, MetricAggregate).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../electron/engine/backend/validate.ts';
import { createRunIndex, type GroupQuery, QueryError, type RunIndex } from '../../electron/engine/index/index.ts';
import { change, FIXTURE_STORE_IDS, fixturesIndex, fixtureSnapshot, run, snapshot } from './model-builders.ts';

const SEED = FIXTURE_STORE_IDS.seed;
const KS = FIXTURE_STORE_IDS.ks;
const RF_EXP = '266606262520181169';
const KS_MAIN = '387161336320449950';
const DEPTH = { entity: 'param', key: 'max_depth' } as const;

/** Per max_depth: [mean, min, max] of mse and r2_score over its 4 runs. */
const EXPECTED = {
  '3': { mse: [2871.7985573799165, 2774.293307657063, 3036.8708651158954], r2_score: [0.45796219253554327, 0.4268056089623762, 0.4763658273031117] },
  '5': { mse: [2977.5503700670633, 2860.392800049783, 3207.364146926545], r2_score: [0.43800205969926576, 0.39462584328118644, 0.46011497295247394] },
  '10': { mse: [3029.610466336532, 2974.1961704738605, 3074.7925811290265], r2_score: [0.42817597340718394, 0.4196480721810356, 0.43863514832194295] },
  None: { mse: [3024.3808101825844, 2952.0105887640448, 3135.2893258426975], r2_score: [0.42916304520168513, 0.40822961012384584, 0.4428225673999313] },
} as const;

/** seed-rf runs (run id, n_estimators/max_depth, mse). */
const R = {
  orderly: '60fd641ffeec44cc92a95f9b74c2ff7a', // 10/3     3036.87
  calm: '84eaf2adb20c487e98c05a7e4ef54d0c', // 10/10    3074.79
  powerful: '0f0ee5f53dfa4c069bd808d38cf8f62a', // 50/10    3064.49
  glamorous: 'b04318db5cf94072a14fc3cb5288b7ff', // 100/10   2974.20
  sassy: '7386ff7e4b7345f287b8219faf39f2c4', // 200/10   3004.97
};

let ix: RunIndex;

beforeAll(async () => {
  ix = await fixturesIndex();
});
afterAll(() => ix.close());

function groups(q: Partial<GroupQuery> = {}) {
  return ix.queryGroups({ storeId: SEED, experimentIds: [RF_EXP], by: DEPTH, metrics: ['mse', 'r2_score'], ...q });
}

describe('seed-rf grouped by max_depth', () => {
  it('gives four groups of four, in value order (numbers numerically, then None)', () => {
    const res = groups();
    expect(res.total).toBe(16);
    expect(res.totalGroups).toBe(4);
    expect(res.groups.map((g) => [g.value, g.count])).toEqual([
      ['3', 4],
      ['5', 4],
      ['10', 4],
      ['None', 4],
    ]);
  });

  it('aggregates mse and r2_score per group exactly (mean of the correctly rounded sum)', () => {
    for (const g of groups().groups) {
      const want = EXPECTED[g.value as keyof typeof EXPECTED];
      for (const m of ['mse', 'r2_score'] as const) {
        const [mean, min, max] = want[m];
        expect(g.aggregates[m], `${g.value} ${m}`).toEqual({ mean, min, max, count: 4, nonFinite: 0 });
      }
    }
  });

  it('applies the filter before grouping', () => {
    // mse < 3000 keeps 3 runs of depth 3 and 5, 1 of depth 10 (glamorous), 2 of None.
    const res = groups({ filter: 'metrics.mse < 3000' });
    expect(res.total).toBe(9);
    expect(res.groups.map((g) => [g.value, g.count])).toEqual([
      ['3', 3],
      ['5', 3],
      ['10', 1],
      ['None', 2],
    ]);
    const ten = res.groups[2]!.aggregates.mse!;
    expect(ten).toEqual({ mean: 2974.1961704738605, min: 2974.1961704738605, max: 2974.1961704738605, count: 1, nonFinite: 0 });
    // depth 3 without orderly (3036.87): (2863.260935235887 + 2812.7691215108202 + 2774.293307657063) / 3
    expect(res.groups[0]!.aggregates.mse!.mean).toBeCloseTo((2863.260935235887 + 2812.7691215108202 + 2774.293307657063) / 3, 9);
    expect(res.groups[0]!.aggregates.mse!.max).toBe(2863.260935235887);
    // A filter that removes a whole group removes the group.
    expect(groups({ filter: "params.max_depth != '10'" }).groups.map((g) => g.value)).toEqual(['3', '5', 'None']);
  });

  it('orders groups by an aggregate of a metric, or by value descending', () => {
    const by = (order: GroupQuery['order']) => groups({ order }).groups.map((g) => g.value);
    expect(by({ metric: 'mse' })).toEqual(['3', '5', 'None', '10']); // means 2871.8, 2977.6, 3024.4, 3029.6
    expect(by({ metric: 'mse', desc: true })).toEqual(['10', 'None', '5', '3']);
    expect(by({ metric: 'mse', aggregate: 'min' })).toEqual(['3', '5', 'None', '10']); // 2774.3, 2860.4, 2952.0, 2974.2
    expect(by({ metric: 'mse', aggregate: 'max', desc: true })).toEqual(['5', 'None', '10', '3']); // 3207.4, 3135.3, 3074.8, 3036.9
    expect(by({ desc: true })).toEqual(['None', '10', '5', '3']);
  });

  it('cuts at the limit and says how many groups there are', () => {
    const res = groups({ limit: 2 });
    expect(res.groups.map((g) => g.value)).toEqual(['3', '5']);
    expect(res.totalGroups).toBe(4);
  });

  it("queryRuns' group condition pages through one group in the query's order", () => {
    const res = ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], group: { by: DEPTH, value: '10' }, orderBy: ['metrics.mse ASC'] });
    expect(res.total).toBe(4);
    expect(res.rows.map((r) => r.runId)).toEqual([R.glamorous, R.sassy, R.powerful, R.calm]);
    // Combined with a filter, and with paging.
    const page = ix.queryRuns({
      storeId: SEED,
      experimentIds: [RF_EXP],
      group: { by: DEPTH, value: '10' },
      filter: 'metrics.mse > 3000',
      orderBy: ['metrics.mse ASC'],
      offset: 1,
      limit: 1,
    });
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => r.runId)).toEqual([R.powerful]);
    // Ids only, same order and paging (what selecting a whole group uses).
    expect(ix.queryRunIds({ storeId: SEED, experimentIds: [RF_EXP], group: { by: DEPTH, value: '10' }, orderBy: ['metrics.mse ASC'], limit: 1000 })).toEqual({
      runIds: [R.glamorous, R.sassy, R.powerful, R.calm],
      total: 4,
    });
    expect(ix.queryRunIds({ storeId: SEED, experimentIds: [RF_EXP], group: { by: DEPTH, value: '10' }, orderBy: ['metrics.mse ASC'], offset: 3 }).runIds).toEqual([R.calm]);
    expect(ix.queryRunIds({ storeId: '/nope', experimentIds: [] })).toEqual({ runIds: [], total: 0 });
    // A value no run has, and a key no run has.
    expect(ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], group: { by: DEPTH, value: '7' } }).total).toBe(0);
    expect(ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], group: { by: { entity: 'param', key: 'nope' }, value: null } }).total).toBe(16);
    expect(ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], group: { by: DEPTH, value: null } }).total).toBe(0);
  });

  it('groups everything into the no-value group for a key no run has', () => {
    const res = groups({ by: { entity: 'tag', key: 'nope' } });
    expect(res.groups).toHaveLength(1);
    expect(res.groups[0]).toMatchObject({ value: null, count: 16 });
    expect(res.groups[0]!.aggregates.mse!.count).toBe(16);
  });

  it('reports a bad filter as a positioned QueryError and an unknown store as empty', () => {
    expect(() => groups({ filter: 'metrics.mse <' })).toThrow(QueryError);
    expect(ix.queryGroups({ storeId: '/nope', experimentIds: [], by: DEPTH, metrics: [] })).toEqual({ groups: [], totalGroups: 0, total: 0 });
  });
});

describe('no-value group, NaN and infinities', () => {
  let local: RunIndex;

  beforeAll(async () => {
    local = await createRunIndex();
    const snap = fixtureSnapshot('seed-rf', SEED);
    snap.runs.push(
      // depth 3 gets a NaN and an infinite mse: counted apart, the aggregates stay those of the 4 finite runs.
      run('nan-3', { experimentId: RF_EXP, params: { max_depth: '3' }, metrics: { mse: NaN, r2_score: 0.5 } }),
      run('inf-3', { experimentId: RF_EXP, params: { max_depth: '3' }, metrics: { mse: Infinity } }),
      // depth 7 has only a NaN: the metric is there, but there is nothing to average.
      run('nan-7', { experimentId: RF_EXP, params: { max_depth: '7' }, metrics: { mse: NaN } }),
      // Three runs without max_depth.
      run('nodepth-a', { experimentId: RF_EXP, metrics: { mse: 100, r2_score: 0.1 } }),
      run('nodepth-b', { experimentId: RF_EXP, params: { n_estimators: '5' }, metrics: { mse: -Infinity } }),
      run('nodepth-c', { experimentId: RF_EXP }),
    );
    local.applySnapshot(snap);
  });
  afterAll(() => local.close());

  const q = (over: Partial<GroupQuery> = {}) =>
    local.queryGroups({ storeId: SEED, experimentIds: [RF_EXP], by: DEPTH, metrics: ['mse', 'r2_score'], ...over });

  it('puts runs without the key in a last group with value null', () => {
    const res = q();
    expect(res.total).toBe(22);
    expect(res.groups.map((g) => [g.value, g.count])).toEqual([
      ['3', 6],
      ['5', 4],
      ['7', 1],
      ['10', 4],
      ['None', 4],
      [null, 3],
    ]);
    const none = res.groups.at(-1)!;
    expect(none.aggregates.mse).toEqual({ mean: 100, min: 100, max: 100, count: 1, nonFinite: 1 });
    expect(none.aggregates.r2_score).toEqual({ mean: 0.1, min: 0.1, max: 0.1, count: 1, nonFinite: 0 });
    // It stays last in every order.
    expect(q({ order: { desc: true } }).groups.at(-1)!.value).toBeNull();
    expect(q({ order: { metric: 'mse', aggregate: 'min' } }).groups.at(-1)!.value).toBeNull();
  });

  it('leaves NaN and ±inf out of mean/min/max and counts them', () => {
    const three = q().groups[0]!;
    const [mean, min, max] = EXPECTED['3'].mse;
    expect(three.aggregates.mse).toEqual({ mean, min, max, count: 4, nonFinite: 2 });
    // r2_score: the NaN-mse run logged r2 0.5, the inf run no r2 at all.
    expect(three.aggregates.r2_score!.count).toBe(5);
    expect(three.aggregates.r2_score!.max).toBe(0.5);
    const seven = q().groups[2]!;
    expect(seven.aggregates.mse).toEqual({ mean: null, min: null, max: null, count: 0, nonFinite: 1 });
    expect(seven.aggregates.r2_score).toBeUndefined();
  });

  it('orders groups without a finite aggregate after the others (before the no-value group)', () => {
    expect(q({ order: { metric: 'mse' } }).groups.map((g) => g.value)).toEqual(['3', '5', 'None', '10', '7', null]);
    expect(q({ order: { metric: 'mse', desc: true } }).groups.map((g) => g.value)).toEqual(['10', 'None', '5', '3', '7', null]);
  });

  it('fetches the no-value group with a null group condition', () => {
    const res = local.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], group: { by: DEPTH, value: null }, orderBy: ['attributes.run_id'] });
    expect(res.rows.map((r) => r.runId)).toEqual(['nodepth-a', 'nodepth-b', 'nodepth-c']);
  });

  it('follows live changes', () => {
    local.applyChange(SEED, change({ runs: [run('late-5', { experimentId: RF_EXP, params: { max_depth: '5' }, metrics: { mse: 1000 } })], removedRunIds: ['nodepth-c'] }));
    const res = q();
    expect(res.groups.find((g) => g.value === '5')).toMatchObject({ count: 5, aggregates: { mse: { min: 1000, count: 5 } } });
    expect(res.groups.at(-1)).toMatchObject({ value: null, count: 2 });
  });
});

describe('attributes, tags and awkward values', () => {
  it('groups kitchen-sink runs by status (attribute) and counts deleted ones only when asked', () => {
    const res = ix.queryGroups({ storeId: KS, experimentIds: [KS_MAIN], by: { entity: 'attribute', key: 'status' }, metrics: ['loss'] });
    const counts: Record<string, number> = Object.fromEntries(res.groups.map((g) => [g.value, g.count]));
    // Every active run of kitchen-sink/main has a status: no null group.
    expect(res.groups.every((g) => g.value !== null)).toBe(true);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(20);
    expect(counts).toMatchObject({ FAILED: 1, KILLED: 1, RUNNING: 1, SCHEDULED: 1 });
    // Text values are in code point order.
    expect(res.groups.map((g) => g.value)).toEqual([...res.groups.map((g) => g.value as string)].sort());
    const all = ix.queryGroups({ storeId: KS, experimentIds: [KS_MAIN], lifecycle: 'all', by: { entity: 'attribute', key: 'status' }, metrics: [] });
    expect(all.total).toBe(21);
  });

  it('matches values with quotes and keys with backticks exactly (no filter text involved)', async () => {
    const local = await createRunIndex();
    const key = "odd `key' \"x\"";
    local.applySnapshot(
      snapshot('/s', {
        runs: [
          run('a', { params: { [key]: "it's \"x\"" }, tags: { team: '' } }),
          run('b', { params: { [key]: "it's \"x\"" } }),
          run('c', { params: { [key]: 'None' }, tags: { team: 'None' } }),
        ],
      }),
    );
    const by = { entity: 'param', key } as const;
    const res = local.queryGroups({ storeId: '/s', experimentIds: [], by, metrics: [] });
    expect(res.groups.map((g) => [g.value, g.count])).toEqual([
      ["it's \"x\"", 2],
      ['None', 1],
    ]);
    expect(local.queryRuns({ storeId: '/s', experimentIds: [], group: { by, value: "it's \"x\"" } }).total).toBe(2);
    // An empty tag is a value of its own, distinct from not having the tag.
    const team = local.queryGroups({ storeId: '/s', experimentIds: [], by: { entity: 'tag', key: 'team' }, metrics: [] });
    expect(team.groups.map((g) => [g.value, g.count])).toEqual([
      ['', 1],
      ['None', 1],
      [null, 1],
    ]);
    local.close();
  });
});

describe('contract validation', () => {
  it('accepts a group query and a group condition, and rejects malformed ones', () => {
    expect(parseArgs('queryGroups', { storeId: 's', experimentIds: [], by: DEPTH, metrics: ['mse'], order: { metric: 'mse', aggregate: 'max', desc: true } }).ok).toBe(true);
    expect(parseArgs('queryRuns', { storeId: 's', experimentIds: [], group: { by: DEPTH, value: null } }).ok).toBe(true);
    expect(parseArgs('queryRunIds', { storeId: 's', experimentIds: [], group: { by: DEPTH, value: '3' }, limit: 100_000 }).ok).toBe(true);
    expect(parseArgs('queryRuns', { storeId: 's', experimentIds: [], group: { by: { entity: 'attribute', key: 'status' }, value: 'FINISHED' } }).ok).toBe(true);
    const bad = [
      { storeId: 's', experimentIds: [], by: { entity: 'metric', key: 'mse' }, metrics: [] },
      { storeId: 's', experimentIds: [], by: { entity: 'attribute', key: 'start_time' }, metrics: [] },
      { storeId: 's', experimentIds: [], by: DEPTH, metrics: [], order: { aggregate: 'median' } },
      { storeId: 's', experimentIds: [], by: DEPTH },
    ];
    for (const args of bad) expect(parseArgs('queryGroups', args).ok, JSON.stringify(args)).toBe(false);
    expect(parseArgs('queryRuns', { storeId: 's', experimentIds: [], group: { by: DEPTH } }).ok).toBe(false);
  });
});
