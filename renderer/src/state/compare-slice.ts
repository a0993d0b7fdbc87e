// Data behind the compare views (features/compare): the runs they plot, metric histories for the
// curves, the run under the pointer, brushes and what they do to the table, and the "best by"
// winner. Ephemeral, like the table's data; the views' settings live in the scope settings
// (`charts`). Written only by features/compare/compare-loader.ts and the views' event handlers.
import type { StateCreator } from 'zustand';
import type { MetricPoint, RunRow } from '../../../preload/api.ts';
import type { Brush } from '../core/brush.ts';
import type { AppState } from './store.ts';

export interface CompareRows {
  /** Identity of the set (scope, lifecycle, filter, pinned runs). */
  key: string;
  /** Runs matching the filter (table order, up to the cap), then starred runs that do not match. */
  rows: RunRow[];
  /** Runs matching the filter, including those beyond the cap. */
  total: number;
  capped: boolean;
  generation: number;
}

export interface BrushState {
  /** The experiment selection the brushes belong to (a different one starts without). */
  scope: string;
  brushes: Brush[];
  /** What the table adds to its query: a filter clause and/or a run-id restriction. */
  clause: string;
  runIds: string[] | null;
}

export interface CompareSlice {
  compareRows: CompareRows | null;
  compareLoading: boolean;
  compareError: string | null;
  /** Rows of selected runs outside `compareRows` (filtered out since), by run id. */
  selectionRows: Record<string, RunRow>;
  /** Full metric histories: runId → metric key → points, and which store they are from. */
  histories: { storeId: string; data: Record<string, Record<string, MetricPoint[]>>; version: number };
  historiesLoading: boolean;
  /** The run under the pointer, in the table or any chart, and where the pointer is. */
  hoverRunId: string | null;
  hoverSource: string | null;
  brush: BrushState | null;
  /** "Best by" winner for the current scope and settings. */
  best: { key: string; runId: string | null; runName: string | null; value: number | null } | null;
  setHoverRunId(runId: string | null, source?: string): void;
}

export const createCompareSlice: StateCreator<AppState, [], [], CompareSlice> = (set, get) => ({
  compareRows: null,
  compareLoading: false,
  compareError: null,
  selectionRows: {},
  histories: { storeId: '', data: {}, version: 0 },
  historiesLoading: false,
  hoverRunId: null,
  hoverSource: null,
  brush: null,
  best: null,
  setHoverRunId: (hoverRunId, source = 'table') => {
    const s = get();
    if (s.hoverRunId !== hoverRunId || (hoverRunId !== null && s.hoverSource !== source)) set({ hoverRunId, hoverSource: hoverRunId === null ? null : source });
  },
});
