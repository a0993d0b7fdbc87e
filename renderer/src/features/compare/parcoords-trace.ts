// Pure model of the parallel-coordinates chart: axes (positions, ticks), lines (draw order,
// colours), and the conversions between the chart's brushes (ranges in axis positions, what
// plotly called `constraintrange`) and ours (in value space).
//
// Axis positions:
//  - numeric: the value (log10 of it on a log axis). Runs without a value — and NaN/±inf, and
//    values ≤ 0 on a log axis — sit on a "missing" tick placed a little below the lowest value,
//    so no run is ever dropped (MLflow's compare page drops them).
//  - categorical: the index of the category in axis order (column-data.ts orderCategories), any
//    number of categories; "missing" at -1. Only a readable subset of categories gets a label
//    when there are many, but every one has its own position.
// Line colours use one 0..1 scale split into bands: grey (no value), the colour-by scale,
// selected, best — so a selected or winning run stands out without losing the others' colours.
import type { RunRow } from '../../../../preload/api.ts';
import { sequentialScale, type ColorScale } from '../../charts/palette.ts';
import type { PlotlyTrace } from '../../charts/plotly-types.ts';
import type { ChartTheme } from '../../charts/theme.ts';
import { logTicks, niceTicks } from '../../charts/ticks.ts';
import type { Brush } from '../../core/brush.ts';
import type { ColumnData } from '../../core/column-data.ts';

export interface DimensionModel {
  key: string;
  label: string;
  type: 'numeric' | 'categorical';
  log: boolean;
  /** Axis position of each row (in row order). */
  positions: number[];
  range: [number, number];
  tickvals: number[] | null;
  ticktext: string[] | null;
  /** Lowest and highest position of a real value. */
  lo: number;
  hi: number;
  /** Where runs without a (finite, plottable) value sit; null when every run has one. */
  missingPos: number | null;
  categories: string[] | null;
}

export type ParcoordsRange = [number, number];

const MAX_LABELS = 40;
const LABEL_CHARS = 22;

export function shorten(s: string, n = LABEL_CHARS): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** `tickChars`: how long a category label may be (the space between axes decides). */
export function dimensionModel(col: ColumnData, log: boolean, format: (n: number) => string, tickChars = LABEL_CHARS): DimensionModel {
  if (col.type === 'categorical') {
    const index = new Map(col.categories.map((c, i) => [c, i]));
    const anyMissing = col.values.some((v) => v === null);
    const positions = col.values.map((v) => (v === null ? -1 : (index.get(v) ?? -1)));
    const k = col.categories.length;
    const step = Math.max(1, Math.ceil(k / MAX_LABELS));
    const tickvals: number[] = [];
    const ticktext: string[] = [];
    if (anyMissing) {
      tickvals.push(-1);
      ticktext.push('missing');
    }
    col.categories.forEach((c, i) => {
      if (i % step === 0 || i === k - 1) {
        tickvals.push(i);
        ticktext.push(shorten(c === '' ? '""' : c, tickChars));
      }
    });
    const lo = 0;
    const hi = Math.max(0, k - 1);
    const bottom = anyMissing ? -1 : 0;
    return {
      key: col.key,
      label: col.label,
      type: 'categorical',
      log: false,
      positions,
      // A little room beyond the end categories keeps their labels off the axis ends.
      range: [bottom - 0.25, hi + 0.25],
      tickvals,
      ticktext,
      lo,
      hi,
      missingPos: anyMissing ? -1 : null,
      categories: col.categories,
    };
  }
  const pos: (number | null)[] = col.values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    if (log) return v > 0 ? Math.log10(v) : null;
    return v;
  });
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of pos) {
    if (p === null) continue;
    if (p < lo) lo = p;
    if (p > hi) hi = p;
  }
  if (lo === Infinity) {
    lo = 0;
    hi = 1;
  } else if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const anyMissing = pos.some((p) => p === null);
  const missingPos = anyMissing ? lo - (hi - lo) * 0.12 : null;
  const positions = pos.map((p) => (p === null ? (missingPos as number) : p));
  let tickvals: number[] | null = null;
  let ticktext: string[] | null = null;
  if (log || anyMissing) {
    tickvals = log ? logTicks(lo, hi) : niceTicks(lo, hi, 5);
    ticktext = tickvals.map((t) => format(log ? 10 ** t : t));
    if (missingPos !== null) {
      const nonFinite = col.values.some((v) => v !== null && (!Number.isFinite(v) || (log && v <= 0)));
      tickvals = [missingPos, ...tickvals];
      ticktext = [nonFinite ? (log ? 'missing/≤0' : 'missing/NaN') : 'missing', ...ticktext];
    }
  }
  return {
    key: col.key,
    label: col.label,
    type: 'numeric',
    log,
    positions,
    range: [missingPos ?? lo, hi],
    tickvals,
    ticktext,
    lo,
    hi,
    missingPos,
    categories: null,
  };
}

/** plotly's constraintrange (one range or several) as a list of ranges. */
export function normalizeRanges(cr: unknown): ParcoordsRange[] {
  if (!Array.isArray(cr) || cr.length === 0) return [];
  if (typeof cr[0] === 'number') {
    const [a, b] = cr as number[];
    return typeof a === 'number' && typeof b === 'number' ? [[Math.min(a, b), Math.max(a, b)]] : [];
  }
  return (cr as unknown[]).flatMap((r) => normalizeRanges(r));
}

/** plotly brush (positions) → our brush (values); null when the axis has no brush. */
export function brushFromRanges(dim: DimensionModel, ranges: ParcoordsRange[]): Brush | null {
  if (ranges.length === 0) return null;
  const covers = (p: number) => ranges.some(([a, b]) => a <= p && p <= b);
  const missing = dim.missingPos !== null && covers(dim.missingPos);
  if (dim.type === 'categorical') {
    const cats = dim.categories ?? [];
    return { key: dim.key, type: 'categorical', values: cats.filter((_, i) => covers(i)), missing };
  }
  const inv = (p: number) => (dim.log ? 10 ** p : p);
  const values: [number, number][] = [];
  for (const [a, b] of ranges) {
    // The part of the range below the lowest value is the gap and the missing tick.
    if (dim.missingPos !== null && b < dim.lo) continue;
    values.push([inv(a), inv(b)]);
  }
  return { key: dim.key, type: 'numeric', ranges: values, missing };
}

/** Our brush → plotly constraint ranges on this axis (empty list: nothing can be drawn). */
export function rangesFromBrush(dim: DimensionModel, b: Brush): ParcoordsRange[] {
  const out: ParcoordsRange[] = [];
  if (dim.type === 'categorical') {
    if (b.type !== 'categorical') return [];
    const codes = b.values.map((v) => dim.categories?.indexOf(v) ?? -1).filter((c) => c >= 0);
    if (b.missing && dim.missingPos !== null) codes.push(-1);
    codes.sort((x, y) => x - y);
    let start: number | null = null;
    let prev = 0;
    for (const c of codes) {
      if (start === null) start = c;
      else if (c !== prev + 1) {
        out.push([start - 0.3, prev + 0.3]);
        start = c;
      }
      prev = c;
    }
    if (start !== null) out.push([start - 0.3, prev + 0.3]);
    return out;
  }
  if (b.type !== 'numeric') return [];
  const pos = (v: number) => (dim.log ? (v > 0 ? Math.log10(v) : -Infinity) : v);
  let missingDone = false;
  for (const [lo, hi] of b.ranges) {
    let a = pos(lo);
    const c = pos(hi);
    if (!Number.isFinite(a)) a = dim.lo;
    if (b.missing && dim.missingPos !== null && a <= dim.lo && !missingDone) {
      a = Math.min(a, dim.missingPos - (dim.hi - dim.lo) * 0.02);
      missingDone = true;
    }
    out.push([a, c]);
  }
  if (b.missing && dim.missingPos !== null && !missingDone) {
    const h = (dim.hi - dim.lo) * 0.03;
    out.unshift([dim.missingPos - h, dim.missingPos + h]);
  }
  return out;
}

export interface ParcoordsInput {
  rows: readonly RunRow[];
  dims: DimensionModel[];
  brushes: ReadonlyMap<string, Brush>;
  /** Column the lines are coloured by (its data), or null for one colour. */
  color: ColumnData | null;
  /** Flip the colour scale (so the better end of a min-is-better metric is the bright one). */
  reverse: boolean;
  selected: ReadonlySet<string>;
  best: string | null;
  theme: ChartTheme;
  /** How long an axis title may be (the space between axes decides). */
  labelChars?: number;
}

export interface ParcoordsTrace {
  trace: PlotlyTrace;
  /** Run id of each line, in the order plotly draws them (line i = runIds[i]). */
  runIds: string[];
  /** The dimension objects inside `trace` (plotly reorders them in place when axes are dragged). */
  dimensions: Record<string, unknown>[];
}

/** Bands of the shared 0..1 colour scale. */
const BAND = { missingTop: 0.04, scaleLo: 0.06, scaleHi: 0.8, selected: 0.87, best: 0.96 } as const;

export function bandedScale(theme: ChartTheme, base: ColorScale): ColorScale {
  const span = BAND.scaleHi - BAND.scaleLo;
  return [
    [0, theme.dimmed],
    [BAND.missingTop, theme.dimmed],
    ...base.map(([f, c]) => [BAND.scaleLo + f * span, c] as [number, string]),
    [BAND.scaleHi + 0.02, theme.accent],
    [0.92, theme.accent],
    [0.93, theme.best],
    [1, theme.best],
  ];
}

/** Position 0..1 of each row's colour-by value on the colour-by scale (null: no value). */
export function colorFractions(col: ColumnData, reverse: boolean): (number | null)[] {
  if (col.type === 'categorical') {
    const index = new Map(col.categories.map((c, i) => [c, i]));
    const k = Math.max(1, col.categories.length - 1);
    return col.values.map((v) => {
      if (v === null) return null;
      const f = (index.get(v) ?? 0) / k;
      return reverse ? 1 - f : f;
    });
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of col.values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  return col.values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    const f = span > 0 ? (v - lo) / span : 0.5;
    return reverse ? 1 - f : f;
  });
}

export interface ParcoordsLines {
  /** Run id of each line, in draw order (line i = runIds[i]). */
  runIds: string[];
  /** Row index of each line. */
  order: number[];
  /** Each line's place on the banded colour scale (bandedScale), in draw order. */
  colors: number[];
  /** Lines from this index on are selected runs or the best run (drawn last, emphasized). */
  emphasizedFrom: number;
  /** Each dimension's positions, in draw order. */
  values: number[][];
}

/** The lines of the chart: draw order (ordinary, then selected, then best), colours, positions. */
export function parcoordsLines(input: Pick<ParcoordsInput, 'rows' | 'dims' | 'color' | 'reverse' | 'selected' | 'best'>): ParcoordsLines {
  const { rows, dims, color, reverse, selected, best } = input;
  const rank = (id: string) => (id === best ? 2 : selected.has(id) ? 1 : 0);
  const order = rows.map((_, i) => i);
  order.sort((a, b) => rank((rows[a] as RunRow).runId) - rank((rows[b] as RunRow).runId) || a - b);
  const runIds = order.map((i) => (rows[i] as RunRow).runId);
  let emphasizedFrom = runIds.length;
  while (emphasizedFrom > 0 && rank(runIds[emphasizedFrom - 1] as string) > 0) emphasizedFrom--;

  const fractions = color ? colorFractions(color, reverse) : null;
  const span = BAND.scaleHi - BAND.scaleLo;
  const colors = order.map((i) => {
    const id = (rows[i] as RunRow).runId;
    if (id === best) return BAND.best;
    if (selected.has(id)) return BAND.selected;
    const f = fractions ? fractions[i] : 0.5;
    return f === null || f === undefined ? 0 : BAND.scaleLo + f * span;
  });
  const values = dims.map((d) => order.map((i) => d.positions[i] as number));
  return { runIds, order, colors, emphasizedFrom, values };
}

/**
 * The same chart as a plotly `parcoords` trace. The app draws its own (charts/ParallelCoordinates.tsx);
 * this is what the UI benchmark's harness draws to measure plotly beside it.
 */
export function buildParcoords(input: ParcoordsInput): ParcoordsTrace {
  const { dims, brushes, theme, labelChars = 26 } = input;
  const lines = parcoordsLines(input);
  const tickfont = {
    color: theme.muted,
    size: 11,
    shadow: `1px 1px 1px ${theme.surface}, -1px -1px 1px ${theme.surface}, 1px -1px 1px ${theme.surface}, -1px 1px 1px ${theme.surface}`,
  };
  const dimensions = dims.map((d, k) => {
    const brush = brushes.get(d.key);
    const cr = brush ? rangesFromBrush(d, brush) : [];
    const dim: Record<string, unknown> = {
      label: shorten(d.label, labelChars),
      values: lines.values[k],
      range: d.range,
      multiselect: true,
    };
    if (d.tickvals && d.ticktext) {
      dim.tickvals = d.tickvals;
      dim.ticktext = d.ticktext;
    }
    if (cr.length === 1) dim.constraintrange = cr[0];
    else if (cr.length > 1) dim.constraintrange = cr;
    return dim;
  });

  const trace: PlotlyTrace = {
    type: 'parcoords',
    dimensions,
    labelfont: { color: theme.text, size: 12 },
    tickfont,
    rangefont: { color: theme.faint, size: 10, shadow: tickfont.shadow },
    unselected: { line: { color: theme.dimmed, opacity: 0.35 } },
    line: {
      color: lines.colors,
      colorscale: bandedScale(theme, sequentialScale(theme.dark)),
      cmin: 0,
      cmax: 1,
      // The legend is drawn in HTML beside the chart: plotly's colour bar would show the
      // highlight bands as if they were values.
      showscale: false,
    },
  };
  return { trace, runIds: lines.runIds, dimensions };
}
