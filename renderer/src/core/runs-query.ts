// Query text the table sends besides the user's own filter. The user's filter is always checked
// on its own first (so an error position points into what they typed); only a filter known to
// parse is wrapped in parentheses and combined here.
import type { RunQuery } from '../../../preload/api.ts';
import { formatIdentifier, quoteValue } from './column-keys.ts';

export type Lifecycle = 'active' | 'deleted';

export interface TableQuery {
  storeId: string;
  experimentIds: string[];
  lifecycle: Lifecycle;
  filter: string;
  orderBy: string[];
  /** Restrict to these runs (a compare-view brush the filter language cannot express). */
  runIds?: string[];
}

const PARENT = formatIdentifier('tag', 'mlflow.parentRunId');

/** Identity of a query's result set: one page cache per key. */
export function queryKey(q: TableQuery): string {
  return JSON.stringify([q.storeId, [...q.experimentIds].sort(), q.lifecycle, q.filter.trim(), q.orderBy, q.runIds ?? null]);
}

/** Which experiments of which store: the unit view settings are remembered for. */
export function scopeKey(storeId: string, experimentIds: readonly string[]): string {
  return `${storeId}::${[...experimentIds].sort().join(',')}`;
}

export function andFilter(userFilter: string, clause: string): string {
  const f = userFilter.trim();
  return f === '' ? clause : `(${f}) AND (${clause})`;
}

/** Nested runs (those with a parent tag) matching the user's filter. */
export function nestedFilter(userFilter: string): string {
  return andFilter(userFilter, `${PARENT} IS NOT NULL`);
}

/** Top-level rows: runs without a parent, plus nested runs whose parent is not shown. */
export function topLevelFilter(userFilter: string, orphanIds: readonly string[]): string {
  const clause =
    orphanIds.length === 0
      ? `${PARENT} IS NULL`
      : `${PARENT} IS NULL OR attributes.run_id IN (${orphanIds.map(quoteValue).join(', ')})`;
  return andFilter(userFilter, clause);
}

export function baseQuery(q: TableQuery): Pick<RunQuery, 'storeId' | 'experimentIds' | 'lifecycle' | 'orderBy' | 'runIds'> {
  const base = { storeId: q.storeId, experimentIds: q.experimentIds, lifecycle: q.lifecycle, orderBy: q.orderBy };
  return q.runIds ? { ...base, runIds: q.runIds } : base;
}
