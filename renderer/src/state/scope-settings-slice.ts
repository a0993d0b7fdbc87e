// Persisted view settings (localStorage), remembered per experiment selection ("scope": one
// store + a set of experiments), like MLflow remembers a view per experiment. Only settings the
// user chose live here; what the data is (rows, columns available) is never persisted.
import type { StateCreator } from 'zustand';
import type { SortSpec } from '../core/column-keys.ts';
import type { AppState } from './store.ts';

export interface ScopeSettings {
  /** The last filter that parsed (a rejected one is never stored). */
  filter: string;
  /** null: the default order (newest first). */
  sort: SortSpec | null;
  /** Visible columns in order; null: the defaults for whatever keys the runs have. */
  columns: string[] | null;
  /** px, by column key. */
  widths: Record<string, number>;
  /**
   * Reserved for the compare views (axes, colors, smoothing): each view keeps its
   * settings under its own key so adding one never migrates the others.
   */
  charts?: Record<string, unknown>;
}

export const DEFAULT_SCOPE_SETTINGS: ScopeSettings = { filter: '', sort: null, columns: null, widths: {} };

export interface ScopeRef {
  storeId: string;
  experimentIds: string[];
}

export interface ScopeSettingsSlice {
  /** By scope key (runs-query.ts scopeKey). */
  scopeSettings: Record<string, ScopeSettings>;
  /** Last experiment selection per project folder, restored when it is reopened. */
  lastScope: Record<string, ScopeRef>;
  /** Panel sizes in px (null: the responsive default). */
  layout: { detailWidth: number | null };
  updateScopeSettings(scope: string, patch: Partial<ScopeSettings>): void;
  setDetailWidth(width: number | null): void;
  rememberScope(project: string, scope: ScopeRef): void;
}

export const createScopeSettingsSlice: StateCreator<AppState, [], [], ScopeSettingsSlice> = (set) => ({
  scopeSettings: {},
  lastScope: {},
  layout: { detailWidth: null },
  setDetailWidth: (detailWidth) => set((s) => ({ layout: { ...s.layout, detailWidth } })),
  updateScopeSettings: (scope, patch) =>
    set((s) => ({ scopeSettings: { ...s.scopeSettings, [scope]: { ...DEFAULT_SCOPE_SETTINGS, ...s.scopeSettings[scope], ...patch } } })),
  rememberScope: (project, scope) => set((s) => ({ lastScope: { ...s.lastScope, [project]: scope } })),
});

export function scopeSettingsFor(state: Pick<ScopeSettingsSlice, 'scopeSettings'>, scope: string | null): ScopeSettings {
  return (scope && state.scopeSettings[scope]) || DEFAULT_SCOPE_SETTINGS;
}
