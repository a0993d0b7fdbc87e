// What the backend says about itself and the open project: host, stores, experiments, indexing
// progress and diagnostics. Filled by state/actions.ts from calls and events.
import type { StateCreator } from 'zustand';
import type { Diagnostic, ExperimentSummary, HostKind, IndexProgressEvent, StoreInfo } from '../../../preload/api.ts';
import type { AppState } from './store.ts';

export interface StatusSlice {
  /** null until the first getStatus answer. */
  host: HostKind | null;
  version: string;
  connectionError: string | null;
  project: string | null;
  /** Bumped on every project (re)open: answers for an older one are dropped. */
  projectEpoch: number;
  opening: boolean;
  openError: string | null;
  stores: StoreInfo[];
  recentProjects: string[];
  /** Every experiment of every store, any lifecycle. */
  experiments: ExperimentSummary[];
  experimentsLoaded: boolean;
  /** Stores still being read, by store id. */
  indexing: Record<string, IndexProgressEvent>;
  generation: number;
  diagnosticsCount: number;
  diagnostics: Diagnostic[] | null;
}

export const createStatusSlice: StateCreator<AppState, [], [], StatusSlice> = () => ({
  host: null,
  version: '',
  connectionError: null,
  project: null,
  projectEpoch: 0,
  opening: false,
  openError: null,
  stores: [],
  recentProjects: [],
  experiments: [],
  experimentsLoaded: false,
  indexing: {},
  generation: 0,
  diagnosticsCount: 0,
  diagnostics: null,
});
