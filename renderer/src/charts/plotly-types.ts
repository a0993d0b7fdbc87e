// plotly.js data shapes the trace builders produce. The strict bundle ships without type
// declarations and no @types package is installed, so these (and plotly-api.ts, the functions
// and DOM objects) are written against what the code uses, nothing more. This module has no
// DOM types so the pure builders typecheck and run under Node (their unit tests).

/** A trace as handed to plotly: its `type` plus whatever attributes that trace type takes. */
export interface PlotlyTrace {
  type: string;
  [attribute: string]: unknown;
}

export type PlotlyLayout = Record<string, unknown>;
export type PlotlyConfig = Record<string, unknown>;

export interface PlotlyPoint {
  curveNumber: number;
  pointNumber?: number;
  pointIndex?: number;
  customdata?: unknown;
  x?: unknown;
  y?: unknown;
}
