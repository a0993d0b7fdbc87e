import { describe, expect, it } from 'vitest';
import {
  buildChildrenMap,
  buildLayout,
  findOrphans,
  slotAt,
  topRangeFor,
  visibleDescendants,
  visibleIndexOfTop,
} from '../../renderer/src/core/run-tree.ts';
import { row } from './helpers.ts';

// parent P (top 1) → c1 → g1 ; P → c2 ; Q (top 3) → d1
const nested = [row('c1', 'P'), row('c2', 'P'), row('g1', 'c1'), row('d1', 'Q'), row('lost', 'GONE')];
const top = ['A', 'P', 'B', 'Q', 'C'].map((id, index) => ({ index, row: row(id) }));

describe('nested runs', () => {
  const children = buildChildrenMap(nested);

  it('groups children by parent in query order', () => {
    expect(children.get('P')?.map((r) => r.runId)).toEqual(['c1', 'c2']);
    expect(children.get('c1')?.map((r) => r.runId)).toEqual(['g1']);
  });

  it('finds runs whose parent is not shown', () => {
    const matching = new Set(['P', 'Q', 'c1']);
    expect(findOrphans(nested, matching)).toEqual(['lost']);
    expect(findOrphans(nested, new Set(['P', 'Q']))).toEqual(['g1', 'lost']);
  });

  it('lists visible descendants depth-first, honouring nested expansion', () => {
    expect(visibleDescendants('P', children, new Set(['P'])).map((t) => [t.row.runId, t.depth, t.hasChildren, t.expanded])).toEqual([
      ['c1', 1, true, false],
      ['c2', 1, false, false],
    ]);
    expect(visibleDescendants('P', children, new Set(['P', 'c1'])).map((t) => t.row.runId)).toEqual(['c1', 'g1', 'c2']);
  });

  it('cuts cycles in corrupt parent tags', () => {
    const cyc = buildChildrenMap([row('x', 'y'), row('y', 'x')]);
    expect(visibleDescendants('x', cyc, new Set(['x', 'y'])).map((t) => t.row.runId)).toEqual(['y']);
  });

  it('maps visible indexes to top rows and children', () => {
    const layout = buildLayout(5, top, children, new Set(['P', 'c1', 'Q']));
    // A, P, c1, g1, c2, B, Q, d1, C
    expect(layout.count).toBe(9);
    const ids = Array.from({ length: 9 }, (_, v) => {
      const s = slotAt(layout, v);
      return s?.kind === 'top' ? `top:${s.topIndex}` : `${s?.tree.row.runId}@${s?.tree.depth}`;
    });
    expect(ids).toEqual(['top:0', 'top:1', 'c1@1', 'g1@2', 'c2@1', 'top:2', 'top:3', 'd1@1', 'top:4']);
    expect(slotAt(layout, 9)).toBeNull();
    expect(visibleIndexOfTop(layout, 3)).toBe(6);
    expect(visibleIndexOfTop(layout, 4)).toBe(8);
    expect(topRangeFor(layout, 3, 7)).toEqual([1, 3]);
  });

  it('is the identity without expanded parents', () => {
    const layout = buildLayout(100_000, top, children, new Set());
    expect(layout.count).toBe(100_000);
    expect(slotAt(layout, 54_321)).toEqual({ kind: 'top', topIndex: 54_321 });
  });
});
