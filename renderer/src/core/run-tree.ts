// Nested runs (MLflow records nesting only as the child's `mlflow.parentRunId` tag). The table
// pages through top-level rows on the server; the nested runs matching the same query are loaded
// once, grouped by parent, and spliced in under expanded parents here. Everything is by index so
// the virtualizer can map a scroll position to a row without materialising 100k rows.
import type { RunRow } from '../../../preload/api.ts';

/** Children per parent run id, each list in query order. */
export type ChildrenMap = ReadonlyMap<string, readonly RunRow[]>;

export function buildChildrenMap(nested: readonly RunRow[]): Map<string, RunRow[]> {
  const map = new Map<string, RunRow[]>();
  for (const row of nested) {
    if (!row.parentRunId) continue;
    const list = map.get(row.parentRunId);
    if (list) list.push(row);
    else map.set(row.parentRunId, [row]);
  }
  return map;
}

/**
 * Nested runs whose parent is not itself among the runs the query matches (filtered out, deleted,
 * in another experiment, or missing): they are shown at the top level so no matching run is hidden.
 */
export function findOrphans(nested: readonly RunRow[], matchingParentIds: ReadonlySet<string>): string[] {
  return nested.filter((r) => r.parentRunId && !matchingParentIds.has(r.parentRunId)).map((r) => r.runId);
}

export interface TreeRow {
  row: RunRow;
  depth: number;
  hasChildren: boolean;
  expanded: boolean;
}

/** The visible descendants of an expanded run, depth-first; cycles (corrupt tags) are cut. */
export function visibleDescendants(
  parentId: string,
  children: ChildrenMap,
  expanded: ReadonlySet<string>,
  depth = 1,
  seen: Set<string> = new Set([parentId]),
): TreeRow[] {
  const out: TreeRow[] = [];
  for (const row of children.get(parentId) ?? []) {
    if (seen.has(row.runId)) continue;
    seen.add(row.runId);
    const hasChildren = (children.get(row.runId)?.length ?? 0) > 0;
    const isOpen = hasChildren && expanded.has(row.runId);
    out.push({ row, depth, hasChildren, expanded: isOpen });
    if (isOpen) out.push(...visibleDescendants(row.runId, children, expanded, depth + 1, seen));
  }
  return out;
}

interface Group {
  /** Index of the expanded parent among top-level rows. */
  topIndex: number;
  rows: TreeRow[];
}

export interface TreeLayout {
  topTotal: number;
  /** Expanded top-level parents, by topIndex ascending. */
  groups: Group[];
  /** Visible index of each group's parent row. */
  groupStarts: number[];
  count: number;
}

export type Slot = { kind: 'top'; topIndex: number } | { kind: 'child'; topIndex: number; tree: TreeRow };

/**
 * The layout of visible rows: top-level rows in query order, with the visible descendants of each
 * expanded parent right after it. Only loaded top-level rows can be expanded parents (a parent
 * is expanded by clicking it, and positions of rows not loaded are unknown anyway).
 */
export function buildLayout(
  topTotal: number,
  loadedTop: readonly { index: number; row: RunRow }[],
  children: ChildrenMap,
  expanded: ReadonlySet<string>,
): TreeLayout {
  const groups: Group[] = [];
  if (expanded.size > 0 && children.size > 0) {
    for (const { index, row } of loadedTop) {
      if (index >= topTotal || !expanded.has(row.runId)) continue;
      const rows = visibleDescendants(row.runId, children, expanded);
      if (rows.length > 0) groups.push({ topIndex: index, rows });
    }
  }
  const groupStarts: number[] = [];
  let extra = 0;
  for (const g of groups) {
    groupStarts.push(g.topIndex + extra);
    extra += g.rows.length;
  }
  return { topTotal, groups, groupStarts, count: topTotal + extra };
}

/** What sits at visible index `v`. */
export function slotAt(layout: TreeLayout, v: number): Slot | null {
  if (v < 0 || v >= layout.count) return null;
  // Last group whose parent row is at or before v (binary search over groupStarts).
  let lo = 0;
  let hi = layout.groups.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((layout.groupStarts[mid] as number) <= v) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found === -1) return { kind: 'top', topIndex: v };
  const g = layout.groups[found] as Group;
  const start = layout.groupStarts[found] as number;
  const within = v - start;
  if (within === 0) return { kind: 'top', topIndex: g.topIndex };
  if (within <= g.rows.length) return { kind: 'child', topIndex: g.topIndex, tree: g.rows[within - 1] as TreeRow };
  return { kind: 'top', topIndex: g.topIndex + (within - g.rows.length) };
}

/** Visible index of a top-level row. */
export function visibleIndexOfTop(layout: TreeLayout, topIndex: number): number {
  let extra = 0;
  for (const g of layout.groups) {
    if (g.topIndex >= topIndex) break;
    extra += g.rows.length;
  }
  return topIndex + extra;
}

/** Top-level row range [first, last] covering visible range [vFirst, vLast] (what to fetch). */
export function topRangeFor(layout: TreeLayout, vFirst: number, vLast: number): [number, number] {
  const a = slotAt(layout, Math.max(0, Math.min(vFirst, layout.count - 1)));
  const b = slotAt(layout, Math.max(0, Math.min(vLast, layout.count - 1)));
  return [a?.topIndex ?? 0, b?.topIndex ?? 0];
}
