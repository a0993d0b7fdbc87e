// The report's charts as data: the compare view's configuration (axes, brushes, log scales,
// smoothing) applied to the report's runs. Values are exact; only the curves are downsampled, for
// display (the CSV's long form has every point). The HTML runtime turns these into plotly traces.
import type { MetricPoint } from '../../model.ts';
import type { ReportChartCurves, ReportChartParcoords, ReportChartScatter, ReportChartsConfig, ReportRun } from './types.ts';
import { finiteValue } from './best-run.ts';

type Column = { kind: 'params' | 'metrics' | 'attributes'; key: string };

const ATTRIBUTES = new Set(['start_time', 'end_time', 'duration', 'status', 'run_name', 'user_id']);

/** `params.lr`, `metrics.val/loss`, `attributes.start_time` (the runs table's column keys). */
export function parseColumn(key: string): Column | null {
  const dot = key.indexOf('.');
  if (dot <= 0) return null;
  const kind = key.slice(0, dot);
  const rest = key.slice(dot + 1);
  if (rest === '') return null;
  if (kind === 'params' || kind === 'metrics') return { kind, key: rest };
  if (kind === 'attributes' && ATTRIBUTES.has(rest)) return { kind, key: rest };
  return null;
}

export function columnLabel(c: Column): string {
  return c.kind === 'attributes' ? c.key : c.key;
}

function rawValue(run: ReportRun, c: Column): number | string | null {
  if (c.kind === 'metrics') {
    const m = run.metrics[c.key];
    return m ? finiteValue(m.value) : null;
  }
  if (c.kind === 'params') return run.params[c.key] ?? null;
  switch (c.key) {
    case 'start_time':
      return run.startTime;
    case 'end_time':
      return run.endTime;
    case 'duration':
      return run.durationMs === null ? null : run.durationMs / 1000;
    case 'status':
      return run.status;
    case 'run_name':
      return run.runName;
    default:
      return run.userId;
  }
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A column's values: numbers when every present value is one (params are strings in MLflow). */
function columnValues(runs: readonly ReportRun[], c: Column): { type: 'numeric'; values: (number | null)[] } | { type: 'categorical'; values: (string | null)[] } {
  const raw = runs.map((r) => rawValue(r, c));
  if (raw.every((v) => v === null || typeof v === 'number' || NUMERIC.test(v))) {
    return { type: 'numeric', values: raw.map((v) => (v === null ? null : Number(v))) };
  }
  return { type: 'categorical', values: raw.map((v) => (v === null ? null : String(v))) };
}

function varies(runs: readonly ReportRun[], c: Column): boolean {
  const seen = new Set(runs.map((r) => String(rawValue(r, c))));
  return seen.size > 1;
}

export interface ChartDefaults {
  differingParams: string[];
  metrics: string[];
  primaryMetric: string | null;
}

/** Keys by how many runs have them (most first, then by name): sparse keys make poor axes. */
function byCoverage(runs: readonly ReportRun[], keys: string[], has: (r: ReportRun, k: string) => boolean): string[] {
  const count = new Map(keys.map((k) => [k, runs.filter((r) => has(r, k)).length]));
  return [...keys].sort((a, b) => (count.get(b) ?? 0) - (count.get(a) ?? 0) || (a < b ? -1 : 1));
}

export function coveredParams(runs: readonly ReportRun[], keys: string[]): string[] {
  return byCoverage(runs, keys, (r, k) => r.params[k] !== undefined);
}

function defaultAxes(runs: readonly ReportRun[], d: ChartDefaults): string[] {
  const params = coveredParams(runs, d.differingParams)
    .slice(0, 5)
    .map((k) => `params.${k}`);
  const others = byCoverage(runs, d.metrics.filter((m) => m !== d.primaryMetric), (r, k) => r.metrics[k] !== undefined);
  const metrics = [d.primaryMetric, ...others]
    .filter((m): m is string => m !== null)
    .filter((m) => varies(runs, { kind: 'metrics', key: m }))
    .slice(0, 8 - params.length)
    .map((k) => `metrics.${k}`);
  return [...params, ...metrics];
}

export function parcoordsChart(runs: readonly ReportRun[], cfg: NonNullable<ReportChartsConfig['parcoords']>, d: ChartDefaults, warn: (m: string) => void): ReportChartParcoords | null {
  const axes = cfg.axes ?? defaultAxes(runs, d);
  const log = new Set(cfg.log ?? []);
  const dimensions: ReportChartParcoords['dimensions'] = [];
  for (const key of axes) {
    const c = parseColumn(key);
    if (!c) {
      warn(`parallel coordinates: unknown column ${key} left out`);
      continue;
    }
    const col = columnValues(runs, c);
    const brush = cfg.brushes?.[key] ?? null;
    if (col.type === 'numeric') {
      dimensions.push({ key, label: columnLabel(c), log: log.has(key), type: 'numeric', values: col.values, brush });
    } else {
      const categories = [...new Set(col.values.filter((v): v is string => v !== null))].sort();
      const at = new Map(categories.map((v, i) => [v, i]));
      dimensions.push({ key, label: columnLabel(c), log: false, type: 'categorical', categories, values: col.values.map((v) => (v === null ? null : (at.get(v) ?? null))), brush });
    }
  }
  if (dimensions.length < 2) {
    warn('parallel coordinates: fewer than two axes with values — chart left out');
    return null;
  }
  const colorKey = cfg.colorBy ?? (d.primaryMetric ? `metrics.${d.primaryMetric}` : null);
  const colorCol = colorKey ? parseColumn(colorKey) : null;
  const colorValues = colorCol ? columnValues(runs, colorCol) : null;
  const color = colorKey && colorCol && colorValues?.type === 'numeric' ? { key: colorKey, label: columnLabel(colorCol), values: colorValues.values } : null;
  return { kind: 'parcoords', dimensions, color };
}

export function scatterChart(runs: readonly ReportRun[], cfg: NonNullable<ReportChartsConfig['scatter']>, d: ChartDefaults, warn: (m: string) => void): ReportChartScatter | null {
  const firstParam = coveredParams(runs, d.differingParams)[0];
  const xKey = cfg.x ?? (firstParam ? `params.${firstParam}` : d.metrics.find((m) => m !== d.primaryMetric) ? `metrics.${d.metrics.find((m) => m !== d.primaryMetric)}` : null);
  const yKey = cfg.y ?? (d.primaryMetric ? `metrics.${d.primaryMetric}` : null);
  const x = xKey ? parseColumn(xKey) : null;
  const y = yKey ? parseColumn(yKey) : null;
  if (!x || !y || !xKey || !yKey) {
    warn('scatter: no x/y columns to plot — chart left out');
    return null;
  }
  const colorCol = cfg.color ? parseColumn(cfg.color) : null;
  const colorValues = colorCol ? columnValues(runs, colorCol) : null;
  return {
    kind: 'scatter',
    x: { key: xKey, label: columnLabel(x), log: cfg.logX ?? false, values: columnValues(runs, x).values },
    y: { key: yKey, label: columnLabel(y), log: cfg.logY ?? false, values: columnValues(runs, y).values },
    color: cfg.color && colorCol && colorValues?.type === 'numeric' ? { key: cfg.color, label: columnLabel(colorCol), values: colorValues.values } : null,
  };
}

/** At most `max` points, evenly spaced, always keeping the first and the last. */
export function downsample<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const out: T[] = [];
  const stride = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * stride)] as T);
  return out;
}

export const CURVE_POINTS = 500;

export function curvesChart(
  runs: readonly ReportRun[],
  cfg: NonNullable<ReportChartsConfig['curves']>,
  keys: string[],
  histories: Record<string, Record<string, MetricPoint[]>>,
): ReportChartCurves {
  const x = cfg.x ?? 'step';
  const series = keys.map((key) => ({
    key,
    runs: runs
      .map((run) => {
        const points = [...(histories[run.runId]?.[key] ?? [])].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
        const t0 = run.startTime ?? points[0]?.timestamp ?? 0;
        const shown = downsample(points, CURVE_POINTS);
        return {
          runId: run.runId,
          runName: run.runName,
          points: points.length,
          x: shown.map((p) => (x === 'step' ? p.step : x === 'wall' ? p.timestamp : (p.timestamp - t0) / 1000)),
          y: shown.map((p) => (Number.isFinite(p.value) ? p.value : null)),
        };
      })
      .filter((r) => r.points > 0),
  }));
  return { kind: 'curves', x, smoothing: Math.min(0.99, Math.max(0, cfg.smoothing ?? 0)), logY: cfg.logY ?? false, series };
}
