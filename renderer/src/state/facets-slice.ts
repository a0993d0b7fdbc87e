// Persisted view settings (localStorage), remembered per experiment selection ("scope": one
// store + a set of experiments), like MLflow remembers a view per experiment. Only settings the
// user chose live here; what the data is (rows, columns available) is never persisted.
import type { StateCreator } from 'zustand';
import type { SortSpec } from '../core/column-keys.ts';
import type { AppState } from './store.ts';

export interface FacetSettings {
  /** The last filter that parsed (a rejected one is never stored). */
  filter: string;
  /** null: the default order (newest first). */
  sort: SortSpec | null;
  /** Visible columns in order; null: the defaults for whatever keys the runs have. */
  columns: string[] | null;
  /** px, by column key. */
  widths: Record<string, number>;
  /**
   * Reserved for the compare views (issue 4: axes, colors, smoothing): each view keeps its
   * settings under its own key so adding one never migrates the others.
   */
  charts?: Record<string, unknown>;
}

export const DEFAULT_FACETS: FacetSettings = { filter: '', sort: null, columns: null, widths: {} };

export interface ScopeRef {
  storeId: string;
  experimentIds: string[];
}

export interface FacetsSlice {
  facets: Record<string, FacetSettings>;
  /** Last experiment selection per project folder, restored when it is reopened. */
  lastScope: Record<string, ScopeRef>;
  /** Panel sizes in px (null: the responsive default). */
  layout: { detailWidth: number | null };
  updateFacets(scope: string, patch: Partial<FacetSettings>): void;
  setDetailWidth(width: number | null): void;
  rememberScope(project: string, scope: ScopeRef): void;
}

export const createFacetsSlice: StateCreator<AppState, [], [], FacetsSlice> = (set) => ({
  facets: {},
  lastScope: {},
  layout: { detailWidth: null },
  setDetailWidth: (detailWidth) => set((s) => ({ layout: { ...s.layout, detailWidth } })),
  updateFacets: (scope, patch) =>
    set((s) => ({ facets: { ...s.facets, [scope]: { ...DEFAULT_FACETS, ...s.facets[scope], ...patch } } })),
  rememberScope: (project, scope) => set((s) => ({ lastScope: { ...s.lastScope, [project]: scope } })),
});

export function facetsFor(state: Pick<FacetsSlice, 'facets'>, scope: string | null): FacetSettings {
  return (scope && state.facets[scope]) || DEFAULT_FACETS;
}
