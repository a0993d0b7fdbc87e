// Loads the run the detail panel shows, and its metric histories (for the sparklines). A refresh
// (live update of the same run) keeps the current content until the new one arrives.
import { call } from '../bridge/client.ts';
import { useApp } from './store.ts';

/** Sparklines for more keys than this would be unreadable anyway; the table lists them all. */
const MAX_SPARKLINES = 60;

const set = useApp.setState;
const get = useApp.getState;
let seq = 0;

export async function loadDetail(storeId: string, runId: string, opts: { refresh?: boolean } = {}): Promise<void> {
  const mine = ++seq;
  const cur = get().detail;
  const same = cur && cur.storeId === storeId && cur.runId === runId;
  if (!same || !opts.refresh) {
    set({ detail: { storeId, runId, data: same ? cur.data : null, error: null, history: same ? cur.history : null, version: (cur?.version ?? 0) + 1 } });
  }
  try {
    const data = await call('getRun', { storeId, runId });
    if (mine !== seq) return;
    const prev = get().detail;
    set({ detail: { storeId, runId, data, error: null, history: prev?.runId === runId ? prev.history : null, version: (prev?.version ?? 0) + 1 } });
    const keys = Object.keys(data.run.metrics).sort().slice(0, MAX_SPARKLINES);
    if (keys.length === 0) {
      set({ detail: { ...(get().detail as NonNullable<ReturnType<typeof get>['detail']>), history: {} } });
      return;
    }
    const hist = await call('getMetricHistory', { storeId, runIds: [runId], keys });
    if (mine !== seq) return;
    const d = get().detail;
    if (d && d.runId === runId) set({ detail: { ...d, history: hist[runId] ?? {} } });
  } catch (e) {
    if (mine !== seq) return;
    const d = get().detail;
    set({ detail: { storeId, runId, data: d?.runId === runId ? d.data : null, history: d?.runId === runId ? d.history : null, error: e instanceof Error ? e.message : String(e), version: (d?.version ?? 0) + 1 } });
  }
}

export function closeDetail(): void {
  seq++;
  set({ detail: null, detailOpen: false });
}
