// The one zustand store, in slices (architecture.md): status (backend + project), facets
// (persisted view settings), view (ephemeral selection and panels), runs (table data), detail,
// compare (the compare views' data; their settings are facets).
import { create } from 'zustand';
import { persist, type PersistStorage } from 'zustand/middleware';
import { createCompareSlice, type CompareSlice } from './compare-slice.ts';
import { createDetailSlice, type DetailSlice } from './detail-slice.ts';
import { createFacetsSlice, type FacetsSlice } from './facets-slice.ts';
import { createRunsSlice, type RunsSlice } from './runs-slice.ts';
import { createStatusSlice, type StatusSlice } from './status-slice.ts';
import { createViewSlice, type ViewSlice } from './view-slice.ts';

export type AppState = StatusSlice & FacetsSlice & ViewSlice & RunsSlice & DetailSlice & CompareSlice;

export const FACETS_STORAGE_KEY = 'runsight.facets.v1';

type Persisted = Pick<AppState, 'facets' | 'lastScope' | 'layout'>;

/**
 * persist() writes on every state change, and the table changes state on every scroll frame;
 * writing localStorage only when the persisted part changed keeps scrolling cheap.
 */
function changeOnlyStorage(): PersistStorage<Persisted> {
  let last: string | null = null;
  return {
    getItem: (name) => {
      const raw = localStorage.getItem(name);
      last = raw;
      if (raw === null) return null;
      try {
        return JSON.parse(raw) as { state: Persisted; version?: number };
      } catch {
        return null;
      }
    },
    setItem: (name, value) => {
      const raw = JSON.stringify(value);
      if (raw === last) return;
      last = raw;
      try {
        localStorage.setItem(name, raw);
      } catch {
        // Storage full or disabled: settings then last for this session only.
      }
    },
    removeItem: (name) => {
      last = null;
      localStorage.removeItem(name);
    },
  };
}

export const useApp = create<AppState>()(
  persist(
    (...a) => ({
      ...createStatusSlice(...a),
      ...createFacetsSlice(...a),
      ...createViewSlice(...a),
      ...createRunsSlice(...a),
      ...createDetailSlice(...a),
      ...createCompareSlice(...a),
    }),
    {
      name: FACETS_STORAGE_KEY,
      version: 1,
      storage: changeOnlyStorage(),
      partialize: (s) => ({ facets: s.facets, lastScope: s.lastScope, layout: s.layout }),
    },
  ),
);
