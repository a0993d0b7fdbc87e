// Pure builder for the scatter chart: x and y from any column (numeric or categorical), colour
// and size from others, and overlay traces for the selection, the best run and the run under the
// pointer. Every point carries its run id as customdata[0], so clicks, hovers and box/lasso
// selections map back to runs whichever trace they hit.
//
// Categorical axes are drawn as numbered positions with the category names as tick labels and a
// small deterministic jitter per run, so runs sharing a category do not hide each other. Numeric
// axes drop the runs that have no (finite, or positive on a log axis) value; the caller shows
// how many.
import type { RunRow } from '../../../../preload/api.ts';
import { colorAt, sequentialScale, withAlpha } from '../../charts/palette.ts';
import type { PlotlyLayout, PlotlyTrace } from '../../charts/plotly-types.ts';
import type { ChartTheme } from '../../charts/theme.ts';
import type { ColumnData } from '../../core/column-data.ts';

/** Above this many points the scatter is drawn with WebGL (scattergl). */
export const GL_THRESHOLD = 1000;
const MISSING = '(missing)';

export interface AxisPlan {
  /** Plot coordinate per row, or null when the run cannot be placed on this axis. */
  coords: (number | null)[];
  layout: Record<string, unknown>;
  /** Display text of each row's value (hover card). */
  texts: string[];
}

/** FNV-1a of the run id → [-0.5, 0.5): stable jitter across renders and reloads. */
export function jitterOf(runId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) {
    h ^= runId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return ((h >>> 0) % 10007) / 10007 - 0.5;
}

export function axisPlan(col: ColumnData, rows: readonly RunRow[], log: boolean, format: (n: number) => string, isDate: boolean): AxisPlan {
  if (col.type === 'categorical') {
    const cats = [...col.categories];
    if (col.values.some((v) => v === null)) cats.push(MISSING);
    const index = new Map(cats.map((c, i) => [c, i]));
    const coords = col.values.map((v, i) => (index.get(v ?? MISSING) ?? 0) + jitterOf((rows[i] as RunRow).runId) * 0.36);
    const step = Math.max(1, Math.ceil(cats.length / 30));
    const tickvals: number[] = [];
    const ticktext: string[] = [];
    cats.forEach((c, i) => {
      if (i % step === 0) {
        tickvals.push(i);
        ticktext.push(c.length > 18 ? `${c.slice(0, 17)}…` : c === '' ? '""' : c);
      }
    });
    return {
      coords,
      texts: col.values.map((v) => v ?? 'missing'),
      layout: { type: 'linear', tickmode: 'array', tickvals, ticktext, range: [-0.6, cats.length - 0.4], zeroline: false, showgrid: false },
    };
  }
  const coords = col.values.map((v) => (v === null || !Number.isFinite(v) || (log && v <= 0) ? null : v));
  return {
    coords,
    texts: col.values.map((v) => (v === null ? 'missing' : format(v))),
    layout: { type: isDate ? 'date' : log ? 'log' : 'linear', zeroline: false },
  };
}

export interface ScatterInput {
  rows: readonly RunRow[];
  x: ColumnData;
  y: ColumnData;
  color: ColumnData | null;
  size: ColumnData | null;
  logX: boolean;
  logY: boolean;
  selected: ReadonlySet<string>;
  best: string | null;
  hover: string | null;
  /** Runs outside the parallel-coordinates brush (drawn faded); null: no brush. */
  outside: ReadonlySet<string> | null;
  theme: ChartTheme;
  /** Number formatting per column key (times, durations, plain numbers). */
  formatFor: (key: string) => (n: number) => string;
  isDate: (key: string) => boolean;
}

export interface ScatterPoint {
  runId: string;
  x: number;
  y: number;
}

export interface ScatterFigure {
  traces: PlotlyTrace[];
  layout: PlotlyLayout;
  points: ScatterPoint[];
  /** Runs that could not be placed (no value on a numeric axis). */
  skipped: string[];
  gl: boolean;
}

function sizesOf(col: ColumnData | null, n: number, base: number): number[] {
  if (!col) return new Array<number>(n).fill(base);
  if (col.type === 'categorical') {
    const index = new Map(col.categories.map((c, i) => [c, i]));
    const k = Math.max(1, col.categories.length - 1);
    return col.values.map((v) => (v === null ? base * 0.6 : base * 0.7 + (((index.get(v) ?? 0) / k) * base * 1.6)));
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of col.values) {
    if (v === null || !Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return col.values.map((v) => {
    if (v === null || !Number.isFinite(v) || !(hi > lo)) return v === null ? base * 0.6 : base;
    return base * 0.7 + Math.sqrt((v - lo) / (hi - lo)) * base * 1.6;
  });
}

export function buildScatter(input: ScatterInput): ScatterFigure {
  const { rows, x, y, color, size, logX, logY, selected, best, hover, outside, theme, formatFor, isDate } = input;
  const n = rows.length;
  const xp = axisPlan(x, rows, logX, formatFor(x.key), isDate(x.key));
  const yp = axisPlan(y, rows, logY, formatFor(y.key), isDate(y.key));
  const gl = n > GL_THRESHOLD;
  const type = gl ? 'scattergl' : 'scatter';
  const base = n > 50_000 ? 4 : n > 5000 ? 5 : n > 500 ? 7 : 9;
  const sizes = sizesOf(size, n, base);
  const colorText = color ? color.values.map((v) => (v === null ? 'missing' : typeof v === 'number' ? formatFor(color.key)(v) : v)) : null;
  const sizeText = size ? size.values.map((v) => (v === null ? 'missing' : typeof v === 'number' ? formatFor(size.key)(v) : v)) : null;

  const points: ScatterPoint[] = [];
  const skipped: string[] = [];
  const placed: number[] = [];
  for (let i = 0; i < n; i++) {
    const cx = xp.coords[i];
    const cy = yp.coords[i];
    const r = rows[i] as RunRow;
    if (cx === null || cx === undefined || cy === null || cy === undefined) {
      skipped.push(r.runId);
      continue;
    }
    placed.push(i);
    points.push({ runId: r.runId, x: cx, y: cy });
  }

  const hoverLines = [`${x.label}: %{customdata[2]}`, `${y.label}: %{customdata[3]}`];
  if (color) hoverLines.push(`${color.label}: %{customdata[4]}`);
  if (size) hoverLines.push(`${size.label}: %{customdata[5]}`);
  const hovertemplate = `<b>%{customdata[1]}</b><br>${hoverLines.join('<br>')}<extra></extra>`;
  const custom = (i: number) => {
    const r = rows[i] as RunRow;
    return [r.runId, r.runName || r.runId.slice(0, 8), xp.texts[i], yp.texts[i], colorText?.[i] ?? '', sizeText?.[i] ?? ''];
  };
  const traceOf = (idx: number[], extra: Record<string, unknown>, marker: Record<string, unknown>): PlotlyTrace => ({
    type,
    mode: 'markers',
    x: idx.map((i) => xp.coords[i]),
    y: idx.map((i) => yp.coords[i]),
    customdata: idx.map(custom),
    hovertemplate,
    marker: { size: idx.map((i) => sizes[i]), line: { width: 0 }, ...marker },
    ...extra,
  });

  const traces: PlotlyTrace[] = [];
  const inside = outside ? placed.filter((i) => !outside.has((rows[i] as RunRow).runId)) : placed;
  if (outside) {
    const out = placed.filter((i) => outside.has((rows[i] as RunRow).runId));
    if (out.length > 0) traces.push(traceOf(out, { name: 'outside brush', showlegend: true, legendrank: 1000 }, { color: withAlpha(theme.dimmed, 0.7) }));
  }

  if (!color) {
    traces.push(traceOf(inside, { name: 'runs', showlegend: false }, { color: withAlpha(colorAt(0), 0.8) }));
  } else if (color.type === 'numeric') {
    const has: number[] = [];
    const lacks: number[] = [];
    for (const i of inside) {
      const v = color.values[i];
      (v !== null && v !== undefined && Number.isFinite(v) ? has : lacks).push(i);
    }
    if (lacks.length > 0) traces.push(traceOf(lacks, { name: `no ${color.label}`, showlegend: true }, { color: withAlpha(theme.faint, 0.8) }));
    traces.push(
      traceOf(
        has,
        { name: color.label, showlegend: false },
        {
          color: has.map((i) => color.values[i]),
          colorscale: sequentialScale(theme.dark),
          opacity: 0.85,
          showscale: true,
          colorbar: { title: { text: color.label, font: { color: theme.text2, size: 11 } }, tickfont: { color: theme.muted, size: 10 }, outlinewidth: 0, thickness: 10 },
        },
      ),
    );
  } else {
    const cats = color.categories;
    if (cats.length <= 12) {
      const groups = new Map<string, number[]>();
      for (const i of inside) {
        const v = color.values[i] ?? MISSING;
        const list = groups.get(v);
        if (list) list.push(i);
        else groups.set(v, [i]);
      }
      [...cats, MISSING].forEach((c, ci) => {
        const idx = groups.get(c);
        if (!idx || idx.length === 0) return;
        traces.push(traceOf(idx, { name: c === MISSING ? 'missing' : c, showlegend: true }, { color: c === MISSING ? theme.faint : withAlpha(colorAt(ci), 0.85) }));
      });
    } else {
      const index = new Map(cats.map((c, i) => [c, i]));
      traces.push(
        traceOf(
          inside,
          { name: color.label, showlegend: false },
          { color: inside.map((i) => (color.values[i] === null ? theme.faint : colorAt(index.get(color.values[i] as string) ?? 0))), opacity: 0.85 },
        ),
      );
    }
  }

  // Overlays (SVG, above the WebGL layer): selection rings, the best run's star, the hover ring.
  const where = new Map(placed.map((i) => [(rows[i] as RunRow).runId, i]));
  const overlay = (ids: string[], name: string, marker: Record<string, unknown>, extra: Record<string, unknown> = {}): void => {
    const idx = ids.map((id) => where.get(id)).filter((i): i is number => i !== undefined);
    if (idx.length === 0) return;
    traces.push({
      type: 'scatter',
      mode: 'markers',
      name,
      showlegend: false,
      x: idx.map((i) => xp.coords[i]),
      y: idx.map((i) => yp.coords[i]),
      customdata: idx.map(custom),
      hovertemplate,
      marker,
      ...extra,
    });
  };
  overlay([...selected].filter((id) => id !== best), 'selected', { symbol: 'circle-open', size: base + 8, color: theme.accent, line: { width: 2.5, color: theme.accent } });
  if (best) {
    overlay([best], 'best', { symbol: 'star', size: base + 12, color: theme.best, line: { width: 1, color: theme.surface } }, {
      mode: 'markers+text',
      text: ['best'],
      textposition: 'top center',
      textfont: { color: theme.best, size: 11 },
    });
    if (selected.has(best)) overlay([best], 'selected best', { symbol: 'circle-open', size: base + 18, color: theme.accent, line: { width: 2, color: theme.accent } });
  }
  if (hover) overlay([hover], 'hover', { symbol: 'circle-open', size: base + 14, color: theme.hover, line: { width: 2.5, color: theme.hover } });

  const layout: PlotlyLayout = {
    xaxis: { ...xp.layout, title: { text: x.label } },
    yaxis: { ...yp.layout, title: { text: y.label } },
    showlegend: traces.some((t) => t.showlegend === true),
    legend: { orientation: 'h', y: -0.18, x: 0, font: { color: theme.text2, size: 11 } },
    hovermode: 'closest',
  };
  return { traces, layout, points, skipped, gl };
}
