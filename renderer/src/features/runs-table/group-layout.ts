// Row layout of the grouped runs table: one header row per group, followed by the group's runs
// when it is expanded. Everything is by index (header positions are prefix sums, found by binary
// search), so a group of 50 000 runs costs nothing until its rows scroll into view, and the
// virtualizer can map any scroll position to a slot without materialising rows.

export interface LayoutGroup {
  /** groupValueKey of the group. */
  key: string;
  count: number;
}

export interface GroupedLayout {
  groups: readonly LayoutGroup[];
  /** Visible index of each group's header row. */
  starts: number[];
  /** Whether each group shows its runs. */
  open: boolean[];
  count: number;
}

export type GroupedSlot = { kind: 'group'; group: number } | { kind: 'run'; group: number; index: number };

export function buildGroupedLayout(groups: readonly LayoutGroup[], expanded: ReadonlySet<string>): GroupedLayout {
  const starts: number[] = [];
  const open: boolean[] = [];
  let v = 0;
  for (const g of groups) {
    starts.push(v);
    const isOpen = expanded.has(g.key) && g.count > 0;
    open.push(isOpen);
    v += 1 + (isOpen ? g.count : 0);
  }
  return { groups, starts, open, count: v };
}

/** What sits at visible index `v`. */
export function groupedSlotAt(layout: GroupedLayout, v: number): GroupedSlot | null {
  if (v < 0 || v >= layout.count) return null;
  let lo = 0;
  let hi = layout.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (layout.starts[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  const within = v - layout.starts[lo]!;
  return within === 0 ? { kind: 'group', group: lo } : { kind: 'run', group: lo, index: within - 1 };
}

/** Visible index of run `index` of group `group` (the group must be open). */
export function visibleIndexOfRun(layout: GroupedLayout, group: number, index: number): number {
  return layout.starts[group]! + 1 + index;
}

/** Per open group, the range of its run indexes [from, to] that visible rows [first, last] cover. */
export function runRangesIn(layout: GroupedLayout, first: number, last: number): { group: number; from: number; to: number }[] {
  const out: { group: number; from: number; to: number }[] = [];
  if (layout.count === 0) return out;
  const a = Math.max(0, first);
  const b = Math.min(layout.count - 1, last);
  if (b < a) return out;
  const start = groupedSlotAt(layout, a)!.group;
  for (let g = start; g < layout.groups.length && layout.starts[g]! <= b; g++) {
    if (!layout.open[g]) continue;
    const firstRun = layout.starts[g]! + 1;
    const lastRun = firstRun + layout.groups[g]!.count - 1;
    const from = Math.max(a, firstRun);
    const to = Math.min(b, lastRun);
    if (from <= to) out.push({ group: g, from: from - firstRun, to: to - firstRun });
  }
  return out;
}
