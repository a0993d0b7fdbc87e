// Everything the compare views fetch, and the actions that change what the table shows.
//
// The compare set is every run matching the user's filter (not the brushes: a brushed axis must
// still show the lines outside the brush, or the brush could never be widened), in the table's
// order, up to COMPARE_CAP runs, plus the starred runs whatever the filter. Live changes
// (indexChanged) re-fetch only the runs that changed when the event names them, so a training
// loop logging every second does not re-download thousands of rows.
import type { IndexChangedEvent, RunRow } from '../../../../preload/api.ts';
import { call, on } from '../../bridge/client.ts';
import { tableRestriction, type Brush } from '../../core/brush.ts';
import { columnData, type ColumnData } from '../../core/column-data.ts';
import { formatIdentifier } from '../../core/column-keys.ts';
import { andFilter } from '../../core/runs-query.ts';
import { chartSettings } from '../../state/current-chart-settings.ts';
import { currentScope, currentTableQuery, runQuery } from '../../state/runs-loader.ts';
import { scopeSettingsFor } from '../../state/scope-settings-slice.ts';
import { useApp, type AppState } from '../../state/store.ts';
import { bestRun, finiteClause } from './best-run.ts';

/** Most runs the charts load (table order); beyond it the view says how many are left out. */
export const COMPARE_CAP = 20_000;
const PAGE = 5000;
/** Histories per getMetricHistory call (the contract allows 1000 runs). */
const HISTORY_CHUNK = 100;
/** Runs whose histories are kept beyond the ones on screen. */
const HISTORY_KEEP = 1500;
/** Most runs metric curves overlay. */
export const CURVES_CAP = 1000;

const set = useApp.setState;
const get = useApp.getState;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- the compare set -----------------------------------------------------------------------

interface CompareQuery {
  key: string;
  storeId: string;
  experimentIds: string[];
  lifecycle: AppState['lifecycle'];
  filter: string;
  orderBy: string[];
  pinned: string[];
}

export function compareQuery(s: AppState): CompareQuery | null {
  const scope = currentScope(s);
  const tq = currentTableQuery(s);
  if (!scope || !s.storeId || !tq) return null;
  const filter = scopeSettingsFor(s, scope).filter;
  const pinned = [...chartSettings(s).pinned].sort();
  const base = { storeId: s.storeId, experimentIds: [...s.experimentIds].sort(), lifecycle: s.lifecycle, filter, orderBy: tq.orderBy };
  return { ...base, pinned, key: JSON.stringify([base.storeId, base.experimentIds, base.lifecycle, filter.trim(), tq.orderBy, pinned]) };
}

let rowsSeq = 0;

/** (Re)loads the compare set when its query changed (or always with `force`). */
export async function loadCompareRows(opts: { force?: boolean } = {}): Promise<void> {
  const s = get();
  const q = compareQuery(s);
  if (!q) {
    set({ compareRows: null, compareLoading: false });
    return;
  }
  if (!opts.force && s.compareRows?.key === q.key) return;
  const seq = ++rowsSeq;
  set({ compareLoading: true, compareError: null });
  const base = { storeId: q.storeId, experimentIds: q.experimentIds, lifecycle: q.lifecycle, orderBy: q.orderBy };
  try {
    const first = await call('queryRuns', { ...base, filter: q.filter, offset: 0, limit: PAGE });
    const rows = [...first.rows];
    let generation = first.generation;
    const want = Math.min(first.total, COMPARE_CAP);
    // The other pages all at once: the backend answers them in order, and the renderer decodes one
    // page while the next is being built (10k runs: two round trips overlap instead of queueing).
    const offsets: number[] = [];
    for (let o = rows.length; o < want; o += PAGE) offsets.push(o);
    const pages = await Promise.all(offsets.map((offset) => call('queryRuns', { ...base, filter: q.filter, offset, limit: Math.min(PAGE, want - offset) })));
    if (seq !== rowsSeq) return;
    // A run logged between two pages shifts the later ones by one: never list a run twice (the
    // live refresh that follows the index change brings in what shifted out).
    const have = new Set(rows.map((r) => r.runId));
    for (const page of pages) {
      for (const r of page.rows) {
        if (have.has(r.runId)) continue;
        have.add(r.runId);
        rows.push(r);
      }
      generation = Math.min(generation, page.generation);
    }
    const extraIds = q.pinned.filter((id) => !have.has(id));
    if (extraIds.length > 0) {
      const pinned = await call('queryRuns', { ...base, filter: '', runIds: extraIds, offset: 0, limit: extraIds.length });
      rows.push(...pinned.rows);
    }
    if (seq !== rowsSeq) return;
    set({ compareRows: { key: q.key, rows, total: first.total, capped: first.total > COMPARE_CAP, generation }, compareLoading: false });
    performance.mark('runsight:compare:rows');
  } catch (e) {
    if (seq === rowsSeq) set({ compareLoading: false, compareError: message(e) });
  }
}

let pendingIds: Set<string> | null = null;
let pendingAll = false;
let flushTimer: ReturnType<typeof setTimeout> | null = null;
let flushing = false;

/** Keeps the compare data live while it is shown; returns the unsubscribe. */
export function followIndexChanges(): () => void {
  return on('indexChanged', onIndexChanged);
}

/** indexChanged for the current store: refresh the changed runs (batched, ≤ 4 times a second). */
function onIndexChanged(ev: IndexChangedEvent): void {
  const s = get();
  if (ev.storeId !== s.storeId) return;
  if (ev.experimentIds.length > 0 && !ev.experimentIds.some((id) => s.experimentIds.includes(id))) return;
  if (ev.runIds.length === 0 || ev.runIds.length > 500) pendingAll = true;
  else {
    pendingIds ??= new Set();
    for (const id of ev.runIds) pendingIds.add(id);
  }
  if (!flushTimer) flushTimer = setTimeout(() => void flush(), 250);
}

async function flush(): Promise<void> {
  flushTimer = null;
  if (flushing) {
    flushTimer = setTimeout(() => void flush(), 250);
    return;
  }
  flushing = true;
  const all = pendingAll;
  const ids = pendingIds ? [...pendingIds] : [];
  pendingAll = false;
  pendingIds = null;
  try {
    if (get().compareRows) {
      if (all) await loadCompareRows({ force: true });
      else await refreshRows(ids);
    }
    await refreshHistories(all ? null : ids);
    await loadSelectionRows({ refresh: all ? null : ids });
  } finally {
    flushing = false;
  }
}

async function refreshRows(ids: string[]): Promise<void> {
  const s = get();
  const q = compareQuery(s);
  const cur = s.compareRows;
  if (!q || !cur || cur.key !== q.key || ids.length === 0) return;
  const seq = rowsSeq;
  const base = { storeId: q.storeId, experimentIds: q.experimentIds, lifecycle: q.lifecycle, orderBy: q.orderBy };
  try {
    const [matching, count, pinned] = await Promise.all([
      call('queryRuns', { ...base, filter: q.filter, runIds: ids, offset: 0, limit: ids.length }),
      call('queryRuns', { ...base, filter: q.filter, offset: 0, limit: 0 }),
      call('queryRuns', { ...base, filter: '', runIds: ids.filter((id) => q.pinned.includes(id)), offset: 0, limit: ids.length }),
    ]);
    const now = get().compareRows;
    if (seq !== rowsSeq || !now || now.key !== q.key) return;
    const fresh = new Map<string, RunRow>();
    for (const r of pinned.rows) fresh.set(r.runId, r);
    for (const r of matching.rows) fresh.set(r.runId, r);
    const changed = new Set(ids);
    const rows: RunRow[] = [];
    for (const r of now.rows) {
      if (!changed.has(r.runId)) rows.push(r);
      else {
        const f = fresh.get(r.runId);
        if (f) rows.push(f);
        fresh.delete(r.runId);
      }
    }
    // New arrivals: the newest runs lead the default order, so they go first.
    const arrivals = [...fresh.values()];
    const capped = count.total > COMPARE_CAP;
    const next = capped ? [...arrivals, ...rows].slice(0, COMPARE_CAP + q.pinned.length) : [...arrivals, ...rows];
    set({ compareRows: { ...now, rows: next, total: count.total, capped, generation: Math.max(now.generation, matching.generation) } });
  } catch (e) {
    set({ compareError: message(e) });
  }
}

/** Rows of selected runs that are not in the compare set (the filter no longer matches them). */
export async function loadSelectionRows(opts: { refresh?: string[] | null } = {}): Promise<void> {
  const s = get();
  if (!s.storeId) return;
  const inSet = new Set(s.compareRows?.rows.map((r) => r.runId) ?? []);
  const have = s.selectionRows;
  const refresh = opts.refresh === undefined ? new Set<string>() : opts.refresh === null ? null : new Set(opts.refresh);
  const want = s.selection.selected.filter((id) => !inSet.has(id) && (!have[id] || refresh === null || refresh.has(id))).slice(0, CURVES_CAP);
  if (want.length === 0) return;
  try {
    const res = await call('queryRuns', { storeId: s.storeId, experimentIds: [], lifecycle: 'all', runIds: want, offset: 0, limit: want.length });
    const next = { ...get().selectionRows };
    for (const r of res.rows) next[r.runId] = r;
    set({ selectionRows: next });
  } catch {
    // The charts then show what is in the compare set; nothing else depends on these rows.
  }
}

// ---- metric histories ----------------------------------------------------------------------

const historyInFlight = new Set<string>();

/** Loads the full histories of `keys` for `runIds` that are not loaded yet. */
export async function ensureHistories(runIds: readonly string[], keys: readonly string[], opts: { reload?: boolean } = {}): Promise<void> {
  const s = get();
  const storeId = s.storeId;
  if (!storeId || runIds.length === 0 || keys.length === 0) return;
  const data = s.histories.storeId === storeId ? s.histories.data : {};
  const need = runIds.filter((id) => opts.reload || keys.some((k) => !data[id]?.[k] && !historyInFlight.has(`${id}\n${k}`)));
  if (need.length === 0) return;
  for (const id of need) for (const k of keys) historyInFlight.add(`${id}\n${k}`);
  set({ historiesLoading: true });
  try {
    for (let i = 0; i < need.length; i += HISTORY_CHUNK) {
      const chunk = need.slice(i, i + HISTORY_CHUNK);
      const res = await call('getMetricHistory', { storeId, runIds: chunk, keys: [...keys] });
      const cur = get();
      if (cur.storeId !== storeId) return;
      const base = cur.histories.storeId === storeId ? cur.histories.data : {};
      let next = { ...base };
      // Histories of runs no longer drawn are dropped once many are held (they are re-read if
      // those runs are drawn again).
      if (Object.keys(next).length > HISTORY_KEEP) {
        const wanted = new Set(runIds);
        next = Object.fromEntries(Object.entries(next).filter(([id]) => wanted.has(id)));
      }
      for (const [runId, perKey] of Object.entries(res)) next[runId] = { ...next[runId], ...perKey };
      set({ histories: { storeId, data: next, version: cur.histories.version + 1 } });
    }
  } catch (e) {
    set({ compareError: message(e) });
  } finally {
    for (const id of need) for (const k of keys) historyInFlight.delete(`${id}\n${k}`);
    set({ historiesLoading: false });
  }
}

/** Re-reads loaded histories of runs that changed (all loaded ones when `ids` is null). */
async function refreshHistories(ids: string[] | null): Promise<void> {
  const h = get().histories;
  if (h.storeId !== get().storeId) return;
  const loaded = Object.keys(h.data);
  const runIds = ids === null ? loaded : ids.filter((id) => h.data[id]);
  if (runIds.length === 0) return;
  const keys = new Set<string>();
  for (const id of runIds) for (const k of Object.keys(h.data[id] ?? {})) keys.add(k);
  await ensureHistories(runIds, [...keys], { reload: true });
}

// ---- best by -------------------------------------------------------------------------------

let bestSeq = 0;

function winnerOf(key: string, winner: RunRow | null, metric: string): NonNullable<AppState['best']> {
  return { key, runId: winner?.runId ?? null, runName: winner?.runName ?? null, value: winner?.metrics[metric]?.value ?? null };
}

/**
 * The "best by" winner. In memory when the whole compare set is loaded; otherwise (the set is
 * capped, or the panel is closed and nothing is loaded) one query ordered by the metric — the
 * same answer, since best-run.ts breaks ties like the engine — compared with the starred runs.
 */
export async function refreshBest(): Promise<void> {
  const s = get();
  const { best } = chartSettings(s);
  const q = compareQuery(s);
  if (!best.metric || !q) {
    if (s.best !== null) set({ best: null });
    return;
  }
  const cr = s.compareRows && s.compareRows.key === q.key ? s.compareRows : null;
  const key = `${q.key}|${cr ? `rows:${cr.generation}:${cr.rows.length}` : `gen:${s.generation}`}|${best.metric}|${best.direction}`;
  if (s.best?.key === key) return;
  if (cr && !cr.capped) {
    set({ best: winnerOf(key, bestRun(cr.rows, best.metric, best.direction), best.metric) });
    return;
  }
  const seq = ++bestSeq;
  const ident = formatIdentifier('metric', best.metric);
  const base = { storeId: q.storeId, experimentIds: q.experimentIds, lifecycle: q.lifecycle };
  try {
    const [res, pinned] = await Promise.all([
      call('queryRuns', {
        ...base,
        filter: andFilter(q.filter, finiteClause(ident)),
        orderBy: [`${ident} ${best.direction === 'min' ? 'ASC' : 'DESC'}`],
        offset: 0,
        limit: 1,
      }),
      q.pinned.length > 0 ? call('queryRuns', { ...base, runIds: q.pinned, offset: 0, limit: q.pinned.length }) : Promise.resolve({ rows: [] as RunRow[] }),
    ]);
    if (seq !== bestSeq) return;
    const winner = bestRun([...res.rows, ...pinned.rows], best.metric, best.direction);
    set({ best: winnerOf(key, winner, best.metric) });
  } catch (e) {
    if (seq === bestSeq) set({ compareError: message(e) });
  }
}

// ---- brushes → the table -------------------------------------------------------------------

/** Column data of the compare set for the brushed keys (what brush clauses are computed from). */
function brushColumns(rows: readonly RunRow[], keys: readonly string[]): Map<string, ColumnData> {
  const now = Date.now();
  return new Map(keys.map((k) => [k, columnData(rows, k, now)]));
}

/** Replaces the brushes of the current scope and re-queries the table. */
export function setBrushes(brushes: Brush[]): void {
  const s = get();
  const scope = currentScope(s);
  if (!scope) return;
  const rows = s.compareRows?.rows ?? [];
  performance.mark('runsight:brush:start');
  if (brushes.length === 0) set({ brush: null });
  else {
    const r = tableRestriction(brushes, brushColumns(rows, brushes.map((b) => b.key)), rows);
    set({ brush: { scope, brushes, clause: r.clause, runIds: r.runIds } });
  }
  void runQuery();
}

export function removeBrush(key: string): void {
  const b = get().brush;
  if (!b) return;
  setBrushes(b.brushes.filter((x) => x.key !== key));
}

/** Brushes of the current scope (a brush made for other experiments is not shown or applied). */
/** The brushes of a scope without any (one identity, so views can tell "unchanged"). */
export const NO_BRUSHES: Brush[] = [];

export function currentBrushes(s: AppState): Brush[] {
  const scope = currentScope(s);
  return s.brush && s.brush.scope === scope ? s.brush.brushes : NO_BRUSHES;
}
