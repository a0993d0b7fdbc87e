import { describe, expect, it } from 'vitest';
import {
  applyPage,
  emptyCache,
  evictFar,
  loadedRows,
  markAllStale,
  pagesToFetch,
  rowAt,
  shownGeneration,
} from '../../renderer/src/core/page-cache.ts';
import { rows } from './helpers.ts';

describe('page cache', () => {
  it('stores pages and maps row indexes into them', () => {
    let c = emptyCache('k', 10);
    expect(pagesToFetch(c, 0, 25)).toEqual([0, 1, 2]);
    c = applyPage(c, 'k', 1, { rows: rows('r', 10, 10), total: 95, generation: 1 });
    expect(c.total).toBe(95);
    expect(rowAt(c, 13)?.runId).toBe('r13');
    expect(rowAt(c, 3)).toBeUndefined();
    expect(pagesToFetch(c, 0, 25)).toEqual([0, 2]);
    expect(pagesToFetch(c, 80, 200)).toEqual([8, 9]);
  });

  it('drops answers for another query', () => {
    const c = emptyCache('k', 10);
    expect(applyPage(c, 'other', 0, { rows: rows('r', 0, 10), total: 10, generation: 1 })).toBe(c);
  });

  it('never lets an older answer replace a newer page', () => {
    let c = emptyCache('k', 10);
    c = applyPage(c, 'k', 0, { rows: rows('new', 0, 10), total: 50, generation: 5 });
    const after = applyPage(c, 'k', 0, { rows: rows('old', 0, 10), total: 40, generation: 4 });
    expect(after).toBe(c);
    expect(rowAt(after, 0)?.runId).toBe('new0');
    // total follows the newest answer only
    const other = applyPage(c, 'k', 1, { rows: rows('x', 10, 10), total: 40, generation: 4 });
    expect(other.total).toBe(50);
  });

  it('keeps stale rows visible until their refresh lands, then replaces in place', () => {
    let c = emptyCache('k', 10);
    c = applyPage(c, 'k', 0, { rows: rows('a', 0, 10), total: 10, generation: 1 });
    c = markAllStale(c, 2);
    expect(rowAt(c, 2)?.runId).toBe('a2');
    expect(pagesToFetch(c, 0, 9)).toEqual([0]);
    expect(shownGeneration(c, 0, 9)).toBe(1);
    c = applyPage(c, 'k', 0, { rows: rows('b', 0, 10), total: 10, generation: 2 });
    expect(rowAt(c, 2)?.runId).toBe('b2');
    expect(pagesToFetch(c, 0, 9)).toEqual([]);
    expect(shownGeneration(c, 0, 9)).toBe(2);
  });

  it('keeps a page stale when the answer predates the index change', () => {
    let c = emptyCache('k', 10);
    c = markAllStale(c, 7);
    // a request sent before generation 7 was announced answers with 6: shown, but re-fetched
    c = applyPage(c, 'k', 0, { rows: rows('a', 0, 10), total: 10, generation: 6 });
    expect(rowAt(c, 0)?.runId).toBe('a0');
    expect(pagesToFetch(c, 0, 9)).toEqual([0]);
    c = applyPage(c, 'k', 0, { rows: rows('b', 0, 10), total: 10, generation: 7 });
    expect(pagesToFetch(c, 0, 9)).toEqual([]);
    expect(markAllStale(c, 3)).toBe(c);
  });

  it('drops pages past a shrunken total', () => {
    let c = emptyCache('k', 10);
    c = applyPage(c, 'k', 0, { rows: rows('a', 0, 10), total: 30, generation: 1 });
    c = applyPage(c, 'k', 2, { rows: rows('a', 20, 10), total: 30, generation: 1 });
    c = applyPage(c, 'k', 0, { rows: rows('a', 0, 10), total: 12, generation: 2 });
    expect([...c.pages.keys()]).toEqual([0]);
  });

  it('evicts the pages farthest from the viewport', () => {
    let c = emptyCache('k', 10);
    for (let p = 0; p < 10; p++) c = applyPage(c, 'k', p, { rows: rows('a', p * 10, 10), total: 100, generation: 1 });
    c = evictFar(c, 7, 3);
    expect([...c.pages.keys()].sort()).toEqual([6, 7, 8]);
    expect(loadedRows(c).map((r) => r.index)[0]).toBe(60);
  });

  it('reports the generation of what is shown, or null while a page is missing', () => {
    let c = emptyCache('k', 10);
    expect(shownGeneration(c, 0, 5)).toBeNull();
    c = applyPage(c, 'k', 0, { rows: [], total: 0, generation: 3 });
    expect(shownGeneration(c, 0, 5)).toBe(3);
  });
});
