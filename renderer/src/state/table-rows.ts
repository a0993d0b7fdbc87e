// Derived, memoised views of the runs slice that the table and the loader share: the nested
// layout over the page cache, and lookups between run ids and visible row indexes.
import type { RunRow } from '../../../preload/api.ts';
import { loadedRows, rowAt } from '../core/page-cache.ts';
import { buildLayout, slotAt, visibleIndexOfTop, type ChildrenMap, type TreeLayout } from '../core/run-tree.ts';
import type { AppState } from './store.ts';

const NO_CHILDREN: ChildrenMap = new Map();

export interface VisibleRow {
  row: RunRow;
  depth: number;
  hasChildren: boolean;
  expanded: boolean;
}

export interface TableRows {
  layout: TreeLayout;
  children: ChildrenMap;
  /** Visible index of every loaded row, by run id. */
  indexOf: ReadonlyMap<string, number>;
  /** null for a top-level row not loaded yet. */
  rowAtVisible(v: number): VisibleRow | null;
}

/**
 * Top-level VisibleRow objects survive model rebuilds while their row object and flags are the
 * same (a page arriving rebuilds the model; rows of other pages keep their identity), so
 * memoised row components only re-render rows whose data changed.
 */
const topRows = new WeakMap<RunRow, VisibleRow>();

let memo: { cache: AppState['cache']; nested: AppState['nested']; expanded: AppState['expanded']; model: TableRows } | null = null;

export function selectTableRows(s: Pick<AppState, 'cache' | 'nested' | 'expanded'>): TableRows {
  if (memo && memo.cache === s.cache && memo.nested === s.nested && memo.expanded === s.expanded) return memo.model;
  const cache = s.cache;
  const children = s.nested && s.nested.key === cache.key ? s.nested.children : NO_CHILDREN;
  const loaded = loadedRows(cache);
  const layout = buildLayout(cache.total ?? 0, loaded, children, s.expanded);
  // One object per visible row and model, so memoised row components skip unchanged rows.
  const made = new Map<number, VisibleRow>();
  const rowAtVisible = (v: number): VisibleRow | null => {
    const hit = made.get(v);
    if (hit) return hit;
    const slot = slotAt(layout, v);
    if (!slot) return null;
    if (slot.kind === 'child') return slot.tree;
    const row = rowAt(cache, slot.topIndex);
    if (!row) return null;
    const hasChildren = (children.get(row.runId)?.length ?? 0) > 0;
    const expanded = hasChildren && s.expanded.has(row.runId);
    let vr = topRows.get(row);
    if (!vr || vr.hasChildren !== hasChildren || vr.expanded !== expanded) {
      vr = { row, depth: 0, hasChildren, expanded };
      topRows.set(row, vr);
    }
    made.set(v, vr);
    return vr;
  };
  const indexOf = new Map<string, number>();
  // Children follow their parent, so walking the loaded top rows through the layout covers all.
  for (const { index } of loaded) {
    if (index >= layout.count) continue;
    let v = visibleIndexOfTop(layout, index);
    const top = rowAtVisible(v);
    if (top) indexOf.set(top.row.runId, v);
    const group = layout.groups.find((g) => g.topIndex === index);
    for (const t of group?.rows ?? []) indexOf.set(t.row.runId, ++v);
  }
  const model: TableRows = { layout, children, indexOf, rowAtVisible };
  memo = { cache: s.cache, nested: s.nested, expanded: s.expanded, model };
  return model;
}
