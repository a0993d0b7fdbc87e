// App-level actions: connecting to the backend, opening projects, choosing experiments, and
// wiring the backend's events to re-queries. The runs table's own fetching is in
// state/runs-loader.ts, the detail panel's in state/detail-loader.ts.
import type { ExperimentSummary, IndexChangedEvent, IndexProgressEvent } from '../../../preload/api.ts';
import { call, on } from '../bridge/client.ts';
import { DEFAULT_SORT, nextSort, type SortSpec } from '../core/column-keys.ts';
import { emptyCache } from '../core/page-cache.ts';
import type { Lifecycle } from '../core/runs-query.ts';
import { EMPTY_SELECTION } from '../core/selection.ts';
import { loadDetail } from './detail-loader.ts';
import { currentScope, refreshColumns, refreshRuns, runQuery } from './runs-loader.ts';
import { scopeSettingsFor, type ScopeSettings } from './scope-settings-slice.ts';
import { useApp } from './store.ts';

const set = useApp.setState;
const get = useApp.getState;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Stores still being read. Discovery is reported under the project folder's path and never gets
 * a 'ready' of its own, so it is over once any store reports or the stores are known.
 */
function progressMap(list: IndexProgressEvent[], storesKnown: boolean): Record<string, IndexProgressEvent> {
  const out: Record<string, IndexProgressEvent> = {};
  const discoveryOver = storesKnown || list.some((p) => p.phase !== 'discovering');
  for (const p of list) {
    if (p.phase === 'ready' || (p.phase === 'discovering' && discoveryOver)) continue;
    out[p.storeId] = p;
  }
  return out;
}

/** Marks the page not ready for tests until the first table page of a project has painted. */
export function setReady(ready: boolean): void {
  document.body.dataset.ready = ready ? 'true' : 'false';
  if (!ready) setFirstRows(false);
}

/** Marks the first table page of a project painted, while its stores may still be read. */
export function setFirstRows(painted: boolean): void {
  document.body.dataset.firstRows = painted ? 'true' : 'false';
}

let started = false;

export async function startApp(): Promise<void> {
  if (started) return;
  started = true;
  setReady(false);
  on('indexChanged', onIndexChanged);
  on('indexProgress', onIndexProgress);
  on('diagnosticsChanged', ({ count }) => {
    set({ diagnosticsCount: count });
    void loadDiagnostics();
  });
  try {
    const st = await call('getStatus', {});
    set({
      host: st.host,
      version: st.version,
      project: st.project,
      stores: st.stores,
      generation: st.generation,
      indexing: progressMap(st.indexing, st.stores.length > 0),
      diagnosticsCount: st.diagnosticsCount,
      connectionError: null,
    });
    void loadRecentProjects();
    if (st.project) await afterProjectOpened();
  } catch (e) {
    set({ connectionError: message(e) });
  }
}

export async function loadRecentProjects(): Promise<void> {
  try {
    const { paths } = await call('listRecentProjects', {});
    set({ recentProjects: paths });
  } catch {
    // Recent projects are a convenience; the path field still works.
  }
}

export async function openProject(path: string): Promise<boolean> {
  const target = path.trim();
  if (!target) return false;
  set({ opening: true, openError: null });
  setReady(false);
  try {
    await call('openProject', { path: target });
    const st = await call('getStatus', {});
    set({ project: st.project, stores: st.stores, generation: st.generation, indexing: progressMap(st.indexing, true), diagnosticsCount: st.diagnosticsCount, opening: false, panel: null });
    void loadRecentProjects();
    await afterProjectOpened();
    return true;
  } catch (e) {
    set({ opening: false, openError: message(e) });
    return false;
  }
}

export async function pickAndOpenProject(): Promise<void> {
  try {
    const { path } = await call('pickFolder', {});
    if (path) await openProject(path);
  } catch (e) {
    set({ openError: message(e) });
  }
}

/** Sentinel query key while a project's experiments load: nothing shown belongs to it yet. */
const OPENING = '\u0000opening';

async function afterProjectOpened(): Promise<void> {
  set((s) => ({
    projectEpoch: s.projectEpoch + 1,
    query: null,
    queryKey: OPENING,
    topFilter: null,
    cache: emptyCache(''),
    nested: null,
    experimentsLoaded: false,
    selection: EMPTY_SELECTION,
    expanded: new Set<string>(),
    detail: null,
    detailOpen: false,
    storeId: null,
    experimentIds: [],
    filterError: null,
    diagnostics: null,
  }));
  await loadExperiments();
  chooseInitialScope();
  await Promise.all([runQuery({ force: true }), refreshColumns()]);
  void loadDiagnostics();
}

export async function loadExperiments(): Promise<void> {
  const epoch = get().projectEpoch;
  try {
    const experiments = await call('listExperiments', { lifecycle: 'all' });
    if (get().projectEpoch === epoch) set({ experiments, experimentsLoaded: true });
  } catch (e) {
    set({ queryError: message(e) });
  }
}

/**
 * Opens on the remembered experiments, else on the experiment with the most runs (ties: the
 * newest) — the Default experiment only when nothing else has any (usually a leftover).
 */
function chooseInitialScope(): void {
  const s = get();
  const exps = s.experiments;
  const remembered = s.project ? s.lastScope[s.project] : undefined;
  if (remembered) {
    const ids = remembered.experimentIds.filter((id) => exps.some((e) => e.storeId === remembered.storeId && e.experimentId === id));
    if (ids.length > 0) {
      set({ storeId: remembered.storeId, experimentIds: ids });
      return;
    }
  }
  // While a store is still read, its runs are counted by the folders found (they only arrive
  // batch by batch): the choice is the one the finished store would make.
  const runs = (e: ExperimentSummary) => Math.max(e.runCounts.active, s.indexing[e.storeId]?.runFolders?.[e.experimentId] ?? 0);
  const active = exps.filter((e) => e.lifecycleStage === 'active');
  const withRuns = active.filter((e) => runs(e) > 0);
  const best = (list: ExperimentSummary[]) =>
    [...list].sort((a, b) => runs(b) - runs(a) || (b.creationTime ?? 0) - (a.creationTime ?? 0))[0];
  const pick = best(withRuns.filter((e) => e.experimentId !== '0')) ?? withRuns[0] ?? active[0] ?? exps[0];
  if (pick) set({ storeId: pick.storeId, experimentIds: [pick.experimentId] });
}

/** Click on an experiment: `toggle` adds/removes it (same store only), else it alone is shown. */
export function selectExperiment(exp: ExperimentSummary, toggle: boolean): void {
  const s = get();
  let ids: string[];
  if (toggle && s.storeId === exp.storeId) {
    ids = s.experimentIds.includes(exp.experimentId)
      ? s.experimentIds.filter((id) => id !== exp.experimentId)
      : [...s.experimentIds, exp.experimentId];
    if (ids.length === 0) return;
  } else ids = [exp.experimentId];
  const storeChanged = s.storeId !== exp.storeId;
  set({
    storeId: exp.storeId,
    experimentIds: ids,
    filterError: null,
    ...(storeChanged ? { selection: EMPTY_SELECTION, expanded: new Set<string>(), detailOpen: false } : {}),
  });
  if (s.project) get().rememberScope(s.project, { storeId: exp.storeId, experimentIds: ids });
  void runQuery();
  void refreshColumns();
}

export function setLifecycle(lifecycle: Lifecycle): void {
  if (get().lifecycle === lifecycle) return;
  set({ lifecycle });
  void runQuery();
}

export function updateCurrentScopeSettings(patch: Partial<ScopeSettings>): void {
  const scope = currentScope(get());
  if (scope) get().updateScopeSettings(scope, patch);
}

export function sortBy(columnKey: string): void {
  const s = get();
  const f = scopeSettingsFor(s, currentScope(s));
  // The default order counts as a sort: clicking Created first flips it to ascending.
  const sort: SortSpec = nextSort(f.sort ?? DEFAULT_SORT, columnKey);
  updateCurrentScopeSettings({ sort });
  void runQuery();
}

export async function loadDiagnostics(): Promise<void> {
  try {
    const diagnostics = await call('listDiagnostics', {});
    // Notices (how a store is watched) are listed but are not problems: the badge counts problems.
    set({ diagnostics, diagnosticsCount: diagnostics.filter((d) => d.severity !== 'notice').length });
  } catch {
    // The count from getStatus / diagnosticsChanged stays meaningful without the list.
  }
}

let experimentsTimer: ReturnType<typeof setTimeout> | null = null;

function onIndexChanged(ev: IndexChangedEvent): void {
  const s = get();
  set({ generation: Math.max(s.generation, ev.generation) });
  if (!experimentsTimer) {
    // Run counts: at most twice a second, however fast a training loop logs.
    experimentsTimer = setTimeout(() => {
      experimentsTimer = null;
      void loadExperiments();
    }, 500);
  }
  if (ev.storeId !== s.storeId) return;
  // A change confined to experiments not shown cannot change the table.
  const touchesShown = ev.experimentIds.length === 0 || ev.experimentIds.some((id) => s.experimentIds.includes(id));
  if (touchesShown) void refreshRuns(ev.generation);
  void refreshColumns({ soon: true });
  const d = s.detail;
  if (d && d.storeId === ev.storeId && (ev.runIds.length === 0 || ev.runIds.includes(d.runId))) {
    void loadDetail(d.storeId, d.runId, { refresh: true });
  }
}

/**
 * A store's experiments arrived ahead of its runs (`complete` false) or its first read is over:
 * list the stores and experiments again — the list from startup's getStatus can predate discovery
 * ("No MLflow store found") — open a scope if the project has none, and refresh what is shown,
 * which may have been partial while the store was read.
 */
async function catchUpWithStores(complete: boolean): Promise<void> {
  const epoch = get().projectEpoch;
  const [st] = await Promise.all([call('getStatus', {}).catch(() => null), loadExperiments()]);
  if (get().projectEpoch !== epoch) return;
  if (st) set({ stores: st.stores });
  if (!get().storeId) {
    chooseInitialScope();
    void runQuery();
  } else if (complete && st) void refreshRuns(st.generation);
  void refreshColumns();
}

/** A catch-up for a store still streaming in is under way (progress events come many a second). */
let earlyCatchUp = false;

function onIndexProgress(p: IndexProgressEvent): void {
  const indexing = progressMap([...Object.values(get().indexing).filter((x) => x.storeId !== p.storeId), p], false);
  set({ indexing });
  // The table fills while the store streams in (startup only: a project opened from the picker
  // waits for openProject's answer); the 'ready' below completes it.
  if (p.phase === 'reading' && p.runFolders && !get().storeId && !get().opening && get().project && !earlyCatchUp) {
    earlyCatchUp = true;
    void catchUpWithStores(false).finally(() => {
      earlyCatchUp = false;
    });
  }
  if (p.phase === 'ready') void catchUpWithStores(true);
}
