// Pure builders of the compare views on the fixtures' data: default axes, the parcoords trace,
// scatter points and overlays, the diff, groups, "best by" and the persisted settings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunIndex } from '../../electron/engine/index/index.ts';
import type { RunRow } from '../../preload/api.ts';
import { LIGHT_THEME } from '../../renderer/src/charts/theme.ts';
import { bestRun, finiteClause } from '../../renderer/src/features/compare/best-run.ts';
import { DEFAULT_CHARTS, readChartSettings, withChartView } from '../../renderer/src/core/chart-settings.ts';
import { columnData, defaultAxes, objectiveRank, orderCategories, primaryMetric, varies, varyingParams } from '../../renderer/src/core/column-data.ts';
import { diffSections } from '../../renderer/src/features/compare/diff-rows.ts';
import { groupRuns, MISSING_GROUP } from '../../renderer/src/features/compare/group-runs.ts';
import { buildParcoords, dimensionModel } from '../../renderer/src/features/compare/parcoords-trace.ts';
import { buildScatter, GL_THRESHOLD, jitterOf } from '../../renderer/src/features/compare/scatter-figure.ts';
import { formatNumber } from '../../renderer/src/lib/format.ts';
import { FIXTURE_STORE_IDS, fixtureInfo, fixturesIndex } from '../index/model-builders.ts';
import { row } from './helpers.ts';

const SEED = FIXTURE_STORE_IDS.seed;
const KS = FIXTURE_STORE_IDS.ks;
const RF_EXP = '266606262520181169';
const KS_MAIN = '387161336320449950';
const BEST = (fixtureInfo('seed-rf') as { best_run_id: string }).best_run_id;
const theme = LIGHT_THEME;

let ix: RunIndex;
let seed: RunRow[];
let ks: RunRow[];

beforeAll(async () => {
  ix = await fixturesIndex();
  seed = ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], limit: 1000 }).rows;
  ks = ix.queryRuns({ storeId: KS, experimentIds: [KS_MAIN], limit: 1000 }).rows;
});
afterAll(() => ix.close());

describe('columns', () => {
  it('orders categories: numbers, text, then None', () => {
    expect(orderCategories(['None', '10', 'b', '3', 'A', '5', '1e1'])).toEqual(['3', '5', '10', '1e1', 'A', 'b', 'None']);
  });

  it('types params by their values', () => {
    expect(columnData(seed, 'params.n_estimators', 0).type).toBe('numeric');
    expect(columnData(seed, 'params.max_depth', 0).type).toBe('categorical');
    expect(columnData(seed, 'metrics.mse', 0).type).toBe('numeric');
    expect(columnData(seed, 'attributes.status', 0).type).toBe('categorical');
    expect(columnData(seed, 'attributes.start_time', 0).type).toBe('numeric');
  });

  it('defaults to the params that vary and the metrics, primary metric last', () => {
    expect(primaryMetric(seed, ['mse', 'r2_score'], null)).toBe('mse');
    expect(primaryMetric(seed, ['mse', 'r2_score'], 'r2_score')).toBe('r2_score');
    expect(defaultAxes(seed, 'mse', 0)).toEqual(['params.max_depth', 'params.n_estimators', 'metrics.r2_score', 'metrics.mse']);
    expect(varies(columnData(seed, 'attributes.status', 0))).toBe(false);
  });

  it('varying params: those most runs have first (the scatter x default), then alphabetical', () => {
    expect(varyingParams(seed, 0)).toEqual(['max_depth', 'n_estimators']);
    // A param only some runs logged (a CV fold on three child runs) comes after one every run has,
    // though it sorts first alphabetically; a param with one value everywhere is not listed.
    const p = (params: Record<string, string>) => params;
    const rows = [
      row('a', null, { params: p({ fold: '0', lr: '0.1', seed: '1' }) }),
      row('b', null, { params: p({ fold: '1', lr: '0.3', seed: '1' }) }),
      row('c', null, { params: p({ lr: '0.3', seed: '1' }) }),
      row('d', null, { params: p({ lr: '1.0', seed: '1' }) }),
    ];
    expect(varyingParams(rows, 0)).toEqual(['lr', 'fold']);
    expect(defaultAxes(rows, null, 0, 1)).toEqual(['params.lr']);
  });

  it('among metrics every run has, prefers what looks like the objective', () => {
    const rows = [row('a', null, { metrics: Object.fromEntries(['grad_norm', 'lr', 'system/gpu', 'train_loss', 'val_acc', 'val_loss'].map((k) => [k, { value: 1, step: 0, timestamp: 0 }])) })];
    expect(primaryMetric(rows, ['grad_norm', 'lr', 'system/gpu', 'train_loss', 'val_acc', 'val_loss'], null)).toBe('val_loss');
    expect(objectiveRank('val_acc')).toBeLessThan(objectiveRank('train_loss'));
    expect(objectiveRank('system/gpu_utilization')).toBeGreaterThan(objectiveRank('grad_norm'));
    // A metric more runs have still wins over a better-sounding one.
    const more = [...rows, row('b', null, { metrics: { grad_norm: { value: 2, step: 0, timestamp: 0 } } })];
    expect(primaryMetric(more, ['grad_norm', 'val_loss'], null)).toBe('grad_norm');
  });
});

describe('parallel coordinates', () => {
  it('draws every run on every axis, None as a category', () => {
    const axes = defaultAxes(seed, 'mse', 0);
    const dims = axes.map((k) => dimensionModel(columnData(seed, k, 0), false, formatNumber));
    const m = buildParcoords({ rows: seed, dims, brushes: new Map(), color: columnData(seed, 'metrics.mse', 0), reverse: true, selected: new Set(), best: null, theme });
    expect(m.runIds).toHaveLength(16);
    expect(new Set(m.runIds).size).toBe(16);
    const dd = m.dimensions as { label: string; values: number[]; ticktext?: string[] }[];
    expect(dd.map((d) => d.label)).toEqual(['max_depth', 'n_estimators', 'r2_score', 'mse']);
    expect(dd.every((d) => d.values.length === 16 && d.values.every(Number.isFinite))).toBe(true);
    expect(dd[0]?.ticktext).toEqual(['3', '5', '10', 'None']);
    // line i is run runIds[i]: its mse position is its mse
    m.runIds.forEach((id, i) => expect(dd[3]?.values[i]).toBe(seed.find((r) => r.runId === id)?.metrics.mse?.value));
  });

  it('draws selected runs and the best run last, in their own colour bands', () => {
    const dims = [dimensionModel(columnData(seed, 'metrics.mse', 0), false, formatNumber)];
    const sel = seed.find((r) => r.runId !== BEST)?.runId as string;
    const m = buildParcoords({ rows: seed, dims, brushes: new Map(), color: columnData(seed, 'metrics.mse', 0), reverse: false, selected: new Set([sel]), best: BEST, theme });
    expect(m.runIds[15]).toBe(BEST);
    expect(m.runIds[14]).toBe(sel);
    const colors = (m.trace.line as { color: number[] }).color;
    expect(colors[15]).toBeGreaterThan(colors[14] as number);
    expect(Math.max(...colors.slice(0, 14))).toBeLessThan(colors[14] as number);
  });

  it('puts brushes back as constraint ranges', () => {
    const dims = [dimensionModel(columnData(seed, 'metrics.mse', 0), false, formatNumber)];
    const m = buildParcoords({
      rows: seed,
      dims,
      brushes: new Map([['metrics.mse', { key: 'metrics.mse', type: 'numeric' as const, ranges: [[2800, 2900] as [number, number]], missing: false }]]),
      color: null,
      reverse: false,
      selected: new Set(),
      best: null,
      theme,
    });
    expect((m.dimensions[0] as { constraintrange: number[] }).constraintrange).toEqual([2800, 2900]);
  });

  it('has no limit on categories; labels a readable subset', () => {
    const many = Array.from({ length: 500 }, (_, i) => row(`r${i}`, null, { params: { tok: `t${String(i).padStart(3, '0')}` } }));
    const d = dimensionModel(columnData(many, 'params.tok', 0), false, formatNumber);
    expect(new Set(d.positions).size).toBe(500);
    expect((d.tickvals as number[]).length).toBeLessThanOrEqual(41);
  });

  it('log axes place values at log10 and mark values ≤ 0 as missing', () => {
    const rows = [row('a', null, { metrics: { m: { value: 10, step: 0, timestamp: 0 } } }), row('b', null, { metrics: { m: { value: 1000, step: 0, timestamp: 0 } } }), row('c', null, { metrics: { m: { value: 0, step: 0, timestamp: 0 } } })];
    const d = dimensionModel(columnData(rows, 'metrics.m', 0), true, formatNumber);
    expect(d.positions.slice(0, 2)).toEqual([1, 3]);
    expect(d.positions[2]).toBe(d.missingPos);
    expect(d.ticktext?.[0]).toBe('missing/≤0');
    expect(d.ticktext).toContain('100');
  });
});

describe('scatter', () => {
  const formatFor = () => formatNumber;
  const isDate = () => false;

  it('n_estimators × r2_score: one point per run, the highest is the best run', () => {
    const m = buildScatter({ rows: seed, x: columnData(seed, 'params.n_estimators', 0), y: columnData(seed, 'metrics.r2_score', 0), color: null, size: null, logX: false, logY: false, selected: new Set(), best: null, hover: null, outside: null, theme, formatFor, isDate });
    expect(m.points).toHaveLength(16);
    expect(m.skipped).toEqual([]);
    const top = [...m.points].sort((a, b) => b.y - a.y)[0];
    expect(top?.runId).toBe(BEST);
    expect(m.gl).toBe(false);
    expect(m.traces[0]?.type).toBe('scatter');
    const cd = m.traces[0]?.customdata as string[][];
    expect(cd.map((c) => c[0]).sort()).toEqual(seed.map((r) => r.runId).sort());
  });

  it('overlays carry run ids too (clicking a star or a ring selects that run)', () => {
    const sel = seed[2]?.runId as string;
    const m = buildScatter({ rows: seed, x: columnData(seed, 'params.n_estimators', 0), y: columnData(seed, 'metrics.r2_score', 0), color: columnData(seed, 'metrics.mse', 0), size: columnData(seed, 'metrics.mse', 0), logX: true, logY: false, selected: new Set([sel]), best: BEST, hover: sel, outside: null, theme, formatFor, isDate });
    const names = m.traces.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['selected', 'best', 'hover']));
    const best = m.traces.find((t) => t.name === 'best');
    expect((best?.customdata as string[][])[0]?.[0]).toBe(BEST);
    expect((m.layout.xaxis as { type: string }).type).toBe('log');
  });

  it('categorical axes with jitter; runs without a numeric value are counted, not drawn', () => {
    const y = columnData(ks, 'metrics.loss', 0);
    const m = buildScatter({ rows: ks, x: columnData(ks, 'attributes.status', 0), y, color: columnData(ks, 'attributes.status', 0), size: null, logX: false, logY: false, selected: new Set(), best: null, hover: null, outside: new Set([ks[0]?.runId as string]), theme, formatFor, isDate });
    const withLoss = ks.filter((r) => r.metrics.loss && Number.isFinite(r.metrics.loss.value)).length;
    expect(m.points).toHaveLength(withLoss);
    expect(m.skipped).toHaveLength(ks.length - withLoss);
    expect(Math.abs(jitterOf('abc'))).toBeLessThan(0.5);
    expect(jitterOf('abc')).toBe(jitterOf('abc'));
  });

  it('switches to WebGL for large counts', () => {
    const many = Array.from({ length: GL_THRESHOLD + 1 }, (_, i) => row(`r${i}`, null, { metrics: { a: { value: i, step: 0, timestamp: 0 }, b: { value: i * 2, step: 0, timestamp: 0 } } }));
    const m = buildScatter({ rows: many, x: columnData(many, 'metrics.a', 0), y: columnData(many, 'metrics.b', 0), color: null, size: null, logX: false, logY: false, selected: new Set(), best: null, hover: null, outside: null, theme, formatFor, isDate });
    expect(m.gl).toBe(true);
    expect(m.traces[0]?.type).toBe('scattergl');
  });
});

describe('diff', () => {
  it('two seed-rf runs, differences only: the two params and the metrics', () => {
    const two = seed.slice(0, 2);
    const s = diffSections(two, true, formatNumber);
    const byId = Object.fromEntries(s.map((x) => [x.id, x.rows.map((r) => r.key)]));
    expect(byId).toEqual({ params: ['max_depth', 'n_estimators'].filter((k) => two[0]?.params[k] !== two[1]?.params[k]), metrics: ['mse', 'r2_score'], tags: [], system: [] });
    const all = diffSections(two, false, formatNumber);
    expect(all.find((x) => x.id === 'system')?.rows.map((r) => r.key)).toEqual(['mlflow.source.name', 'mlflow.source.type', 'mlflow.user']);
  });

  it('a key one run lacks differs', () => {
    const s = diffSections([row('a', null, { params: { p: '1' } }), row('b', null, { params: {} })], true, formatNumber);
    expect(s[0]?.rows[0]?.cells.map((c) => c.text)).toEqual(['1', null]);
  });
});

describe('groups', () => {
  it('aggregates per value, missing last', () => {
    const g = groupRuns(seed, 'params.max_depth', ['mse']);
    expect(g.map((x) => x.value)).toEqual(['3', '5', '10', 'None']);
    const three = seed.filter((r) => r.params.max_depth === '3').map((r) => r.metrics.mse?.value as number);
    expect(g[0]?.metrics.mse).toEqual({ mean: three.reduce((a, b) => a + b) / 4, min: Math.min(...three), max: Math.max(...three), count: 4 });
    const gk = groupRuns(ks, 'params.lr', ['loss']);
    expect(gk[gk.length - 1]?.value).toBe(MISSING_GROUP);
  });
});

describe('best by', () => {
  it('min mse and max r2 both pick the fixture best run', () => {
    expect(bestRun(seed, 'mse', 'min')?.runId).toBe(BEST);
    expect(bestRun(seed, 'r2_score', 'max')?.runId).toBe(BEST);
  });

  it('agrees with the engine ordering, ignoring NaN/infinite values', () => {
    for (const [metric, dir] of [['loss', 'min'], ['loss', 'max']] as const) {
      const q = ix.queryRuns({ storeId: KS, experimentIds: [KS_MAIN], filter: finiteClause(`metrics.${metric}`), orderBy: [`metrics.${metric} ${dir === 'min' ? 'ASC' : 'DESC'}`], limit: 1 });
      expect(bestRun(ks, metric, dir)?.runId).toBe(q.rows[0]?.runId);
    }
    expect(bestRun(ks, 'no-such-metric', 'min')).toBeNull();
  });
});

describe('persisted chart settings', () => {
  it('defaults, and every field checked on its own', () => {
    expect(readChartSettings(undefined)).toEqual(DEFAULT_CHARTS);
    const s = readChartSettings({
      panel: { open: true, tab: 'nope', height: -4, set: 'selected' },
      curves: { smoothing: 7, x: 'wall', keys: ['loss', 3] },
      best: { metric: 'mse', direction: 'max' },
      pinned: ['a', 'a', 'b'],
      scatter: 'garbage',
    });
    expect(s.panel).toEqual({ open: true, tab: 'parallel', height: null, set: 'selected' });
    expect(s.curves).toEqual({ keys: null, x: 'wall', smoothing: 0.99, logY: false, grouped: false });
    expect(s.best).toEqual({ metric: 'mse', direction: 'max' });
    expect(s.pinned).toEqual(['a', 'b']);
    expect(s.scatter).toEqual(DEFAULT_CHARTS.scatter);
    // Group settings written before the table could group (no aggregate) still read, with mean.
    expect(readChartSettings({ group: { by: 'params.max_depth' } }).group).toEqual({ by: 'params.max_depth', aggregate: 'mean' });
    expect(readChartSettings({ group: { by: 'tags.team', aggregate: 'max' } }).group).toEqual({ by: 'tags.team', aggregate: 'max' });
    expect(readChartSettings({ group: { by: 3, aggregate: 'median' } }).group).toEqual({ by: null, aggregate: 'mean' });
  });

  it('replacing one view keeps the others and unknown entries', () => {
    const c = withChartView({ future: { x: 1 }, diff: { onlyDiff: true } }, 'best', { metric: 'r2', direction: 'max' });
    expect(c).toEqual({ future: { x: 1 }, diff: { onlyDiff: true }, best: { metric: 'r2', direction: 'max' } });
  });
});
