// The slice of plotly.js's API the charts call (plotly.js 4:
// https://plotly.com/javascript/plotlyjs-function-reference/), typed by hand (see plotly-types.ts).
import type { PlotlyConfig, PlotlyLayout, PlotlyPoint, PlotlyTrace } from './plotly-types.ts';

/** plotly_click / plotly_hover / plotly_selected payloads (scatter); parcoords hover is flat. */
export interface PlotlyEventData {
  points?: PlotlyPoint[];
  event?: MouseEvent;
  /** parcoords line hover: the index of the line (the row) under the pointer. */
  curveNumber?: number;
  dataIndex?: number;
  [key: string]: unknown;
}

export interface PlotlyAxisLayout {
  range?: [number, number];
  autorange?: boolean | string;
  _offset: number;
  _length: number;
  l2p(v: number): number;
  d2l?(v: unknown): number;
}

export interface PlotlyGraphDiv extends HTMLDivElement {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
  _fullLayout: { xaxis?: PlotlyAxisLayout; yaxis?: PlotlyAxisLayout; [key: string]: unknown };
  _fullData: PlotlyTrace[];
  on(event: string, handler: (data: PlotlyEventData) => void): void;
  removeAllListeners(event?: string): void;
}

export interface PlotlyStatic {
  react(gd: HTMLElement, data: PlotlyTrace[], layout: PlotlyLayout, config?: PlotlyConfig): Promise<PlotlyGraphDiv>;
  restyle(gd: HTMLElement, update: Record<string, unknown>, traces?: number[]): Promise<PlotlyGraphDiv>;
  relayout(gd: HTMLElement, update: Record<string, unknown>): Promise<PlotlyGraphDiv>;
  purge(gd: HTMLElement): void;
  Plots: { resize(gd: HTMLElement): Promise<void> | void };
}
