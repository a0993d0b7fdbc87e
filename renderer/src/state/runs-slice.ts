// The data behind the runs table: the current query, its page cache, the nested runs, the
// columns the runs have and the last filter error. Written only by state/runs-loader.ts.
import type { StateCreator } from 'zustand';
import type { GroupKey, RunGroupSummary } from '../../../preload/api.ts';
import { emptyCache, type PageCache } from '../core/page-cache.ts';
import type { ChildrenMap } from '../core/run-tree.ts';
import type { TableQuery } from '../core/runs-query.ts';
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

/** The groups of the grouped runs table (features/runs-table/group-loader.ts). */
export interface GroupedRuns {
  /** Identity of the queryGroups request these answer (scope, filter, by, metrics, order). */
  key: string;
  /** Identity of the runs inside the groups (scope, filter, sort, by): the group pages' key. */
  rowsKey: string;
  /** Column key grouped by, e.g. `params.max_depth`, and the engine's form of it. */
  by: string;
  groupKey: GroupKey;
  generation: number;
  groups: RunGroupSummary[];
  totalGroups: number;
  /** Runs in all groups. */
  total: number;
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
  /** Grouped table: the groups shown (null while none have arrived, or not grouped). */
  grouped: GroupedRuns | null;
  /** Grouped table: one page cache per group, by groupValueKey; each cache's key is rowsKey + value. */
  groupPages: ReadonlyMap<string, PageCache>;
  /** Grouped table: how many selected runs each group holds (by groupValueKey), for the header marks. */
  groupSelection: ReadonlyMap<string, number>;
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
  grouped: null,
  groupPages: new Map(),
  groupSelection: new Map(),
});
