// Pure builders for metric curves: one series per run from its full history, EMA smoothing with
// the raw curve faded underneath, display-only downsampling (charts/downsample.ts), per-run
// last/min/max computed from every point, and grouped curves (mean line inside a min–max band).
import type { MetricPoint, RunRow } from '../../../../preload/api.ts';
import { m4Indices } from '../../charts/downsample.ts';
import { emaSmooth } from '../../charts/ema.ts';
import { colorAt, withAlpha } from '../../charts/palette.ts';
import type { PlotlyLayout, PlotlyTrace } from '../../charts/plotly-types.ts';
import type { ChartTheme } from '../../charts/theme.ts';
import type { CurveX } from '../../core/chart-settings.ts';

export interface Series {
  /** x in plot units: step, epoch ms (wall time) or seconds since the run started. */
  x: number[];
  y: number[];
}

export interface SeriesStats {
  /** The latest value: highest step, then latest timestamp (MLflow's "latest metric"). */
  last: number;
  min: number;
  max: number;
  count: number;
}

/** A run's history as a series in x order (points at one x keep their logging order). */
export function toSeries(points: readonly MetricPoint[], mode: CurveX, runStart: number | null): Series {
  const sorted = [...points].sort(
    mode === 'step' ? (a, b) => a.step - b.step || a.timestamp - b.timestamp : (a, b) => a.timestamp - b.timestamp || a.step - b.step,
  );
  let t0 = 0;
  if (mode === 'relative') {
    const first = sorted[0]?.timestamp ?? 0;
    t0 = runStart !== null && runStart <= first ? runStart : first;
  }
  return {
    x: sorted.map((p) => (mode === 'step' ? p.step : mode === 'wall' ? p.timestamp : (p.timestamp - t0) / 1000)),
    y: sorted.map((p) => p.value),
  };
}

export function seriesStats(points: readonly MetricPoint[]): SeriesStats | null {
  if (points.length === 0) return null;
  let last = points[0] as MetricPoint;
  let min = Infinity;
  let max = -Infinity;
  for (const p of points) {
    if (p.step > last.step || (p.step === last.step && p.timestamp >= last.timestamp)) last = p;
    if (Number.isNaN(p.value)) continue;
    if (p.value < min) min = p.value;
    if (p.value > max) max = p.value;
  }
  return { last: last.value, min: min === Infinity ? Number.NaN : min, max: max === -Infinity ? Number.NaN : max, count: points.length };
}

function pick<T>(a: readonly T[], idx: readonly number[]): T[] {
  return idx.map((i) => a[i] as T);
}

/** Series reduced to what `buckets` pixel columns can show. */
export function displaySeries(s: Series, buckets: number): Series {
  const idx = m4Indices(s.x, s.y, buckets);
  if (idx.length === s.x.length) return s;
  return { x: pick(s.x, idx), y: pick(s.y, idx) };
}

export interface CurveRun {
  row: RunRow;
  points: readonly MetricPoint[];
  color: string;
}

export interface CurvesInput {
  metric: string;
  runs: CurveRun[];
  mode: CurveX;
  smoothing: number;
  logY: boolean;
  /** Pixel columns the plot has (downsampling target). */
  buckets: number;
  selected: ReadonlySet<string>;
  best: string | null;
  hover: string | null;
  theme: ChartTheme;
  format: (n: number) => string;
  /** Groups: label per run id; null for one curve per run. */
  groups: ReadonlyMap<string, string> | null;
}

export interface CurvesFigure {
  traces: PlotlyTrace[];
  layout: PlotlyLayout;
  /** Per run: stats from the full history (what the legend shows). */
  stats: Map<string, SeriesStats>;
  /** Points drawn per trace vs points in the histories (to show downsampling honestly). */
  drawnPoints: number;
  totalPoints: number;
  gl: boolean;
}

/** Above this many drawn points a chart's curves use WebGL. */
export const CURVE_GL_THRESHOLD = 20_000;

export function legendName(name: string, st: SeriesStats | null, format: (n: number) => string, isBest: boolean): string {
  const head = `${isBest ? '★ ' : ''}${name}`;
  if (!st) return head;
  return `${head}  last ${format(st.last)} · min ${format(st.min)} · max ${format(st.max)}`;
}

export function xAxisTitle(mode: CurveX): string {
  return mode === 'step' ? 'Step' : mode === 'wall' ? 'Wall time' : 'Relative time (s)';
}

export function buildCurves(input: CurvesInput): CurvesFigure {
  const { metric, runs, mode, smoothing, buckets, selected, best, hover, format, groups } = input;
  const stats = new Map<string, SeriesStats>();
  const prepared = runs.map((r) => {
    const st = seriesStats(r.points);
    if (st) stats.set(r.row.runId, st);
    return { r, full: toSeries(r.points, mode, r.row.startTime), st };
  });
  const totalPoints = prepared.reduce((n, p) => n + p.full.x.length, 0);
  const traces: PlotlyTrace[] = [];
  let drawn = 0;

  if (groups) {
    const byGroup = new Map<string, Series[]>();
    for (const p of prepared) {
      const g = groups.get(p.r.row.runId) ?? 'missing';
      const list = byGroup.get(g);
      const s = smoothing > 0 ? { x: p.full.x, y: Array.from(emaSmooth(p.full.y, smoothing)) } : p.full;
      if (list) list.push(s);
      else byGroup.set(g, [s]);
    }
    const gl = totalPoints > CURVE_GL_THRESHOLD;
    [...byGroup.keys()].sort().forEach((g, gi) => {
      const band = bandSeries(byGroup.get(g) as Series[], buckets);
      const color = colorAt(gi);
      const type = gl ? 'scattergl' : 'scatter';
      const n = byGroup.get(g)?.length ?? 0;
      drawn += band.x.length * 3;
      traces.push(
        { type, mode: 'lines', x: band.x, y: band.min, line: { width: 0, color }, hoverinfo: 'skip', showlegend: false, legendgroup: g, name: `${g} min` },
        {
          type,
          mode: 'lines',
          x: band.x,
          y: band.max,
          line: { width: 0, color },
          fill: 'tonexty',
          fillcolor: withAlpha(color, 0.18),
          hoverinfo: 'skip',
          showlegend: false,
          legendgroup: g,
          name: `${g} max`,
        },
        {
          type,
          // A band over a few steps (a value logged once or twice) has no area to fill: the
          // min–max range is drawn as error bars on marked points instead.
          mode: band.x.length <= 20 ? 'lines+markers' : 'lines',
          ...(band.x.length <= 20
            ? {
                error_y: {
                  type: 'data',
                  symmetric: false,
                  array: band.max.map((v, i) => v - (band.mean[i] as number)),
                  arrayminus: band.mean.map((v, i) => v - (band.min[i] as number)),
                  color,
                  thickness: 1.5,
                  width: 6,
                },
                marker: { color, size: 7 },
              }
            : {}),
          x: band.x,
          y: band.mean,
          customdata: band.count,
          line: { width: 2, color },
          name: escapeHtml(`${g} (${n} run${n === 1 ? '' : 's'})`),
          legendgroup: g,
          hovertemplate: `<b>${escapeHtml(g)}</b><br>mean %{y}<br>runs %{customdata}<extra></extra>`,
        },
      );
    });
    return { traces, layout: curvesLayout(input), stats, drawnPoints: drawn, totalPoints, gl };
  }

  const display = prepared.map((p) => {
    const raw = displaySeries(p.full, buckets);
    const smooth = smoothing > 0 ? displaySeries({ x: p.full.x, y: Array.from(emaSmooth(p.full.y, smoothing)) }, buckets) : null;
    drawn += raw.x.length + (smooth ? smooth.x.length : 0);
    return { ...p, raw, smooth };
  });
  const gl = drawn > CURVE_GL_THRESHOLD;
  const type = gl ? 'scattergl' : 'scatter';
  const someSelected = runs.some((r) => selected.has(r.row.runId)) && runs.some((r) => !selected.has(r.row.runId));
  // Emphasised runs last, so they are drawn on top.
  const rank = (id: string) => (id === hover ? 3 : id === best ? 2 : selected.has(id) ? 1 : 0);
  display.sort((a, b) => rank(a.r.row.runId) - rank(b.r.row.runId));
  for (const d of display) {
    const id = d.r.row.runId;
    const name = d.r.row.runName || id.slice(0, 8);
    const width = id === hover ? 3.5 : id === best ? 3 : someSelected && selected.has(id) ? 2.5 : 1.6;
    const dim = someSelected && !selected.has(id) && id !== best && id !== hover;
    const color = dim ? withAlpha(d.r.color, 0.45) : d.r.color;
    const hovertemplate = `<b>${escapeHtml(name)}</b><br>${mode === 'step' ? 'step' : mode === 'wall' ? 'time' : 's'} %{x}<br>${escapeHtml(metric)} %{y}<extra></extra>`;
    const legend = escapeHtml(legendName(name, d.st, format, id === best));
    if (d.smooth) {
      traces.push({
        type,
        mode: 'lines',
        x: d.raw.x,
        y: d.raw.y,
        line: { width: 1, color: withAlpha(d.r.color, 0.22) },
        hoverinfo: 'skip',
        showlegend: false,
        legendgroup: id,
        name: `${name} (raw)`,
        meta: { runId: id, role: 'raw' },
      });
    }
    const s = d.smooth ?? d.raw;
    traces.push({
      type,
      // Short series (a value logged once or a few times) read better with their points marked.
      mode: d.full.x.length <= 20 || new Set(s.x).size <= 1 ? 'lines+markers' : 'lines',
      x: s.x,
      y: s.y,
      line: { width, color },
      marker: { color, size: 6 },
      name: legend,
      legendgroup: id,
      customdata: s.x.map(() => id),
      hovertemplate,
      meta: { runId: id, role: d.smooth ? 'smoothed' : 'raw' },
    });
  }
  return { traces, layout: curvesLayout(input), stats, drawnPoints: drawn, totalPoints, gl };
}

function curvesLayout(input: CurvesInput): PlotlyLayout {
  const { metric, mode, logY, theme } = input;
  return {
    // Same revision while the chart shows the same thing: plotly keeps the user's zoom when the
    // data grows (a run still training), and resets it when the axes change meaning.
    uirevision: `${metric}|${mode}|${logY ? 'log' : 'lin'}`,
    xaxis: { type: mode === 'wall' ? 'date' : 'linear', title: { text: xAxisTitle(mode) }, zeroline: false },
    yaxis: { type: logY ? 'log' : 'linear', title: { text: metric }, zeroline: false, exponentformat: 'power' },
    hovermode: 'closest',
    showlegend: true,
    legend: { orientation: 'v', x: 1.01, xanchor: 'left', y: 1, font: { size: 11, color: theme.text2 }, itemclick: 'toggle', itemdoubleclick: 'toggleothers' },
    margin: { l: 60, r: 12, t: 12, b: 44 },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface Band {
  x: number[];
  mean: number[];
  min: number[];
  max: number[];
  /** Runs contributing at each x. */
  count: number[];
}

/**
 * Mean and min–max band of several series. When all series together have at most `buckets`
 * distinct x values (steps, usually shared) the band is exact at each x, over the runs that have
 * a point there; otherwise x is cut into `buckets` equal bins and each run contributes the mean
 * of its points in a bin. Non-finite values are left out.
 */
export function bandSeries(series: readonly Series[], buckets: number): Band {
  const xs = new Set<number>();
  for (const s of series) for (const x of s.x) xs.add(x);
  const sorted = [...xs].sort((a, b) => a - b);
  const out: Band = { x: [], mean: [], min: [], max: [], count: [] };
  if (sorted.length === 0) return out;
  const exact = sorted.length <= Math.max(1, buckets);
  const lo = sorted[0] as number;
  const hi = sorted[sorted.length - 1] as number;
  const nb = exact ? sorted.length : Math.max(1, buckets);
  const binOf = exact ? new Map(sorted.map((x, i) => [x, i])) : null;
  const width = (hi - lo) / nb;
  const sum = new Float64Array(nb);
  const cnt = new Uint32Array(nb);
  const mn = new Float64Array(nb).fill(Infinity);
  const mx = new Float64Array(nb).fill(-Infinity);
  for (const s of series) {
    // Per run: mean of its finite points in each bin, then across runs.
    const rs = new Map<number, [number, number]>();
    s.x.forEach((x, i) => {
      const y = s.y[i] as number;
      if (!Number.isFinite(y)) return;
      const b = binOf ? (binOf.get(x) as number) : Math.min(nb - 1, Math.floor((x - lo) / (width || 1)));
      const acc = rs.get(b);
      if (acc) {
        acc[0] += y;
        acc[1] += 1;
      } else rs.set(b, [y, 1]);
    });
    for (const [b, [total, k]] of rs) {
      const v = total / k;
      sum[b] = (sum[b] as number) + v;
      cnt[b] = (cnt[b] as number) + 1;
      if (v < (mn[b] as number)) mn[b] = v;
      if (v > (mx[b] as number)) mx[b] = v;
    }
  }
  for (let b = 0; b < nb; b++) {
    const c = cnt[b] as number;
    if (c === 0) continue;
    out.x.push(exact ? (sorted[b] as number) : lo + (b + 0.5) * width);
    out.mean.push((sum[b] as number) / c);
    out.min.push(mn[b] as number);
    out.max.push(mx[b] as number);
    out.count.push(c);
  }
  return out;
}
