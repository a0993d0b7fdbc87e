// The columnar side of queryRuns: ordering helpers, string order, sparse/dense columns, pages
// larger than one SQL chunk.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunIndex, type RunIndex } from '../../electron/engine/index/index.ts';
import { firstK } from '../../electron/engine/index/run-order.ts';
import { compareStrings, DictColumn, NumColumn } from '../../electron/engine/index/run-table.ts';
import { change, run, snapshot } from './model-builders.ts';

/** Deterministic pseudo-random permutation source. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('firstK', () => {
  it('returns the first k in comparator order for any input order', () => {
    const rand = lcg(7);
    for (const n of [0, 1, 2, 5, 50, 1000]) {
      const values = Array.from({ length: n }, () => Math.floor(rand() * 100));
      const cmp = (a: number, b: number) => values[a]! - values[b]! || a - b;
      const sorted = Array.from({ length: n }, (_, i) => i).sort(cmp);
      for (const slots of [sorted, [...sorted].reverse(), Array.from({ length: n }, (_, i) => i)]) {
        for (const k of [0, 1, 3, 10, n, n + 5]) {
          expect(firstK(Int32Array.from(slots), n, k, cmp)).toEqual(sorted.slice(0, k));
        }
      }
    }
  });
});

describe('string order', () => {
  it('compares by code point, not UTF-16 unit', () => {
    // U+FFFD is one unit 0xFFFD; U+1F600 is the pair 0xD83D 0xDE00: UTF-16 order would swap them.
    const words = ['a😀', 'a\uFFFD', 'ab', 'a', 'a\uE000', 'a𐀀'];
    expect([...words].sort(compareStrings)).toEqual(['a', 'ab', 'a\uE000', 'a\uFFFD', 'a𐀀', 'a😀']);
    expect(compareStrings('x', 'x')).toBe(0);
  });

  it('keeps code point order when the dictionary is ranked, extended and re-ranked', () => {
    const col = new DictColumn(0, true);
    col.grow(64);
    const words = ['b', 'a😀', 'a\uFFFD', 'c', 'ab'];
    words.forEach((w, i) => col.set(i, w, 64));
    const order = () => {
      const ranks = col.ranking();
      return [...col.dict].sort((x, y) => ranks[col.lookup(x)]! - ranks[col.lookup(y)]!);
    };
    expect(order()).toEqual(['ab', 'a\uFFFD', 'a😀', 'b', 'c']);
    col.set(5, 'aa', 64); // one new value: inserted into the existing ranking
    expect(order()).toEqual(['aa', 'ab', 'a\uFFFD', 'a😀', 'b', 'c']);
    for (let i = 0; i < 20; i++) col.set(6 + i, `z${String(19 - i).padStart(2, '0')}`, 64); // many: re-sorted
    expect(order().slice(0, 7)).toEqual(['aa', 'ab', 'a\uFFFD', 'a😀', 'b', 'c', 'z00']);
    expect(order().at(-1)).toBe('z19');
  });
});

describe('columns', () => {
  it('turn dense when a key is on many slots and keep every value', () => {
    const nums = new NumColumn();
    const strs = new DictColumn();
    const cap = 200;
    for (let s = 0; s < 150; s += 2) {
      nums.set(s, s === 10 ? NaN : s / 2, cap);
      strs.set(s, `v${s % 7}`, cap);
    }
    nums.grow(400);
    strs.grow(400);
    nums.set(399, -0, 400);
    strs.set(399, 'last', 400);
    for (let s = 0; s < 150; s++) {
      if (s % 2 === 1) {
        expect(nums.get(s)).toBeUndefined();
        expect(strs.code(s)).toBe(-1);
      } else if (s === 10) {
        expect(nums.get(s)).toBeNaN();
      } else {
        expect(nums.get(s)).toBe(s / 2);
        expect(strs.get(s)).toBe(`v${s % 7}`);
      }
    }
    expect(Object.is(nums.get(399), -0)).toBe(true);
    expect(strs.get(399)).toBe('last');
    nums.delete(4);
    strs.delete(4);
    expect(nums.get(4)).toBeUndefined();
    expect(strs.get(4)).toBeUndefined();
    expect(strs.numeric(strs.lookup('v3'))).toBeNaN();
  });
});

describe('queries over many runs', () => {
  let ix: RunIndex;
  beforeEach(async () => {
    ix = await createRunIndex();
  });
  afterEach(() => ix.close());

  it('returns pages larger than one SQL chunk in order, with full rows', () => {
    const rand = lcg(3);
    const runs = Array.from({ length: 1200 }, (_, i) =>
      run(`r${String(i).padStart(4, '0')}`, {
        startTime: 1000 + i,
        params: { i: String(i) },
        metrics: { score: Math.floor(rand() * 50) },
        tags: i % 3 === 0 ? { every: 'third' } : {},
      }),
    );
    ix.applySnapshot(snapshot('/s', { runs }));
    const res = ix.queryRuns({ storeId: '/s', experimentIds: [], orderBy: ['metrics.score DESC'], limit: 5000 });
    expect(res.total).toBe(1200);
    expect(res.rows).toHaveLength(1200);
    const expected = [...runs]
      .sort((a, b) => b.metrics.score!.value - a.metrics.score!.value || b.startTime! - a.startTime!)
      .map((r) => r.runId);
    expect(res.rows.map((r) => r.runId)).toEqual(expected);
    for (const row of res.rows) expect(row.params.i).toBe(String(Number(row.runId.slice(1))));
    expect(res.rows.filter((r) => r.tags.every === 'third')).toHaveLength(400);

    const numeric = ix.queryRuns({ storeId: '/s', experimentIds: [], orderBy: ['params.i DESC'], limit: 3 });
    expect(numeric.rows.map((r) => r.params.i)).toEqual(['1199', '1198', '1197']);
  });

  it('sorts by run name after names are added, removed and reused', () => {
    const names = ['delta', 'alpha', 'charlie', 'bravo', 'echo'];
    ix.applySnapshot(snapshot('/s', { runs: names.map((n, i) => run(`id-${n}`, { runName: n, startTime: i })) }));
    const byName = () => ix.queryRuns({ storeId: '/s', experimentIds: [], orderBy: ['attributes.run_name'] }).rows.map((r) => r.runName);
    expect(byName()).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    ix.applyChange(
      '/s',
      change({ runs: [run('id-new', { runName: 'beta' }), run('id-echo', { runName: 'aardvark', startTime: 4 })], removedRunIds: ['id-delta'] }),
    );
    expect(byName()).toEqual(['aardvark', 'alpha', 'beta', 'bravo', 'charlie']);
    expect(
      ix.queryRuns({ storeId: '/s', experimentIds: [], orderBy: [{ key: 'attributes.run_name', desc: true }], limit: 2 }).rows.map((r) => r.runName),
    ).toEqual(['charlie', 'bravo']);
    expect(ix.queryRuns({ storeId: '/s', experimentIds: [], filter: "run_name = 'echo'" }).total).toBe(0);
  });
});
