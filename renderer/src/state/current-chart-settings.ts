// The current scope's compare-view settings (core/chart-settings.ts reads them from the persisted
// scope settings, `charts`), shared by the compare views and the runs table (its "Group by", stars and
// "best" marks), and the updates to them.
import { readChartSettings, withChartView, type ChartSettings, type ChartView } from '../core/chart-settings.ts';
import { currentScope } from './runs-loader.ts';
import { scopeSettingsFor } from './scope-settings-slice.ts';
import { useApp, type AppState } from './store.ts';

const settingsCache = new WeakMap<object, ChartSettings>();
const EMPTY = {};

/** The current scope's chart settings (normalized, memoized per persisted object). */
export function chartSettings(s: AppState): ChartSettings {
  const raw = scopeSettingsFor(s, currentScope(s)).charts ?? EMPTY;
  let out = settingsCache.get(raw);
  if (!out) {
    out = readChartSettings(raw);
    settingsCache.set(raw, out);
  }
  return out;
}

export function updateChart<V extends ChartView>(view: V, patch: Partial<ChartSettings[V]> | ChartSettings[V]): void {
  const s = useApp.getState();
  const scope = currentScope(s);
  if (!scope) return;
  const cur = chartSettings(s)[view];
  const value = (Array.isArray(cur) ? patch : { ...(cur as object), ...(patch as object) }) as ChartSettings[V];
  s.updateScopeSettings(scope, { charts: withChartView(scopeSettingsFor(s, scope).charts, view, value) });
}

/** Starred runs belong to the compare set whatever the filter. */
export function isPinned(s: AppState, runId: string): boolean {
  return chartSettings(s).pinned.includes(runId);
}

export function togglePinned(runId: string): void {
  const pinned = chartSettings(useApp.getState()).pinned;
  updateChart('pinned', pinned.includes(runId) ? pinned.filter((x) => x !== runId) : [...pinned, runId]);
}

/** The run that wins "best by", while a metric is chosen. */
export function isBestRun(s: AppState, runId: string): boolean {
  return !!chartSettings(s).best.metric && s.best?.runId === runId;
}
