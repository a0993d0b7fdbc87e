// Data of the grouped runs table (the "Group by" setting shared with the compare panel's Groups
// tab). The groups — value, run count, metric aggregates — come from one engine call
// (queryGroups: scope + lifecycle + the table's filter and brushes, the visible metric columns,
// ordered by value or by the sorted metric's aggregate). The runs of an expanded group are paged
// like the flat table's rows, one page cache per group, with queryRuns + the typed group
// condition and the table's sort order, only for the rows the viewport needs.
//
// The flat table's loader (runs-loader.ts) keeps running underneath, unchanged: it owns the query
// identity, the run count and the filter checks, and takes over instantly when grouping is
// switched off.
//
// Live updates (indexChanged): the group pages are marked stale at that generation, the groups
// are asked again and the visible pages re-fetched; until the answers land the old values stay on
// screen. Expansion is kept by value and the scroll position is untouched.
import type { GroupQuery } from '../../../../preload/api.ts';
import { call, on } from '../../bridge/client.ts';
import { DEFAULT_SORT, parseColumnKey } from '../../core/column-keys.ts';
import { groupKeyOf, groupValueKey } from '../../core/group-key.ts';
import { applyPage, emptyCache, evictFar, loadedRows, markAllStale, pagesToFetch, type QueryAnswer } from '../../core/page-cache.ts';
import { baseQuery, queryKey } from '../../core/runs-query.ts';
import { coalescing, settled } from '../../lib/coalesce.ts';
import { chartSettings } from '../../state/current-chart-settings.ts';
import { currentScope, currentTableQuery, PAGE_SIZE } from '../../state/runs-loader.ts';
import { scopeSettingsFor } from '../../state/scope-settings-slice.ts';
import { useApp, type AppState } from '../../state/store.ts';
import { selectColumns } from './columns.ts';
import { runRangesIn, visibleIndexOfRun } from './group-layout.ts';
import { selectGroupedRows } from './grouped-rows.ts';

/** Most groups shown; beyond it the table says how many were left out. */
export const GROUP_LIMIT = 2000;
const KEEP_PAGES = 40;
const MAX_IN_FLIGHT = 2;
/** queryRuns' own limit: the most run ids a group click selects. */
const SELECT_CAP = 100_000;

const set = useApp.setState;
const get = useApp.getState;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface GroupRequest {
  q: GroupQuery;
  /** Identity of the groups (queryGroups arguments). */
  key: string;
  /** Identity of the runs inside them (table query + column): the group pages' key. */
  rowsKey: string;
  by: string;
}

/** True when the current scope is grouped by a column the engine can group by. */
export function isGrouped(s: AppState): boolean {
  return groupKeyOf(chartSettings(s).group.by) !== null && currentScope(s) !== null;
}

let requestMemo: { inputs: unknown[]; out: GroupRequest | null } | null = null;

/** The queryGroups request for what the table shows now, or null when it is not grouped. */
export function currentGroupRequest(s: AppState): GroupRequest | null {
  const inputs = [s.scopeSettings, s.brush, s.storeId, s.experimentIds, s.lifecycle, s.columnsAvailable];
  if (requestMemo && requestMemo.inputs.every((x, i) => x === inputs[i])) return requestMemo.out;
  const out = buildRequest(s);
  requestMemo = { inputs, out };
  return out;
}

function buildRequest(s: AppState): GroupRequest | null {
  const { by, aggregate } = chartSettings(s).group;
  const groupKey = groupKeyOf(by);
  const tq = currentTableQuery(s);
  if (!by || !groupKey || !tq) return null;
  const metrics: string[] = [];
  for (const c of selectColumns(s)) {
    const id = parseColumnKey(c.key);
    if (id?.kind === 'metric') metrics.push(id.key);
  }
  // Groups follow the table's sort: by the sorted metric's aggregate, by value in the sorted
  // direction when sorted by the grouped column itself, else by value ascending.
  const sort = scopeSettingsFor(s, currentScope(s)).sort ?? DEFAULT_SORT;
  const sortId = parseColumnKey(sort.key);
  let order: GroupQuery['order'];
  if (sortId?.kind === 'metric') {
    order = { metric: sortId.key, aggregate, desc: sort.desc };
    if (!metrics.includes(sortId.key)) metrics.push(sortId.key);
  } else if (sort.key === by) order = { desc: sort.desc };
  const q: GroupQuery = {
    storeId: tq.storeId,
    experimentIds: tq.experimentIds,
    lifecycle: tq.lifecycle,
    filter: tq.filter,
    ...(tq.runIds ? { runIds: tq.runIds } : {}),
    by: groupKey,
    metrics,
    ...(order ? { order } : {}),
    limit: GROUP_LIMIT,
  };
  return { q, key: JSON.stringify(q), rowsKey: JSON.stringify([queryKey(tq), by]), by };
}

/** Identity of everything the grouped table shows (what a reload waits for). */
export function groupRequestIdentity(s: AppState): string | null {
  const r = currentGroupRequest(s);
  return r ? `${r.key}\n${r.rowsKey}` : null;
}

/** (Re)loads the groups for the current request; answers for another request or older ones are dropped. */
export async function loadGroups(): Promise<void> {
  const r = currentGroupRequest(get());
  if (!r) return;
  try {
    const res = await call('queryGroups', r.q);
    const cur = get();
    const now = currentGroupRequest(cur);
    if (!now || now.key !== r.key || now.rowsKey !== r.rowsKey) return;
    const old = cur.grouped;
    if (old && old.key === r.key && old.rowsKey === r.rowsKey && old.generation > res.generation) return;
    const samePages = old?.rowsKey === r.rowsKey;
    set({
      grouped: { key: r.key, rowsKey: r.rowsKey, by: r.by, groupKey: r.q.by, generation: res.generation, groups: res.groups, totalGroups: res.totalGroups, total: res.total },
      groupPages: samePages ? cur.groupPages : new Map(),
    });
    fetchGroupPages();
  } catch (e) {
    const now = currentGroupRequest(get());
    if (now && now.key === r.key) set({ queryError: message(e) });
  }
}

const inFlight = new Set<string>();
/** Visible row range of the grouped table (module state: it changes every scroll frame). */
let visible: [number, number] = [0, 60];
/** Pages are fetched once scrolling holds still (as the flat table does, state/runs-loader.ts). */
const fetchWhenSettled = settled(() => fetchGroupPages(), 40);

export function setVisibleGrouped(first: number, last: number): void {
  if (visible[0] === first && visible[1] === last) return;
  visible = [first, last];
  fetchWhenSettled();
}

function pageCacheKey(rowsKey: string, valueKey: string): string {
  return `${rowsKey}\n${valueKey}`;
}

/** Fetches the pages of expanded groups that the viewport (plus a page either side) needs. */
export function fetchGroupPages(): void {
  const s = get();
  const g = s.grouped;
  const tq = currentTableQuery(s);
  const r = currentGroupRequest(s);
  // A new sort or filter is on its way with its groups: fetch rows for it then, not for the old one.
  if (!g || !tq || !r || r.rowsKey !== g.rowsKey) return;
  const model = selectGroupedRows(s);
  for (const { group, from, to } of runRangesIn(model.layout, visible[0], visible[1])) {
    const value = g.groups[group]!.value;
    const vk = groupValueKey(value);
    const cacheKey = pageCacheKey(g.rowsKey, vk);
    const existing = s.groupPages.get(vk);
    const cache = existing && existing.key === cacheKey ? existing : emptyCache(cacheKey, PAGE_SIZE);
    for (const page of pagesToFetch(cache, from - PAGE_SIZE, to + PAGE_SIZE)) {
      if (inFlight.size >= MAX_IN_FLIGHT) return;
      const id = `${cacheKey}\n${page}`;
      if (inFlight.has(id)) continue;
      inFlight.add(id);
      call('queryRuns', { ...baseQuery(tq), filter: tq.filter, group: { by: g.groupKey, value }, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
        .then((answer) => applyGroupPage(vk, cacheKey, page, answer))
        .catch((e: unknown) => {
          if (get().grouped?.rowsKey === g.rowsKey) set({ queryError: message(e) });
        })
        .finally(() => {
          inFlight.delete(id);
          fetchGroupPages();
        });
    }
  }
}

/**
 * Run ids between two visible rows of the grouped table, inclusive, in visible order: group
 * headers skipped, collapsed groups contribute nothing, and rows of an open group that are not
 * loaded yet (a shift-click far down a large group) are fetched — ids only — so the range has no holes.
 */
export async function groupedIdsBetween(from: number, to: number): Promise<string[]> {
  const s = get();
  const g = s.grouped;
  const tq = currentTableQuery(s);
  const model = selectGroupedRows(s);
  const parts: string[][] = [];
  for (const { group, from: a, to: b } of runRangesIn(model.layout, Math.min(from, to), Math.max(from, to))) {
    const ids: string[] = [];
    for (let i = a; i <= b; i++) {
      const it = model.itemAt(visibleIndexOfRun(model.layout, group, i));
      if (it?.kind === 'run') ids.push(it.vr.row.runId);
    }
    if (ids.length === b - a + 1 || !g || !tq) {
      parts.push(ids);
      continue;
    }
    const answer = await call('queryRunIds', {
      ...baseQuery(tq),
      filter: tq.filter,
      group: { by: g.groupKey, value: g.groups[group]!.value },
      offset: a,
      limit: b - a + 1,
    });
    parts.push(answer.runIds);
  }
  const out = parts.flat();
  return from <= to ? out : out.reverse();
}

function applyGroupPage(vk: string, cacheKey: string, page: number, answer: QueryAnswer): void {
  const s = get();
  const g = s.grouped;
  if (!g || pageCacheKey(g.rowsKey, vk) !== cacheKey) return;
  const existing = s.groupPages.get(vk);
  // A group's first page: anything older than the groups on screen is due for a re-fetch.
  const cache = existing && existing.key === cacheKey ? existing : { ...emptyCache(cacheKey, PAGE_SIZE), freshAt: g.generation };
  const next = applyPage(cache, cacheKey, page, answer);
  if (next === cache) return;
  const pages = new Map(s.groupPages);
  pages.set(vk, evictFar(next, page, KEEP_PAGES));
  set({ groupPages: pages });
}

const reloadGroups = coalescing(async () => {
  await loadGroups();
  fetchGroupPages();
});

/** Keeps the groups live while the grouped table is shown; returns the unsubscribe. */
export function followIndexChanges(): () => void {
  const offChanged = on('indexChanged', (ev) => {
    const s = get();
    if (ev.storeId !== s.storeId) return;
    if (ev.experimentIds.length > 0 && !ev.experimentIds.some((id) => s.experimentIds.includes(id))) return;
    void refreshGroups(ev.generation);
  });
  // A store finished its first read: what was grouped while it was indexing may be partial.
  const offProgress = on('indexProgress', (p) => {
    if (p.phase !== 'ready') return;
    set({ groupPages: new Map() });
    void loadGroups();
  });
  return () => {
    offChanged();
    offProgress();
  };
}

/** The index changed at `generation`: new aggregates and fresh visible rows, in place. */
async function refreshGroups(generation: number): Promise<void> {
  const s = get();
  if (!s.grouped) return;
  const pages = new Map<string, ReturnType<typeof markAllStale>>();
  for (const [k, c] of s.groupPages) pages.set(k, markAllStale(c, generation));
  set({ groupPages: pages });
  await reloadGroups();
}

/** Expands or collapses one group (by groupValueKey); a collapsed group's pages are dropped. */
export function toggleGroup(vk: string): void {
  const s = get();
  const g = s.grouped;
  if (!g) return;
  const cur = s.groupExpanded.by === g.by ? s.groupExpanded.keys : new Set<string>();
  const keys = new Set(cur);
  if (keys.has(vk)) {
    keys.delete(vk);
    if (s.groupPages.has(vk)) {
      const pages = new Map(s.groupPages);
      pages.delete(vk);
      set({ groupPages: pages });
    }
  } else keys.add(vk);
  s.setGroupExpanded(g.by, keys);
  fetchGroupPages();
}

export function expandAllGroups(expand: boolean): void {
  const s = get();
  const g = s.grouped;
  if (!g) return;
  s.setGroupExpanded(g.by, expand ? new Set(g.groups.map((x) => groupValueKey(x.value))) : new Set());
  if (!expand) set({ groupPages: new Map() });
  fetchGroupPages();
}

let selectionSeq = 0;

/**
 * How many of the selected runs each group holds (one queryGroups restricted to the selection),
 * so a header shows "all selected" / "some selected" whichever view made the selection.
 */
export async function loadGroupSelection(): Promise<void> {
  const s = get();
  const r = currentGroupRequest(s);
  const seq = ++selectionSeq;
  const selected = s.selection.selected;
  if (!r || selected.length === 0) {
    if (s.groupSelection.size > 0) set({ groupSelection: new Map() });
    return;
  }
  const restrict = r.q.runIds ? new Set(r.q.runIds) : null;
  const runIds = restrict ? selected.filter((id) => restrict.has(id)) : [...selected];
  try {
    const res = await call('queryGroups', { ...r.q, runIds: runIds.slice(0, SELECT_CAP), metrics: [], order: undefined, limit: GROUP_LIMIT });
    if (seq !== selectionSeq) return;
    set({ groupSelection: new Map(res.groups.map((g) => [groupValueKey(g.value), g.count])) });
  } catch {
    // Only the header marks depend on it.
  }
}

/** Every run id of group `index` (from its pages when all are loaded, else one query). */
export async function groupRunIds(index: number): Promise<string[]> {
  const s = get();
  const g = s.grouped;
  const tq = currentTableQuery(s);
  const group = g?.groups[index];
  if (!g || !tq || !group) return [];
  const vk = groupValueKey(group.value);
  const cache = s.groupPages.get(vk);
  if (cache && cache.key === pageCacheKey(g.rowsKey, vk) && cache.total === group.count) {
    const rows = loadedRows(cache);
    if (rows.length === group.count) return rows.map((r) => r.row.runId);
  }
  // Ids only: a group of 50 000 runs is a 2 MB answer, not a download of every row.
  const res = await call('queryRunIds', {
    ...baseQuery(tq),
    filter: tq.filter,
    group: { by: g.groupKey, value: group.value },
    offset: 0,
    limit: Math.min(group.count, SELECT_CAP),
  });
  return res.runIds;
}
