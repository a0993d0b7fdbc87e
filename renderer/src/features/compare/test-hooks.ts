// What the compare views show, published for tests and benchmarks: e2e checks values through
// this (and plotly's own `gd.data`), never through pixels. Documented in renderer/README.md.
import type { DimensionModel } from './parcoords-trace.ts';

export interface ChartsHook {
  set?: { mode: string; runIds: string[]; total: number; capped: boolean };
  parcoords?: {
    runIds: string[];
    colorBy: string | null;
    dimensions: (Pick<DimensionModel, 'key' | 'label' | 'type' | 'log' | 'range' | 'tickvals' | 'ticktext'> & {
      values: number[];
      constraintrange: unknown;
    })[];
  };
  scatter?: { x: string; y: string; color: string | null; size: string | null; gl: boolean; points: { runId: string; x: number; y: number }[]; skipped: string[] };
  curves?: {
    x: string;
    smoothing: number;
    logY: boolean;
    grouped: boolean;
    runIds: string[];
    metrics: Record<string, { runs: { runId: string; points: number; drawn: number; last: number; min: number; max: number }[]; missing: string[]; totalPoints: number; drawnPoints: number }>;
  };
  diff?: { runIds: string[]; onlyDiff: boolean; sections: Record<string, string[]> };
  groups?: { by: string | null; groups: { value: string; runIds: string[] }[] };
  best?: { metric: string | null; direction: string; runId: string | null };
}

declare global {
  interface Window {
    __runsightCharts?: ChartsHook;
  }
}

export function publish<K extends keyof ChartsHook>(key: K, value: ChartsHook[K] | undefined): void {
  const hook = (window.__runsightCharts ??= {});
  if (value === undefined) delete hook[key];
  else hook[key] = value;
}
