// The run detail panel's data: the run (getRun) and its metric histories for the sparklines.
import type { StateCreator } from 'zustand';
import type { MetricPoint, RunDetail } from '../../../preload/api.ts';
import type { AppState } from './store.ts';

export interface DetailSlice {
  detail: {
    storeId: string;
    runId: string;
    data: RunDetail | null;
    error: string | null;
    history: Record<string, MetricPoint[]> | null;
    /** Bumped on every refresh so the artifacts tab knows to re-list. */
    version: number;
  } | null;
}

export const createDetailSlice: StateCreator<AppState, [], [], DetailSlice> = () => ({ detail: null });
