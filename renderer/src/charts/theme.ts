// Chart colours: the UI's CSS tokens (styles/base.css) as literal colours, which plotly needs
// since it draws to canvas/SVG itself. Read from the page by use-chart-theme.ts; this module is
// pure (the trace builders and their tests use it without a DOM).
import type { PlotlyLayout } from './plotly-types.ts';

export interface ChartTheme {
  dark: boolean;
  text: string;
  text2: string;
  muted: string;
  faint: string;
  grid: string;
  border: string;
  surface: string;
  accent: string;
  /** The winner of "best by". */
  best: string;
  /** The run under the pointer (in the table or another chart). */
  hover: string;
  /** Lines and points that are not in the current selection while one exists. */
  dimmed: string;
  font: string;
  mono: string;
}

/** The light theme's values, used where there is no page to read (tests, first paint). */
export const LIGHT_THEME: ChartTheme = {
  dark: false,
  text: '#1b2230',
  text2: '#414b5a',
  muted: '#6b7483',
  faint: '#9aa2af',
  grid: '#e2e5ea',
  border: '#cfd4dc',
  surface: '#ffffff',
  accent: '#2563eb',
  best: '#d97706',
  hover: '#e11d48',
  dimmed: '#c9ced6',
  font: 'system-ui, sans-serif',
  mono: 'monospace',
};

/** What every chart's layout starts from: transparent backgrounds, the UI's fonts and greys. */
export function baseLayout(t: ChartTheme): PlotlyLayout {
  const axis = {
    gridcolor: t.grid,
    linecolor: t.border,
    zerolinecolor: t.border,
    tickcolor: t.border,
    tickfont: { color: t.muted, size: 11 },
    title: { font: { color: t.text2, size: 12 } },
    automargin: true,
  };
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: t.font, color: t.text2, size: 12 },
    margin: { l: 56, r: 16, t: 16, b: 44 },
    hoverlabel: {
      bgcolor: t.surface,
      bordercolor: t.border,
      font: { family: t.font, color: t.text, size: 12 },
      align: 'left',
    },
    legend: { font: { color: t.text2, size: 11 }, bgcolor: 'rgba(0,0,0,0)' },
    xaxis: { ...axis },
    yaxis: { ...axis },
    dragmode: 'zoom',
    modebar: { bgcolor: 'rgba(0,0,0,0)', color: t.faint, activecolor: t.accent },
  };
}

/** A chart's axis settings over the base layout's (title font kept when only the text is given). */
export function mergeAxis(base: unknown, over: unknown): Record<string, unknown> {
  const b = (base ?? {}) as Record<string, unknown>;
  const o = (over ?? {}) as Record<string, unknown>;
  return { ...b, ...o, title: { ...(b.title as object), ...(o.title as object) } };
}
