// The one zustand store, in slices (renderer/README.md): status (backend + project), scope
// settings (persisted view settings per experiment selection), view (ephemeral selection and
// panels), runs (table data), detail, compare (the compare views' data; their settings are scope
// settings).
import { create } from 'zustand';
import { persist, type PersistStorage } from 'zustand/middleware';
import { createCompareSlice, type CompareSlice } from './compare-slice.ts';
import { createDetailSlice, type DetailSlice } from './detail-slice.ts';
import { createRunsSlice, type RunsSlice } from './runs-slice.ts';
import { createScopeSettingsSlice, type ScopeSettingsSlice } from './scope-settings-slice.ts';
import { createStatusSlice, type StatusSlice } from './status-slice.ts';
import { createViewSlice, type ViewSlice } from './view-slice.ts';

export type AppState = StatusSlice & ScopeSettingsSlice & ViewSlice & RunsSlice & DetailSlice & CompareSlice;

export const SETTINGS_STORAGE_KEY = 'runsight.facets.v1';

/**
 * What localStorage holds. The scope settings are stored under their first name, `facets`, so the
 * settings saved by earlier versions keep loading.
 */
type Persisted = { facets: AppState['scopeSettings'] } & Pick<AppState, 'lastScope' | 'layout'>;

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
      ...createScopeSettingsSlice(...a),
      ...createViewSlice(...a),
      ...createRunsSlice(...a),
      ...createDetailSlice(...a),
      ...createCompareSlice(...a),
    }),
    {
      name: SETTINGS_STORAGE_KEY,
      version: 1,
      storage: changeOnlyStorage(),
      partialize: (s) => ({ facets: s.scopeSettings, lastScope: s.lastScope, layout: s.layout }),
      // persist's own shallow merge, with `facets` read back as the scope settings.
      merge: (persisted, current) => {
        const { facets, ...rest } = (persisted ?? {}) as Partial<Persisted>;
        return { ...current, ...rest, ...(facets === undefined ? {} : { scopeSettings: facets }) };
      },
    },
  ),
);
