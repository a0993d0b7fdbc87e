// In-page harness for the chart benchmarks that no fixture store can feed through the app
// (100k scatter points, 50 × 10k-step histories): synthetic runs go through the same builders
// and the same <Plot> wrapper as the compare views, in Chromium, under the app's CSP.
// bench/ui/compare.ts builds this page with Vite, serves it and calls `globalThis.__bench`.
import { createRoot } from 'react-dom/client';
import { mulberry32 } from '../../../common/random.ts';
import type { MetricPoint, RunRow } from '../../../preload/api.ts';
import { colorAt, sequentialScale } from '../../../renderer/src/charts/palette.ts';
import { ParallelCoordinates } from '../../../renderer/src/charts/ParallelCoordinates.tsx';
import { niceTicks } from '../../../renderer/src/charts/ticks.ts';
import { Plot } from '../../../renderer/src/charts/Plot.tsx';
import type { PlotlyTrace, PlotlyLayout } from '../../../renderer/src/charts/plotly-types.ts';
import { baseLayout, LIGHT_THEME } from '../../../renderer/src/charts/theme.ts';
import { columnData } from '../../../renderer/src/core/column-data.ts';
import { buildCurves } from '../../../renderer/src/features/compare/curves-figure.ts';
import { formatFor, isDateColumn } from '../../../renderer/src/features/compare/format-column.ts';
import { bandedScale, buildParcoords, dimensionModel, parcoordsLines } from '../../../renderer/src/features/compare/parcoords-trace.ts';
import { buildScatter } from '../../../renderer/src/features/compare/scatter-figure.ts';
import { formatNumber } from '../../../renderer/src/lib/format.ts';

export interface BenchResult {
  /** Building traces from runs (column extraction, downsampling, smoothing). */
  buildMs: number;
  /** From handing the traces to <Plot> to the frame after plotly finished. */
  drawMs: number;
  totalMs: number;
  /** Points (or line vertices) handed to plotly. */
  drawn: number;
}

function syntheticRuns(n: number, seed = 1): RunRow[] {
  const r = mulberry32(seed);
  const opt = ['adam', 'adamw', 'sgd', 'rmsprop'];
  return Array.from({ length: n }, (_, i) => {
    const lr = 10 ** (-5 + 4 * r());
    const loss = 0.2 + Math.abs(Math.log10(lr) + 2.5) * 0.1 + 0.05 * r();
    const m = (value: number) => ({ value, step: 99, timestamp: 1_767_225_600_000 + i });
    return {
      storeId: 'bench',
      runId: `run${i.toString(16).padStart(8, '0')}`,
      experimentId: '1',
      runName: `run-${i}`,
      status: 'FINISHED',
      startTime: 1_767_225_600_000 + i * 60_000,
      endTime: 1_767_225_600_000 + i * 60_000 + 30_000,
      userId: 'bench',
      lifecycleStage: 'active',
      artifactUri: '',
      parentRunId: null,
      params: { learning_rate: lr.toPrecision(2), optimizer: opt[Math.floor(r() * 4)] as string, batch_size: String(2 ** (4 + Math.floor(r() * 5))), dropout: (Math.round(r() * 50) / 100).toString() },
      metrics: { val_loss: m(loss), val_acc: m(1 - loss / 2), train_loss: m(loss * 0.7), grad_norm: m(r() * 5) },
      tags: {},
    };
  });
}

function histories(runs: number, steps: number): MetricPoint[][] {
  const r = mulberry32(7);
  return Array.from({ length: runs }, (_, k) => {
    const tau = 500 + 3000 * r();
    const floor = 0.1 + 0.3 * r();
    return Array.from({ length: steps }, (_, step) => ({ step, timestamp: 1_767_225_600_000 + k * 1e7 + step * 250, value: floor + 2.2 * Math.exp(-step / tau) + 0.03 * (r() - 0.5) }));
  });
}

/**
 * The synthetic inputs, generated once per size (one entry each, so 100k runs are not kept
 * around): compare.ts counts the page's main-thread CPU time around each repetition, and
 * generating the runs is not part of what is measured. `bench.prepare` generates them untimed.
 */
const memo = new Map<string, { key: string; value: unknown }>();
function once<T>(slot: string, key: string, make: () => T): T {
  const hit = memo.get(slot);
  if (hit?.key === key) return hit.value as T;
  memo.delete(slot);
  const value = make();
  memo.set(slot, { key, value });
  return value;
}
const runsOf = (n: number, seed = 1) => once(`runs${seed}`, String(n), () => syntheticRuns(n, seed));
const historiesOf = (runs: number, steps: number) => once('histories', `${runs}x${steps}`, () => histories(runs, steps));

const root = createRoot(document.getElementById('root') as HTMLElement);
let seq = 0;

/**
 * Renders the traces with <Plot> and resolves once plotly has drawn them (next frame). `fresh`
 * mounts a new chart (new WebGL contexts, as when a view opens); otherwise the chart on screen
 * is updated in place (Plotly.react, as when its data or settings change).
 */
function draw(name: string, data: PlotlyTrace[], layout: PlotlyLayout, fresh = true): Promise<number> {
  const id = fresh ? ++seq : seq;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    root.render(<Plot key={id} name={name} data={data} layout={layout} onRendered={() => resolve(performance.now() - t0)} onError={(m) => reject(new Error(`${name}: ${m}`))} />);
  });
}

async function measure(name: string, build: () => { data: PlotlyTrace[]; layout: PlotlyLayout; drawn: number }, fresh = true): Promise<BenchResult> {
  const t0 = performance.now();
  const { data, layout, drawn } = build();
  const buildMs = performance.now() - t0;
  const drawMs = await draw(name, data, layout, fresh);
  return { buildMs, drawMs, totalMs: buildMs + drawMs, drawn };
}

const theme = LIGHT_THEME;
const PC_KEYS = ['params.learning_rate', 'params.optimizer', 'params.batch_size', 'params.dropout', 'metrics.train_loss', 'metrics.grad_norm', 'metrics.val_acc', 'metrics.val_loss'];
const noop = () => undefined;

/**
 * Renders the app's own parallel coordinates (charts/ParallelCoordinates.tsx) and resolves at the
 * frame after its draw, like draw() does for plotly (`data-render-count` counts its draws).
 */
function drawCanvasParcoords(props: Parameters<typeof ParallelCoordinates>[0], fresh: boolean): Promise<number> {
  const id = fresh ? ++seq : seq;
  return new Promise((resolve) => {
    const t0 = performance.now();
    const before = fresh ? 0 : Number(document.querySelector('[data-testid=pc-bench]')?.getAttribute('data-render-count') ?? 0);
    root.render(
      <div key={id} style={{ position: 'relative', width: 1400, height: 560, display: 'flex' }}>
        <ParallelCoordinates {...props} />
      </div>,
    );
    const check = () => {
      const el = document.querySelector('[data-testid=pc-bench]');
      if (el && Number(el.getAttribute('data-render-count')) > before) resolve(performance.now() - t0);
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

const bench = {
  /** Draws arbitrary traces through <Plot> (checks that a trace kind draws under the CSP). */
  draw(data: PlotlyTrace[], layout: PlotlyLayout = {}): Promise<number> {
    return draw('custom', data, { ...baseLayout(theme), ...layout });
  },

  /** Loads plotly once, so the first measured chart does not pay for the 5 MB download. */
  async warm(): Promise<void> {
    await draw('warm', [{ type: 'scattergl', x: [1, 2], y: [1, 2] }], baseLayout(theme));
    await draw('warm', [{ type: 'parcoords', dimensions: [{ values: [1, 2] }] }], baseLayout(theme));
  },

  /** Generates (untimed) the inputs of scatter/parcoords(n) or, with `steps`, of curves(n, steps). */
  prepare(n: number, steps = 0): void {
    if (steps > 0) {
      runsOf(n, 3);
      historiesOf(n, steps);
    } else runsOf(n);
  },

  scatter(n: number): Promise<BenchResult> {
    const rows = runsOf(n);
    return measure('scatter', () => {
      const x = columnData(rows, 'params.learning_rate', 0);
      const y = columnData(rows, 'metrics.val_loss', 0);
      const color = columnData(rows, 'metrics.val_acc', 0);
      const m = buildScatter({ rows, x, y, color, size: null, logX: true, logY: false, selected: new Set([rows[3]?.runId ?? '']), best: rows[7]?.runId ?? null, hover: null, outside: null, theme, formatFor, isDate: isDateColumn });
      return { data: m.traces, layout: { ...baseLayout(theme), ...m.layout }, drawn: m.points.length };
    });
  },

  /**
   * `fresh`: a new chart (new WebGL contexts, shaders compiled) as when the view opens; otherwise
   * Plotly.react on the chart on screen, as when the colour-by column changes (`color`).
   */
  parcoords(n: number, fresh = true, axes = 8, color = 'metrics.val_loss'): Promise<BenchResult> {
    const rows = runsOf(n);
    return measure('parcoords', () => {
      const keys = PC_KEYS.slice(0, axes);
      const cols = new Map(keys.map((k) => [k, columnData(rows, k, 0)]));
      const dims = keys.map((k) => dimensionModel(cols.get(k)!, k === 'params.learning_rate', formatNumber));
      const m = buildParcoords({ rows, dims, brushes: new Map(), color: cols.get(color) ?? null, reverse: true, selected: new Set(), best: rows[0]?.runId ?? null, theme });
      return { data: [m.trace], layout: { ...baseLayout(theme), margin: { l: 64, r: 80, t: 56, b: 28 } }, drawn: n * keys.length };
    }, fresh);
  },

  /** The same chart as parcoords(), drawn by the app's own canvas chart instead of plotly. */
  async parcoordsCanvas(n: number, fresh = true, axes = 8, color = 'metrics.val_loss'): Promise<BenchResult> {
    const rows = runsOf(n);
    const t0 = performance.now();
    const keys = PC_KEYS.slice(0, axes);
    const cols = new Map(keys.map((k) => [k, columnData(rows, k, 0)]));
    const dims = keys.map((k) => dimensionModel(cols.get(k)!, k === 'params.learning_rate', formatNumber));
    const lines = parcoordsLines({ rows, dims, color: cols.get(color) ?? null, reverse: true, selected: new Set(), best: rows[0]?.runId ?? null });
    const pcAxes = dims.map((d, k) => ({
      key: d.key,
      label: d.label,
      title: d.label,
      range: d.range,
      ticks: d.tickvals && d.ticktext ? d.tickvals.map((pos, i) => ({ pos, text: d.ticktext?.[i] ?? '' })) : niceTicks(d.range[0], d.range[1], 5).map((pos) => ({ pos, text: formatNumber(pos) })),
      values: lines.values[k] as number[],
    }));
    const props = {
      name: 'parcoords-canvas',
      testId: 'pc-bench',
      axes: pcAxes,
      brushes: dims.map(() => []),
      colors: lines.colors,
      colorscale: bandedScale(theme, sequentialScale(theme.dark)),
      emphasizedFrom: lines.emphasizedFrom,
      theme,
      onBrush: noop,
      onReorder: noop,
      onHover: noop,
      onLineClick: noop,
    };
    const buildMs = performance.now() - t0;
    const drawMs = await drawCanvasParcoords(props, fresh);
    return { buildMs, drawMs, totalMs: buildMs + drawMs, drawn: n * keys.length };
  },

  curves(runs: number, steps: number, smoothing: number): Promise<BenchResult> {
    const hist = historiesOf(runs, steps);
    const rows = runsOf(runs, 3);
    return measure('curves', () => {
      const m = buildCurves({
        metric: 'loss',
        runs: rows.map((row, i) => ({ row, points: hist[i] as MetricPoint[], color: colorAt(i) })),
        mode: 'step',
        smoothing,
        logY: false,
        buckets: 1000,
        selected: new Set(),
        best: rows[0]?.runId ?? null,
        hover: null,
        theme,
        format: formatNumber,
        groups: null,
      });
      return { data: m.traces, layout: { ...baseLayout(theme), ...m.layout }, drawn: m.drawnPoints };
    });
  },
};

(globalThis as unknown as { __bench: typeof bench }).__bench = bench;
document.body.dataset.ready = 'true';
