// The grouped runs table's pure parts: row layout over groups (headers + expanded runs), the
// column key -> engine GroupKey mapping, and group value naming.
import { describe, expect, it } from 'vitest';
import { groupByChoices, groupKeyOf, groupLabel, groupValueKey, NO_VALUE_LABEL } from '../../renderer/src/core/group-key.ts';
import { buildGroupedLayout, groupedSlotAt, runRangesIn, visibleIndexOfRun } from '../../renderer/src/features/runs-table/group-layout.ts';

const groups = [
  { key: 'a', count: 3 },
  { key: 'b', count: 50_000 },
  { key: 'c', count: 0 },
  { key: 'd', count: 2 },
];

describe('grouped layout', () => {
  it('is one row per group while everything is collapsed', () => {
    const l = buildGroupedLayout(groups, new Set());
    expect(l.count).toBe(4);
    expect(l.starts).toEqual([0, 1, 2, 3]);
    expect([0, 1, 2, 3].map((v) => groupedSlotAt(l, v))).toEqual([0, 1, 2, 3].map((group) => ({ kind: 'group', group })));
    expect(groupedSlotAt(l, 4)).toBeNull();
    expect(groupedSlotAt(l, -1)).toBeNull();
    expect(runRangesIn(l, 0, 100)).toEqual([]);
  });

  it('puts an expanded group’s runs right under its header', () => {
    const l = buildGroupedLayout(groups, new Set(['a', 'b', 'c', 'd']));
    // a: header 0, runs 1..3; b: header 4, runs 5..50004; c (empty): 50005; d: 50006, runs 50007..50008
    expect(l.starts).toEqual([0, 4, 50_005, 50_006]);
    expect(l.open).toEqual([true, true, false, true]);
    expect(l.count).toBe(50_009);
    expect(groupedSlotAt(l, 3)).toEqual({ kind: 'run', group: 0, index: 2 });
    expect(groupedSlotAt(l, 4)).toEqual({ kind: 'group', group: 1 });
    expect(groupedSlotAt(l, 50_004)).toEqual({ kind: 'run', group: 1, index: 49_999 });
    expect(groupedSlotAt(l, 50_005)).toEqual({ kind: 'group', group: 2 });
    expect(groupedSlotAt(l, 50_008)).toEqual({ kind: 'run', group: 3, index: 1 });
    expect(visibleIndexOfRun(l, 1, 0)).toBe(5);
    expect(visibleIndexOfRun(l, 3, 1)).toBe(50_008);
  });

  it('tells which runs of which groups a visible range needs', () => {
    const l = buildGroupedLayout(groups, new Set(['a', 'b', 'd']));
    expect(runRangesIn(l, 0, 10)).toEqual([
      { group: 0, from: 0, to: 2 },
      { group: 1, from: 0, to: 5 },
    ]);
    expect(runRangesIn(l, 30_000, 30_040)).toEqual([{ group: 1, from: 29_995, to: 30_035 }]);
    expect(runRangesIn(l, 50_000, 60_000)).toEqual([
      { group: 1, from: 49_995, to: 49_999 },
      { group: 3, from: 0, to: 1 },
    ]);
  });
});

describe('group keys and labels', () => {
  it('maps column keys to the engine’s typed keys (no quoting), and refuses what cannot group', () => {
    expect(groupKeyOf('params.max_depth')).toEqual({ entity: 'param', key: 'max_depth' });
    expect(groupKeyOf('params.learning rate')).toEqual({ entity: 'param', key: 'learning rate' });
    expect(groupKeyOf("tags.it's `x`")).toEqual({ entity: 'tag', key: "it's `x`" });
    expect(groupKeyOf('attributes.status')).toEqual({ entity: 'attribute', key: 'status' });
    expect(groupKeyOf('attributes.source')).toEqual({ entity: 'tag', key: 'mlflow.source.name' });
    expect(groupKeyOf('metrics.mse')).toBeNull();
    expect(groupKeyOf('attributes.start_time')).toBeNull();
    expect(groupKeyOf(null)).toBeNull();
  });

  it('offers params, tags (not mlflow.*), status and user', () => {
    const keys = groupByChoices({ params: ['lr'], metrics: ['mse'], tags: ['team', 'mlflow.user'] }).map((c) => c.key);
    expect(keys).toEqual(['params.lr', 'attributes.status', 'attributes.user_id', 'tags.team']);
  });

  it('names values as stored, "(no value)" for runs without the key', () => {
    expect(groupLabel(null)).toBe(NO_VALUE_LABEL);
    expect(groupLabel('None')).toBe('None');
    expect(groupLabel('')).toBe('""');
    expect(groupValueKey(null)).not.toBe(groupValueKey('null'));
    expect(groupValueKey('')).not.toBe(groupValueKey(null));
  });
});
