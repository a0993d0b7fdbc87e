// Ephemeral view state: what is selected and which panels are open. Never persisted (a restart
// starts with nothing selected), but kept across live updates — everything is by run id.
import type { StateCreator } from 'zustand';
import type { Lifecycle } from '../core/runs-query.ts';
import { EMPTY_SELECTION, type Selection } from '../core/selection.ts';
import type { AppState } from './store.ts';

export type Panel = 'project' | 'diagnostics' | 'columns' | null;
export type DetailTab = 'overview' | 'artifacts';

export interface ViewSlice {
  storeId: string | null;
  experimentIds: string[];
  lifecycle: Lifecycle;
  selection: Selection;
  /** Parents whose nested runs are shown. */
  expanded: ReadonlySet<string>;
  /**
   * Grouped table: the groups showing their runs (groupValueKey), for the column grouped by.
   * Kept across live updates and re-sorts; a new group-by column starts collapsed.
   */
  groupExpanded: { by: string | null; keys: ReadonlySet<string> };
  detailOpen: boolean;
  detailTab: DetailTab;
  panel: Panel;
  setSelection(sel: Selection): void;
  toggleExpanded(runId: string): void;
  setGroupExpanded(by: string, keys: ReadonlySet<string>): void;
  setPanel(panel: Panel): void;
  setDetailOpen(open: boolean): void;
  setDetailTab(tab: DetailTab): void;
}

export const createViewSlice: StateCreator<AppState, [], [], ViewSlice> = (set) => ({
  storeId: null,
  experimentIds: [],
  lifecycle: 'active',
  selection: EMPTY_SELECTION,
  expanded: new Set(),
  groupExpanded: { by: null, keys: new Set() },
  detailOpen: false,
  detailTab: 'overview',
  panel: null,
  setSelection: (selection) => set({ selection, detailOpen: selection.focus !== null }),
  toggleExpanded: (runId) =>
    set((s) => {
      const expanded = new Set(s.expanded);
      if (expanded.has(runId)) expanded.delete(runId);
      else expanded.add(runId);
      return { expanded };
    }),
  setGroupExpanded: (by, keys) => set({ groupExpanded: { by, keys } }),
  setPanel: (panel) => set((s) => ({ panel: s.panel === panel ? null : panel })),
  setDetailOpen: (detailOpen) => set({ detailOpen }),
  setDetailTab: (detailTab) => set({ detailTab }),
});
