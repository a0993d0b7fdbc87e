// Pages of top-level rows for one query, fetched on demand as the user scrolls. The cache is an
// immutable value (every change returns a new one) so it can live in the zustand store and React
// re-renders only what changed.
//
// Invariants:
// - a cache belongs to one query key; answers for another key are dropped;
// - a page never goes back in time: an answer older (by index generation) than the page it would
//   replace is dropped, so a slow request issued before a live update cannot undo it;
// - refreshing keeps the old rows visible until the new answer lands (no flicker): a page older
//   than `freshAt` (the generation of the last index change that concerns the query) is shown
//   but due for a re-fetch. Staleness is derived from generations, not a flag, so an answer to a
//   request sent before an index change can never pass for fresh.
import type { RunRow } from '../../../preload/api.ts';

export interface Page {
  rows: RunRow[];
  generation: number;
}

export interface PageCache {
  key: string;
  pageSize: number;
  /** null until the first answer. */
  total: number | null;
  /** Generation of the answer `total` came from. */
  totalGeneration: number;
  /** Pages older than this are stale. */
  freshAt: number;
  pages: ReadonlyMap<number, Page>;
}

export interface QueryAnswer {
  rows: RunRow[];
  total: number;
  generation: number;
}

export function emptyCache(key: string, pageSize = 100): PageCache {
  return { key, pageSize, total: null, totalGeneration: -1, freshAt: -1, pages: new Map() };
}

export function applyPage(cache: PageCache, key: string, pageIndex: number, answer: QueryAnswer): PageCache {
  if (key !== cache.key) return cache;
  const existing = cache.pages.get(pageIndex);
  if (existing && answer.generation < existing.generation) return cache;
  const pages = new Map(cache.pages);
  pages.set(pageIndex, { rows: answer.rows, generation: answer.generation });
  let { total, totalGeneration } = cache;
  if (answer.generation >= totalGeneration) {
    total = answer.total;
    totalGeneration = answer.generation;
    // Pages wholly past the new end would show runs that no longer exist.
    const lastPage = Math.max(0, Math.ceil(total / cache.pageSize) - 1);
    for (const i of [...pages.keys()]) if (i > lastPage) pages.delete(i);
  }
  return { ...cache, pages, total, totalGeneration };
}

/** The index changed at `generation` in a way that may concern this query. */
export function markAllStale(cache: PageCache, generation: number): PageCache {
  return generation > cache.freshAt ? { ...cache, freshAt: generation } : cache;
}

export function isStale(cache: PageCache, page: Page): boolean {
  return page.generation < cache.freshAt;
}

export function pageOf(cache: PageCache, index: number): number {
  return Math.floor(index / cache.pageSize);
}

export function rowAt(cache: PageCache, index: number): RunRow | undefined {
  return cache.pages.get(pageOf(cache, index))?.rows[index % cache.pageSize];
}

/** Pages covering [first, last] (row indexes) that are absent or stale, nearest-first from `first`. */
export function pagesToFetch(cache: PageCache, first: number, last: number): number[] {
  const out: number[] = [];
  const maxIndex = cache.total === null ? last : Math.min(last, cache.total - 1);
  if (maxIndex < first && cache.total !== null) return out;
  for (let p = pageOf(cache, Math.max(0, first)); p <= pageOf(cache, Math.max(0, maxIndex)); p++) {
    const page = cache.pages.get(p);
    if (!page || isStale(cache, page)) out.push(p);
  }
  return out;
}

/** Drops pages far from the viewport so memory stays bounded while scrolling through 100k rows. */
export function evictFar(cache: PageCache, centerPage: number, keep: number): PageCache {
  if (cache.pages.size <= keep) return cache;
  const order = [...cache.pages.keys()].sort((a, b) => Math.abs(a - centerPage) - Math.abs(b - centerPage));
  const pages = new Map<number, Page>();
  for (const i of order.slice(0, keep)) pages.set(i, cache.pages.get(i) as Page);
  return { ...cache, pages };
}

/** Every loaded row with its index, in order (for nested-run layout and range selection). */
export function loadedRows(cache: PageCache): { index: number; row: RunRow }[] {
  const out: { index: number; row: RunRow }[] = [];
  for (const p of [...cache.pages.keys()].sort((a, b) => a - b)) {
    const page = cache.pages.get(p) as Page;
    page.rows.forEach((row, i) => out.push({ index: p * cache.pageSize + i, row }));
  }
  return out;
}

/** The oldest generation among the pages covering [first, last]: every row shown is at least this fresh. */
export function shownGeneration(cache: PageCache, first: number, last: number): number | null {
  let min: number | null = null;
  if (cache.total === null) return null;
  if (cache.total === 0) return cache.totalGeneration;
  const end = Math.min(last, cache.total - 1);
  for (let p = pageOf(cache, Math.max(0, first)); p <= pageOf(cache, Math.max(0, end)); p++) {
    const page = cache.pages.get(p);
    if (!page) return null;
    min = min === null ? page.generation : Math.min(min, page.generation);
  }
  return min;
}
