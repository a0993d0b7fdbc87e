// Brushes on parallel-coordinates axes → the filter the runs table gets. Every clause is run
// through the real engine index on the fixtures' data (MLflow's own dump of them), and must
// match exactly the runs whose lines plotly keeps inside the brushed range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter, type RunIndex } from '../../electron/engine/index/index.ts';
import type { RunRow } from '../../preload/api.ts';
import { brushClause, brushLabel, inBrush, tableRestriction, type Brush } from '../../renderer/src/core/brush.ts';
import { columnData, type ColumnData } from '../../renderer/src/core/column-data.ts';
import {
  brushFromRanges,
  dimensionModel,
  normalizeRanges,
  rangesFromBrush,
  type DimensionModel,
  type ParcoordsRange,
} from '../../renderer/src/features/compare/parcoords-trace.ts';
import { formatNumber } from '../../renderer/src/lib/format.ts';
import { FIXTURE_STORE_IDS, fixturesIndex } from '../index/model-builders.ts';

const SEED = FIXTURE_STORE_IDS.seed;
const KS = FIXTURE_STORE_IDS.ks;
const RF_EXP = '266606262520181169';
const KS_MAIN = '387161336320449950';

let ix: RunIndex;
let seed: RunRow[];
let ks: RunRow[];

beforeAll(async () => {
  ix = await fixturesIndex();
  seed = ix.queryRuns({ storeId: SEED, experimentIds: [RF_EXP], limit: 1000 }).rows;
  ks = ix.queryRuns({ storeId: KS, experimentIds: [KS_MAIN], limit: 1000 }).rows;
});
afterAll(() => ix.close());

/** Run ids the engine returns for the clause, sorted. */
function engineIds(storeId: string, expId: string, clause: string): string[] {
  expect(() => parseFilter(clause)).not.toThrow();
  return ix
    .queryRuns({ storeId, experimentIds: [expId], filter: clause, limit: 1000 })
    .rows.map((r) => r.runId)
    .sort();
}

/** Run ids whose line plotly keeps: position inside one of the ranges (inclusive). */
function linesInside(rows: RunRow[], dim: DimensionModel, ranges: ParcoordsRange[]): string[] {
  return rows
    .filter((_, i) => ranges.some(([a, b]) => (dim.positions[i] as number) >= a && (dim.positions[i] as number) <= b))
    .map((r) => r.runId)
    .sort();
}

function check(rows: RunRow[], storeId: string, expId: string, key: string, ranges: ParcoordsRange[], log = false): { brush: Brush; col: ColumnData; clause: string } {
  const col = columnData(rows, key, 0);
  const dim = dimensionModel(col, log, formatNumber);
  const brush = brushFromRanges(dim, ranges) as Brush;
  expect(brush).not.toBeNull();
  const clause = brushClause(brush, col) as string;
  expect(clause).not.toBeNull();
  const expected = linesInside(rows, dim, ranges);
  expect(engineIds(storeId, expId, clause)).toEqual(expected);
  // inBrush agrees with the engine too (scatter fades the runs outside).
  expect(rows.filter((_, i) => inBrush(col, i, brush)).map((r) => r.runId).sort()).toEqual(expected);
  return { brush, col, clause };
}

describe('brush → filter clause (seed-rf)', () => {
  it('a metric range is a >= / <= clause matching exactly the lines in range', () => {
    const { clause } = check(seed, SEED, RF_EXP, 'metrics.mse', [[2800, 2950]]);
    expect(clause).toBe('metrics.mse >= 2800 AND metrics.mse <= 2950');
    // Range ends exactly on values: inclusive on both sides, like plotly.
    const mse = seed.map((r) => r.metrics.mse?.value as number).sort((a, b) => a - b);
    const lo = mse[3] as number;
    const hi = mse[9] as number;
    const { clause: exact } = check(seed, SEED, RF_EXP, 'metrics.mse', [[lo, hi]]);
    expect(engineIds(SEED, RF_EXP, exact)).toHaveLength(7);
  });

  it('several ranges on one axis are ORed', () => {
    check(seed, SEED, RF_EXP, 'metrics.r2_score', [
      [0.39, 0.41],
      [0.46, 0.48],
    ]);
  });

  it('a categorical param (max_depth with None) lists the brushed categories', () => {
    const col = columnData(seed, 'params.max_depth', 0);
    expect(col.type).toBe('categorical');
    if (col.type === 'categorical') expect(col.categories).toEqual(['3', '5', '10', 'None']);
    // positions 0..3 = 3, 5, 10, None; a brush over the top two
    const { clause, brush } = check(seed, SEED, RF_EXP, 'params.max_depth', [[1.7, 3.2]]);
    expect(brush).toEqual({ key: 'params.max_depth', type: 'categorical', values: ['10', 'None'], missing: false });
    expect(clause).toBe("params.max_depth IN ('10', 'None')");
  });

  it('a numeric param range becomes the logged texts in range (params are strings in MLflow)', () => {
    const col = columnData(seed, 'params.n_estimators', 0);
    expect(col.type).toBe('numeric');
    const { clause } = check(seed, SEED, RF_EXP, 'params.n_estimators', [[40, 150]]);
    expect(clause).toBe("params.n_estimators IN ('100', '50')");
  });

  it('a log axis brushes in log10 positions and filters in values', () => {
    check(seed, SEED, RF_EXP, 'params.n_estimators', [[Math.log10(45), Math.log10(250)]], true);
    check(seed, SEED, RF_EXP, 'metrics.mse', [[Math.log10(2850), Math.log10(3000)]], true);
  });

  it('string attributes and start time', () => {
    check(seed, SEED, RF_EXP, 'attributes.run_name', [[0, 4.2]]);
    check(seed, SEED, RF_EXP, 'attributes.status', [[-0.3, 0.3]]);
    const starts = seed.map((r) => r.startTime as number).sort((a, b) => a - b);
    check(seed, SEED, RF_EXP, 'attributes.start_time', [[starts[2] as number, starts[8] as number]]);
  });

  it('a brush covering nothing matches nothing', () => {
    const { clause } = check(seed, SEED, RF_EXP, 'metrics.mse', [[1, 2]]);
    expect(engineIds(SEED, RF_EXP, clause)).toEqual([]);
  });
});

describe('the missing tick (kitchen-sink: runs without loss, NaN values)', () => {
  it('numeric axes put runs without a value on a missing tick below the values', () => {
    const col = columnData(ks, 'metrics.loss', 0);
    const dim = dimensionModel(col, false, formatNumber);
    expect(dim.missingPos).not.toBeNull();
    expect(dim.missingPos as number).toBeLessThan(dim.lo);
    expect(dim.ticktext?.[0]).toMatch(/^missing/);
    // Nobody is dropped: every run has a position.
    expect(dim.positions).toHaveLength(ks.length);
    expect(dim.positions.every(Number.isFinite)).toBe(true);
  });

  it('brushing the missing tick matches the runs without the metric', () => {
    const col = columnData(ks, 'metrics.loss', 0);
    const dim = dimensionModel(col, false, formatNumber);
    const m = dim.missingPos as number;
    const { brush, clause } = check(ks, KS, KS_MAIN, 'metrics.loss', [[m - 0.01, m + 0.01]]);
    expect(brush).toMatchObject({ type: 'numeric', ranges: [], missing: true });
    expect(clause).toContain('NOT (metrics.loss >=');
    // ... and together with a value range
    check(ks, KS, KS_MAIN, 'metrics.loss', [[m - 0.01, dim.hi]]);
  });

  it('params with a missing value', () => {
    const col = columnData(ks, 'params.lr', 0);
    const dim = dimensionModel(col, false, formatNumber);
    const m = dim.missingPos as number;
    const { clause } = check(ks, KS, KS_MAIN, 'params.lr', [[m - 1e-6, m + 1e-6]]);
    expect(clause).toBe('params.lr IS NULL');
    expect(engineIds(KS, KS_MAIN, clause)).toHaveLength(ks.length - 2);
  });

  it('NaN and infinite metric values sit on the missing tick and are brushed with it', () => {
    const nanRow = ks.find((r) => Object.values(r.metrics).some((m) => !Number.isFinite(m.value)));
    expect(nanRow).toBeDefined();
    const key = Object.entries((nanRow as RunRow).metrics).find(([, m]) => !Number.isFinite(m.value))?.[0] as string;
    const col = columnData(ks, `metrics.${key}`, 0);
    const dim = dimensionModel(col, false, formatNumber);
    expect(dim.ticktext?.[0]).toBe('missing/NaN');
    const m = dim.missingPos as number;
    check(ks, KS, KS_MAIN, `metrics.${key}`, [[m - 1e-9, m + 1e-9]]);
  });
});

describe('brush ↔ plotly constraint ranges', () => {
  it('normalizes plotly constraintrange shapes', () => {
    expect(normalizeRanges([3, 1])).toEqual([[1, 3]]);
    expect(normalizeRanges([[1, 2], [4, 5]])).toEqual([
      [1, 2],
      [4, 5],
    ]);
    expect(normalizeRanges(undefined)).toEqual([]);
    expect(normalizeRanges([])).toEqual([]);
  });

  it('a brush drawn back keeps the same lines inside', () => {
    const cases: [RunRow[], string, ParcoordsRange[], boolean][] = [
      [seed, 'metrics.mse', [[2800, 2950]], false],
      [seed, 'params.max_depth', [[-0.2, 0.4], [1.8, 3.1]], false],
      [seed, 'params.n_estimators', [[Math.log10(40), Math.log10(120)]], true],
      [ks, 'metrics.loss', [[-1e9, 1e9]], false],
      [ks, 'params.lr', [[-1.2, 0.2]], false],
    ];
    for (const [rows, key, ranges, log] of cases) {
      const dim = dimensionModel(columnData(rows, key, 0), log, formatNumber);
      const brush = brushFromRanges(dim, ranges) as Brush;
      const again = rangesFromBrush(dim, brush);
      expect(linesInside(rows, dim, again), key).toEqual(linesInside(rows, dim, ranges));
    }
  });
});

describe('table restriction', () => {
  it('ANDs clauses of several axes', () => {
    const cols = new Map(['metrics.mse', 'params.max_depth'].map((k) => [k, columnData(seed, k, 0)]));
    const r = tableRestriction(
      [
        { key: 'metrics.mse', type: 'numeric', ranges: [[2700, 3000]], missing: false },
        { key: 'params.max_depth', type: 'categorical', values: ['3'], missing: false },
      ],
      cols,
      seed,
    );
    expect(r.runIds).toBeNull();
    const got = engineIds(SEED, RF_EXP, r.clause);
    expect(got).toEqual(seed.filter((x) => (x.metrics.mse?.value as number) <= 3000 && x.params.max_depth === '3').map((x) => x.runId).sort());
  });

  it('duration (derived, not filterable) restricts to the run ids in range', () => {
    const col = columnData(seed, 'attributes.duration', 0);
    const cols = new Map([[col.key, col]]);
    const durations = col.values.map((v) => v as number).sort((a, b) => a - b);
    const brush: Brush = { key: col.key, type: 'numeric', ranges: [[durations[0] as number, durations[5] as number]], missing: false };
    const r = tableRestriction([brush], cols, seed);
    expect(r.clause).toBe('');
    expect(r.runIds).toEqual(seed.filter((_, i) => inBrush(col, i, brush)).map((x) => x.runId).sort());
    expect((r.runIds as string[]).length).toBeGreaterThanOrEqual(6);
  });

  it('a clause too long for the engine falls back to run ids', () => {
    const many: RunRow[] = Array.from({ length: 900 }, (_, i) => ({ ...(seed[0] as RunRow), runId: `r${i}`, params: { seed: `value-number-${i}` } }));
    const col = columnData(many, 'params.seed', 0);
    const brush: Brush = { key: 'params.seed', type: 'categorical', values: many.slice(0, 800).map((r) => r.params.seed as string), missing: false };
    const r = tableRestriction([brush], new Map([[col.key, col]]), many);
    expect(r.clause).toBe('');
    expect(r.runIds).toHaveLength(800);
  });

  it('labels chips', () => {
    expect(brushLabel({ key: 'metrics.mse', type: 'numeric', ranges: [[2800, 2950.5]], missing: true }, 'mse', formatNumber)).toBe('mse: 2800 – 2950.5, missing');
    expect(brushLabel({ key: 'params.d', type: 'categorical', values: ['3', 'None'], missing: false }, 'd', formatNumber)).toBe('d: 3, None');
  });
});
