// Metric curves: EMA smoothing, display-only downsampling, series and their stats, bands.
import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '../../preload/api.ts';
import { lttbIndices, m4Indices } from '../../renderer/src/charts/downsample.ts';
import { emaSmooth } from '../../renderer/src/charts/ema.ts';
import { logTicks, niceTicks } from '../../renderer/src/charts/ticks.ts';
import { LIGHT_THEME } from '../../renderer/src/charts/theme.ts';
import {
  bandSeries,
  buildCurves,
  displaySeries,
  legendName,
  seriesStats,
  toSeries,
  type CurveRun,
} from '../../renderer/src/features/compare/curves-figure.ts';
import { formatNumber } from '../../renderer/src/lib/format.ts';
import { row } from './helpers.ts';

function points(values: number[], t0 = 1000, dt = 10): MetricPoint[] {
  return values.map((value, step) => ({ step, timestamp: t0 + step * dt, value }));
}

describe('EMA smoothing', () => {
  it('weight 0 is the raw series; the first smoothed point is the first value (debiased)', () => {
    expect(Array.from(emaSmooth([1, 5, 3], 0))).toEqual([1, 5, 3]);
    const s = emaSmooth([10, 0, 0, 0], 0.5);
    expect(s[0]).toBe(10);
    // TensorBoard: last = 0.5*last + 0.5*y; debias = 1 - 0.5^(i+1)
    expect(s[1]).toBeCloseTo(2.5 / 0.75, 12);
    expect(s[3]).toBeCloseTo(0.625 / 0.9375, 12);
  });

  it('a constant series stays constant at any weight', () => {
    for (const w of [0.1, 0.6, 0.99]) expect(Array.from(emaSmooth([4, 4, 4, 4], w)).every((v) => Math.abs(v - 4) < 1e-12)).toBe(true);
  });

  it('non-finite values pass through and do not disturb the average', () => {
    const s = emaSmooth([2, Number.NaN, 2, Infinity, 2], 0.9);
    expect(Number.isNaN(s[1])).toBe(true);
    expect(s[3]).toBe(Infinity);
    expect(s[4]).toBeCloseTo(2, 12);
  });

  it('smoothing reduces noise', () => {
    const noisy = Array.from({ length: 500 }, (_, i) => Math.sin(i * 0.01) + (i % 2 ? 0.5 : -0.5));
    const sm = emaSmooth(noisy, 0.9);
    const rough = (a: ArrayLike<number>) => {
      let t = 0;
      for (let i = 1; i < a.length; i++) t += Math.abs((a[i] as number) - (a[i - 1] as number));
      return t;
    };
    expect(rough(sm)).toBeLessThan(rough(noisy) / 5);
  });
});

describe('downsampling (display only)', () => {
  const n = 10_000;
  const xs = Array.from({ length: n }, (_, i) => i);
  const ys = xs.map((x) => Math.sin(x / 300) + (x === 7777 ? 50 : 0) + (x === 1234 ? -40 : 0));

  it('M4 keeps first, last, every spike, and at most 4 points per bucket', () => {
    const idx = m4Indices(xs, ys, 500);
    expect(idx.length).toBeLessThanOrEqual(2000);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(n - 1);
    expect(idx).toContain(7777);
    expect(idx).toContain(1234);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    expect(new Set(idx).size).toBe(idx.length);
  });

  it('short series are untouched; NaN points survive', () => {
    expect(m4Indices([0, 1, 2], [1, 2, 3], 10)).toEqual([0, 1, 2]);
    const y2 = ys.map((y, i) => (i === 5000 ? Number.NaN : y));
    expect(m4Indices(xs, y2, 100)).toContain(5000);
  });

  it('LTTB returns the requested count with both ends', () => {
    const idx = lttbIndices(xs, ys, 300);
    expect(idx).toHaveLength(300);
    expect(idx[0]).toBe(0);
    expect(idx[299]).toBe(n - 1);
    expect(idx).toContain(7777);
  });

  it('all points at one x fall back to LTTB', () => {
    const same = new Array<number>(5000).fill(3);
    expect(m4Indices(same, ys.slice(0, 5000), 100).length).toBeLessThanOrEqual(400);
  });

  it('stats come from the full history, never from what is drawn', () => {
    const pts = points(ys);
    const full = toSeries(pts, 'step', null);
    const shown = displaySeries(full, 100);
    expect(shown.x.length).toBeLessThan(full.x.length);
    const st = seriesStats(pts);
    expect(st).toEqual({ last: ys[n - 1], min: -40 + Math.sin(1234 / 300), max: 50 + Math.sin(7777 / 300), count: n });
  });
});

describe('series', () => {
  const hist: MetricPoint[] = [
    { step: 2, timestamp: 5000, value: 3 },
    { step: 0, timestamp: 3000, value: 1 },
    { step: 1, timestamp: 6000, value: 2 },
    { step: 1, timestamp: 4000, value: 9 },
  ];

  it('orders by step (then time) or by time (then step)', () => {
    expect(toSeries(hist, 'step', null)).toEqual({ x: [0, 1, 1, 2], y: [1, 9, 2, 3] });
    expect(toSeries(hist, 'wall', null)).toEqual({ x: [3000, 4000, 5000, 6000], y: [1, 9, 3, 2] });
    expect(toSeries(hist, 'relative', 2000)).toEqual({ x: [1, 2, 3, 4], y: [1, 9, 3, 2] });
    // A run start after the first point (clock skew) is not used.
    expect(toSeries(hist, 'relative', 3500).x[0]).toBe(0);
  });

  it('last is the highest step, latest timestamp; NaN ignored by min/max', () => {
    expect(seriesStats(hist)).toEqual({ last: 3, min: 1, max: 9, count: 4 });
    expect(seriesStats([{ step: 0, timestamp: 1, value: Number.NaN }])).toMatchObject({ count: 1 });
    expect(seriesStats([])).toBeNull();
  });

  it('legend names carry last/min/max', () => {
    expect(legendName('run', { last: 0.5, min: 0.1, max: 2, count: 3 }, formatNumber, true)).toBe('★ run  last 0.5 · min 0.1 · max 2');
  });
});

describe('bands', () => {
  it('exact per step when steps are shared', () => {
    const b = bandSeries(
      [
        { x: [0, 1, 2], y: [1, 2, 3] },
        { x: [0, 1, 2], y: [3, 4, 5] },
        { x: [0, 1], y: [2, Number.NaN] },
      ],
      100,
    );
    expect(b.x).toEqual([0, 1, 2]);
    expect(b.mean).toEqual([2, 3, 4]);
    expect(b.min).toEqual([1, 2, 3]);
    expect(b.max).toEqual([3, 4, 5]);
    expect(b.count).toEqual([3, 2, 2]);
  });

  it('bins when x values do not align (wall time)', () => {
    const b = bandSeries(
      [
        { x: [0, 10, 20, 30], y: [1, 1, 1, 1] },
        { x: [5, 15, 25, 35], y: [3, 3, 3, 3] },
      ],
      2,
    );
    expect(b.x).toHaveLength(2);
    expect(b.mean).toEqual([2, 2]);
    expect(b.min).toEqual([1, 1]);
    expect(b.max).toEqual([3, 3]);
  });
});

describe('curve traces', () => {
  const theme = LIGHT_THEME;
  const runs: CurveRun[] = [
    { row: row('a', null, { runName: 'alpha' }), points: points(Array.from({ length: 500 }, (_, i) => 1 / (i + 1) + (i % 3) * 0.01)), color: '#4e79a7' },
    { row: row('b', null, { runName: 'beta' }), points: points([3, 2, 1]), color: '#f28e2b' },
  ];
  const base = { metric: 'loss', runs, mode: 'step' as const, smoothing: 0, logY: false, buckets: 50, selected: new Set<string>(), best: 'b', hover: null, theme, format: formatNumber, groups: null };

  it('one trace per run without smoothing; the best run drawn last with a star', () => {
    const m = buildCurves(base);
    expect(m.traces).toHaveLength(2);
    expect(m.traces[1]?.name as string).toMatch(/^★ beta/);
    expect(m.totalPoints).toBe(503);
    expect(m.drawnPoints).toBeLessThan(503);
    expect(m.stats.get('a')?.count).toBe(500);
    expect(m.layout.uirevision).toBe('loss|step|lin');
  });

  it('smoothing adds the faded raw curve underneath and changes the drawn values', () => {
    const m = buildCurves({ ...base, smoothing: 0.8 });
    expect(m.traces).toHaveLength(4);
    const raw = m.traces.find((t) => (t.meta as { runId: string; role: string }).runId === 'a' && (t.meta as { role: string }).role === 'raw');
    const sm = m.traces.find((t) => (t.meta as { runId: string; role: string }).runId === 'a' && (t.meta as { role: string }).role === 'smoothed');
    expect(raw?.showlegend).toBe(false);
    expect(sm?.y).not.toEqual(buildCurves(base).traces.find((t) => (t.meta as { runId: string }).runId === 'a')?.y);
  });

  it('grouped curves: mean line inside a min–max band per group', () => {
    const m = buildCurves({ ...base, groups: new Map([['a', 'g1'], ['b', 'g1']]) });
    expect(m.traces).toHaveLength(3);
    expect(m.traces[1]?.fill).toBe('tonexty');
    expect(m.traces[2]?.name).toBe('g1 (2 runs)');
  });
});

describe('ticks', () => {
  it('round steps inside the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(2774.3, 3207.4, 5)).toEqual([2800, 2900, 3000, 3100, 3200]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });

  it('log ticks are decades, with 2 and 5 when the span is short', () => {
    expect(logTicks(0, 3)).toEqual([0, 1, 2, 3]);
    expect(logTicks(1, 2).map((p) => Math.round(10 ** p))).toEqual([10, 20, 50, 100]);
  });
});
