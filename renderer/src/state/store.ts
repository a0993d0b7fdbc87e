// The one zustand store, in slices (architecture.md): status (backend + project), facets
// (persisted view settings), view (ephemeral selection and panels), runs (table data), detail.
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { createDetailSlice, type DetailSlice } from './detail-slice.ts';
import { createFacetsSlice, type FacetsSlice } from './facets-slice.ts';
import { createRunsSlice, type RunsSlice } from './runs-slice.ts';
import { createStatusSlice, type StatusSlice } from './status-slice.ts';
import { createViewSlice, type ViewSlice } from './view-slice.ts';

export type AppState = StatusSlice & FacetsSlice & ViewSlice & RunsSlice & DetailSlice;

export const FACETS_STORAGE_KEY = 'runsight.facets.v1';

export const useApp = create<AppState>()(
  persist(
    (...a) => ({
      ...createStatusSlice(...a),
      ...createFacetsSlice(...a),
      ...createViewSlice(...a),
      ...createRunsSlice(...a),
      ...createDetailSlice(...a),
    }),
    {
      name: FACETS_STORAGE_KEY,
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ facets: s.facets, lastScope: s.lastScope }),
    },
  ),
);
