import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../electron/engine/index/filter-parser.ts';
import { andFilter, nestedFilter, queryKey, scopeKey, topLevelFilter } from '../../renderer/src/core/runs-query.ts';

describe('runs query text', () => {
  it('combines the user filter with the nesting clauses into text the engine parses', () => {
    const user = "metrics.mse < 3000 or params.max_depth != 'None'";
    for (const f of [nestedFilter(user), topLevelFilter(user, []), topLevelFilter(user, ["o'1", 'o2']), nestedFilter('')]) {
      expect(() => parseFilter(f)).not.toThrow();
    }
    expect(topLevelFilter('', [])).toBe('tags.mlflow.parentRunId IS NULL');
    expect(andFilter('  ', 'x')).toBe('x');
    // OR in the user's filter must not escape the AND
    const tree = parseFilter(topLevelFilter(user, []));
    expect(tree?.type).toBe('and');
  });

  it('keys ignore experiment order', () => {
    expect(scopeKey('s', ['2', '1'])).toBe(scopeKey('s', ['1', '2']));
    const q = { storeId: 's', experimentIds: ['1', '2'], lifecycle: 'active' as const, filter: 'a', orderBy: [] };
    expect(queryKey(q)).toBe(queryKey({ ...q, experimentIds: ['2', '1'], filter: ' a ' }));
    expect(queryKey(q)).not.toBe(queryKey({ ...q, lifecycle: 'deleted' }));
  });
});
