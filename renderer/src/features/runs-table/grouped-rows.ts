// Derived, memoised view of the grouped table: the layout of header rows and expanded groups
// over the groups and their page caches, and lookups between run ids and visible rows.
import type { RunGroupSummary, RunRow } from '../../../../preload/api.ts';
import { groupValueKey } from '../../core/group-key.ts';
import { loadedRows, rowAt, type PageCache } from '../../core/page-cache.ts';
import type { AppState } from '../../state/store.ts';
import type { VisibleRow } from '../../state/table-rows.ts';
import { buildGroupedLayout, groupedSlotAt, visibleIndexOfRun, type GroupedLayout } from './group-layout.ts';

export interface GroupItem {
  kind: 'group';
  /** Position among the groups. */
  index: number;
  group: RunGroupSummary;
  /** groupValueKey(group.value). */
  key: string;
  open: boolean;
}

export interface RunItem {
  kind: 'run';
  group: number;
  vr: VisibleRow;
}

export interface GroupedRows {
  layout: GroupedLayout;
  /** null for a run row whose page is not loaded yet. */
  itemAt(v: number): GroupItem | RunItem | null;
  /** Visible index of every loaded run row, by run id. */
  indexOf: ReadonlyMap<string, number>;
}

const EMPTY_LAYOUT = buildGroupedLayout([], new Set());
const NO_KEYS: ReadonlySet<string> = new Set();
/** One GroupItem per group answer (while its position and state hold), so header rows skip re-renders. */
const groupItems = new WeakMap<RunGroupSummary, GroupItem>();
/** One VisibleRow per row object, so memoised rows skip unchanged data. */
const visibleRows = new WeakMap<RunRow, VisibleRow>();

function visibleRow(row: RunRow): VisibleRow {
  let vr = visibleRows.get(row);
  if (!vr) {
    vr = { row, depth: 1, hasChildren: false, expanded: false };
    visibleRows.set(row, vr);
  }
  return vr;
}

let memo: { grouped: AppState['grouped']; pages: AppState['groupPages']; expanded: AppState['groupExpanded']; model: GroupedRows } | null = null;

export function selectGroupedRows(s: Pick<AppState, 'grouped' | 'groupPages' | 'groupExpanded'>): GroupedRows {
  if (memo && memo.grouped === s.grouped && memo.pages === s.groupPages && memo.expanded === s.groupExpanded) return memo.model;
  const g = s.grouped;
  const keys = g ? g.groups.map((x) => groupValueKey(x.value)) : [];
  const expanded = g && s.groupExpanded.by === g.by ? s.groupExpanded.keys : NO_KEYS;
  // Pages arriving do not move rows: the layout (and its identity) only changes with the groups
  // or the expanded set.
  const layout =
    memo && memo.grouped === s.grouped && memo.expanded === s.groupExpanded
      ? memo.model.layout
      : g
        ? buildGroupedLayout(g.groups.map((x, i) => ({ key: keys[i]!, count: x.count })), expanded)
        : EMPTY_LAYOUT;
  const cacheOf = (i: number): PageCache | undefined => {
    const c = s.groupPages.get(keys[i]!);
    return c && g && c.key === `${g.rowsKey}\n${keys[i]}` ? c : undefined;
  };
  const itemAt = (v: number): GroupItem | RunItem | null => {
    const slot = groupedSlotAt(layout, v);
    if (!slot || !g) return null;
    if (slot.kind === 'group') {
      const group = g.groups[slot.group]!;
      const open = layout.open[slot.group]!;
      let item = groupItems.get(group);
      if (!item || item.index !== slot.group || item.open !== open) {
        item = { kind: 'group', index: slot.group, group, key: keys[slot.group]!, open };
        groupItems.set(group, item);
      }
      return item;
    }
    const cache = cacheOf(slot.group);
    const row = cache ? rowAt(cache, slot.index) : undefined;
    return row ? { kind: 'run', group: slot.group, vr: visibleRow(row) } : null;
  };
  const indexOf = new Map<string, number>();
  layout.open.forEach((open, i) => {
    const cache = open ? cacheOf(i) : undefined;
    if (!cache) return;
    for (const { index, row } of loadedRows(cache)) {
      if (index < layout.groups[i]!.count) indexOf.set(row.runId, visibleIndexOfRun(layout, i, index));
    }
  });
  const model: GroupedRows = { layout, itemAt, indexOf };
  memo = { grouped: s.grouped, pages: s.groupPages, expanded: s.groupExpanded, model };
  return model;
}
