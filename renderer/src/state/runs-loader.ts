// Everything that fetches runs for the table: the query from the current scope and its settings, the
// nested-run structure, pages on demand as the user scrolls, and live refreshes. It writes the
// runs slice; components only read it and call these functions.
//
// Order of a query (a new one, or a refresh of the current one):
//  1. the user's filter alone is validated by the caller (applyFilter), so errors point into it;
//  2. the nested runs matching it are loaded, and the ones whose parent is not shown found;
//  3. top-level pages are fetched with `topLevelFilter`, only those the viewport needs.
// Answers for a query that is no longer current, or older than what is shown, are dropped.
import type { RunRow } from '../../../preload/api.ts';
import { ApiCallError, call } from '../bridge/client.ts';
import { DEFAULT_SORT, orderByFor } from '../core/column-keys.ts';
import { applyPage, emptyCache, evictFar, markAllStale, pageOf, pagesToFetch, type QueryAnswer } from '../core/page-cache.ts';
import { buildChildrenMap, findOrphans, slotAt } from '../core/run-tree.ts';
import { andFilter, baseQuery, nestedFilter, queryKey, scopeKey, topLevelFilter, type TableQuery } from '../core/runs-query.ts';
import { coalescing, settled } from '../lib/coalesce.ts';
import { scopeSettingsFor } from './scope-settings-slice.ts';
import { useApp, type AppState } from './store.ts';
import { selectTableRows } from './table-rows.ts';

export const PAGE_SIZE = 100;
/** ~4000 rows kept around the viewport; the rest is fetched again when scrolled back to. */
const KEEP_PAGES = 40;
/** Beyond this many nested runs the table shows them flat instead of grouping. */
export const NESTED_CAP = 5000;
const MAX_IN_FLIGHT = 2;

const set = useApp.setState;
const get = useApp.getState;

export function currentScope(s: Pick<AppState, 'storeId' | 'experimentIds'>): string | null {
  return s.storeId && s.experimentIds.length > 0 ? scopeKey(s.storeId, s.experimentIds) : null;
}

export function currentTableQuery(s: AppState): TableQuery | null {
  const scope = currentScope(s);
  if (!scope || !s.storeId) return null;
  const f = scopeSettingsFor(s, scope);
  const primary = orderByFor(f.sort ?? DEFAULT_SORT) ?? (orderByFor(DEFAULT_SORT) as string);
  // Tie-breakers make paging stable: without them rows with equal sort values could move
  // between pages from one request to the next (MLflow's own default order is the same).
  const orderBy = [primary];
  if (!/^attributes\.start_time /.test(primary)) orderBy.push('attributes.start_time DESC');
  orderBy.push('attributes.run_id ASC');
  // Brushes drawn in the compare views narrow the table: a clause ANDed to the user's filter
  // (which stays as typed in the filter box) and/or a run-id restriction.
  const brush = s.brush && s.brush.scope === scope ? s.brush : null;
  const filter = brush?.clause ? andFilter(f.filter, brush.clause) : f.filter;
  return { storeId: s.storeId, experimentIds: s.experimentIds, lifecycle: s.lifecycle, filter, orderBy, ...(brush?.runIds ? { runIds: brush.runIds } : {}) };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** (Re)runs the table query if scope, lifecycle, filter or sort changed. */
export async function runQuery(opts: { force?: boolean } = {}): Promise<void> {
  const s = get();
  const q = currentTableQuery(s);
  if (!q) {
    set({ query: null, queryKey: '', topFilter: null, cache: emptyCache(''), nested: null });
    return;
  }
  const key = queryKey(q);
  if (key === s.queryKey && !opts.force) return;
  // The old rows stay on screen until the first page of the new query arrives (no blank flash);
  // `force` (a newly opened project) starts from nothing instead.
  set({ query: q, queryKey: key, topFilter: null, queryError: null, ...(opts.force ? { cache: emptyCache(''), nested: null } : {}) });
  await resolveNesting(q, key);
  fetchVisible();
}

async function resolveNesting(q: TableQuery, key: string): Promise<void> {
  const base = baseQuery(q);
  let rows: RunRow[] = [];
  let generation = 0;
  let flat = false;
  let orphans: string[] = [];
  let count = 0;
  try {
    const nested = await call('queryRuns', { ...base, filter: nestedFilter(q.filter), offset: 0, limit: NESTED_CAP + 1 });
    generation = nested.generation;
    count = nested.total;
    if (nested.total > NESTED_CAP) flat = true;
    else {
      rows = nested.rows;
      const restrict = q.runIds ? new Set(q.runIds) : null;
      const parents = [...new Set(rows.map((r) => r.parentRunId as string))].filter((p) => !restrict || restrict.has(p));
      if (parents.length > 0) {
        const shown = await call('queryRuns', { ...base, filter: q.filter, runIds: parents, offset: 0, limit: parents.length });
        orphans = findOrphans(rows, new Set(shown.rows.map((r) => r.runId)));
      }
    }
  } catch (e) {
    if (get().queryKey !== key) return;
    // Nesting is a presentation nicety: if it cannot be worked out, show every matching run flat.
    if (!(e instanceof ApiCallError && e.code === 'INVALID_ARGUMENT')) set({ queryError: message(e) });
    flat = true;
  }
  const s = get();
  if (s.queryKey !== key) return;
  if (s.nested && s.nested.key === key && s.nested.generation > generation) return;
  set({
    nested: { key, generation, children: buildChildrenMap(rows), orphans, flat, count },
    topFilter: flat ? q.filter : topLevelFilter(q.filter, orphans),
  });
}

const inFlight = new Set<string>();

/**
 * Top-level row range the table shows. Module state, not store state: it changes on every scroll
 * frame and only the loader needs it.
 */
let visibleTop: [number, number] = [0, 50];

/** Fetches the pages the viewport (plus one page either side) needs and does not have fresh. */
export function fetchVisible(): void {
  const s = get();
  const q = s.query;
  const topFilter = s.topFilter;
  if (!q || topFilter === null) return;
  const key = s.queryKey;
  const fresh = s.cache.key !== key;
  const cache = fresh ? emptyCache(key, PAGE_SIZE) : s.cache;
  const [a, b] = fresh ? [0, visibleTop[1] - visibleTop[0]] : visibleTop;
  const center = pageOf(cache, Math.floor((a + b) / 2));
  const wanted = pagesToFetch(cache, a - PAGE_SIZE, b + PAGE_SIZE).sort((x, y) => Math.abs(x - center) - Math.abs(y - center));
  for (const page of wanted) {
    if (inFlight.size >= MAX_IN_FLIGHT) break;
    const id = `${key}\n${topFilter}\n${page}`;
    if (inFlight.has(id)) continue;
    inFlight.add(id);
    call('queryRuns', { ...baseQuery(q), filter: topFilter, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
      .then((answer) => applyAnswer(key, topFilter, page, answer))
      .catch((e: unknown) => {
        if (get().queryKey === key) set({ queryError: message(e) });
      })
      .finally(() => {
        inFlight.delete(id);
        fetchVisible();
      });
  }
}

function applyAnswer(key: string, topFilter: string, page: number, answer: QueryAnswer): void {
  const s = get();
  if (s.queryKey !== key || s.topFilter !== topFilter) return;
  let cache = s.cache.key === key ? s.cache : { ...emptyCache(key, PAGE_SIZE), freshAt: s.cache.freshAt };
  const next = applyPage(cache, key, page, answer);
  if (next === cache && s.cache.key === key) return;
  cache = evictFar(next, pageOf(next, Math.floor((visibleTop[0] + visibleTop[1]) / 2)), KEEP_PAGES);
  set({ cache, queryError: null });
}

// While the user flings through 100k rows the range changes every frame; fetching only once it
// holds still for a moment avoids loading pages that are gone before they arrive. The page either
// side already loaded covers ordinary scrolling.
const fetchWhenSettled = settled(() => fetchVisible(), 40);

/** The table reports which top-level rows it shows. */
export function setVisibleTop(first: number, last: number): void {
  const [a, b] = visibleTop;
  if (a === first && b === last) return;
  visibleTop = [first, last];
  fetchWhenSettled();
}

const requery = coalescing(async () => {
  const cur = get();
  if (!cur.query) return;
  await resolveNesting(cur.query, cur.queryKey);
  fetchVisible();
});

/** The index changed at `generation` for the current store: re-query what is visible, in place. */
export async function refreshRuns(generation: number): Promise<void> {
  const s = get();
  if (!s.query) return;
  set({ cache: markAllStale(s.cache, generation) });
  await requery();
}

/**
 * Applies a filter typed by the user. It is checked on its own first: a bad filter shows its
 * error (with the position in the text as typed) and the table keeps its current rows.
 */
export async function applyFilter(text: string): Promise<void> {
  const s = get();
  const scope = currentScope(s);
  const q = s.query;
  if (!scope || !q) return;
  if (text.trim() !== '') {
    try {
      await call('queryRuns', { ...baseQuery(q), filter: text, offset: 0, limit: 1 });
    } catch (e) {
      if (e instanceof ApiCallError && e.code === 'INVALID_ARGUMENT') {
        set({ filterError: { text, message: e.message, position: e.position ?? null, length: e.length ?? null } });
      } else {
        set({ filterError: { text, message: message(e), position: null, length: null } });
      }
      return;
    }
  }
  set({ filterError: null });
  get().updateScopeSettings(scope, { filter: text.trim() });
  await runQuery();
}

/**
 * Run ids shown between two visible rows, inclusive, in visible order (for shift-selection).
 * Top-level rows not in the cache are fetched directly.
 */
export async function idsBetween(from: number, to: number): Promise<string[]> {
  const s = get();
  const q = s.query;
  const model = selectTableRows(s);
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  const missing: number[] = [];
  for (let v = lo; v <= hi; v++) {
    const slot = slotAt(model.layout, v);
    if (slot?.kind === 'top' && !model.rowAtVisible(v)) missing.push(slot.topIndex);
  }
  const fetched = new Map<number, string>();
  if (missing.length > 0 && q && s.topFilter !== null) {
    const first = missing[0] as number;
    const last = missing[missing.length - 1] as number;
    const answer = await call('queryRuns', { ...baseQuery(q), filter: s.topFilter, offset: first, limit: last - first + 1 });
    answer.rows.forEach((r, i) => fetched.set(first + i, r.runId));
  }
  const out: string[] = [];
  for (let v = lo; v <= hi; v++) {
    const vr = model.rowAtVisible(v);
    if (vr) out.push(vr.row.runId);
    else {
      const slot = slotAt(model.layout, v);
      const id = slot?.kind === 'top' ? fetched.get(slot.topIndex) : undefined;
      if (id) out.push(id);
    }
  }
  return from <= to ? out : out.reverse();
}

let columnsTimer: ReturnType<typeof setTimeout> | null = null;

/** Which params / metrics / tags the scope's runs have (the column picker's choices). */
export async function refreshColumns(opts: { soon?: boolean } = {}): Promise<void> {
  if (opts.soon) {
    // Live updates can come every second while a run trains; new keys are rare.
    if (columnsTimer) return;
    columnsTimer = setTimeout(() => {
      columnsTimer = null;
      void refreshColumns();
    }, 1000);
    return;
  }
  const s = get();
  const scope = currentScope(s);
  if (!scope || !s.storeId) return;
  try {
    const cols = await call('listColumns', { storeId: s.storeId, experimentIds: s.experimentIds });
    if (currentScope(get()) === scope) set({ columnsAvailable: cols, columnsKey: scope });
  } catch (e) {
    set({ queryError: message(e) });
  }
}
