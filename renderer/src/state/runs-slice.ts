// The data behind the runs table: the current query, its page cache, the nested runs, the
// columns the runs have and the last filter error. Written only by features/runs-table/runs-loader.ts.
import type { StateCreator } from 'zustand';
import { emptyCache, type PageCache } from '../features/runs-table/page-cache.ts';
import type { ChildrenMap } from '../features/runs-table/run-tree.ts';
import type { TableQuery } from '../features/runs-table/runs-query.ts';
import type { AppState } from './store.ts';

export interface NestedRuns {
  /** Query key these belong to. */
  key: string;
  generation: number;
  children: ChildrenMap;
  /** Nested runs shown at the top level because their parent is not. */
  orphans: string[];
  /** More nested runs than the table groups: shown flat instead. */
  flat: boolean;
  count: number;
}

export interface FilterError {
  /** The filter text the message is about. */
  text: string;
  message: string;
  position: number | null;
  length: number | null;
}

export interface RunsSlice {
  query: TableQuery | null;
  queryKey: string;
  /** Filter for the top-level pages (user filter + nesting clause); null while nesting is resolved. */
  topFilter: string | null;
  cache: PageCache;
  nested: NestedRuns | null;
  filterError: FilterError | null;
  /** A failure that is not the user's filter (backend gone, store unreadable). */
  queryError: string | null;
  columnsAvailable: { params: string[]; metrics: string[]; tags: string[] };
  columnsKey: string;
}

export const createRunsSlice: StateCreator<AppState, [], [], RunsSlice> = () => ({
  query: null,
  queryKey: '',
  topFilter: null,
  cache: emptyCache(''),
  nested: null,
  filterError: null,
  queryError: null,
  columnsAvailable: { params: [], metrics: [], tags: [] },
  columnsKey: '',
});
