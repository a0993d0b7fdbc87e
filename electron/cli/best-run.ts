// Which run is best by one metric — `runsight best` and `runsight promote --best` — on the runs a
// query matched. Only finite values compete: a run without the metric is counted as missing, a
// NaN or ±Infinity latest value as non-finite (an infinite loss is a failed run, not a winner).
//
// Tie rule (equal values): the run that ended first wins — it reached the value first, and a
// re-run of the same configuration does not displace it. A run without an end time (still
// RUNNING, or killed without one) comes after those with one; then the earlier start time; then
// the smaller run id, so the answer never depends on the store's listing order.
import type { RunRow } from '../engine/index/types.ts';

// The same rule, in the same words, as the report's best run (electron/engine/backend/report/best-run.ts).
export { TIE_RULE } from '../engine/backend/report/best-run.ts';

export type Direction = 'max' | 'min';

export interface Ranked {
  row: RunRow;
  value: number;
}

export interface BestResult {
  best: Ranked;
  runnerUp: Ranked | null;
  /** |best − runner-up|, null without a runner-up. */
  gap: number | null;
  /** The runner-up has the same value: the tie rule decided. */
  tie: boolean;
  considered: number;
  withMetric: number;
  missing: number;
  nonFinite: number;
}

export type BestOutcome = { ok: true; result: BestResult } | { ok: false; considered: number; missing: number; nonFinite: number; loggedKeys: string[] };

const nullsLast = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b);

export function compareRanked(dir: Direction) {
  return (a: Ranked, b: Ranked): number =>
    (dir === 'max' ? b.value - a.value : a.value - b.value) ||
    nullsLast(a.row.endTime, b.row.endTime) ||
    nullsLast(a.row.startTime, b.row.startTime) ||
    (a.row.runId < b.row.runId ? -1 : a.row.runId > b.row.runId ? 1 : 0);
}

export function selectBest(rows: readonly RunRow[], metric: string, dir: Direction): BestOutcome {
  const ranked: Ranked[] = [];
  let missing = 0;
  let nonFinite = 0;
  for (const row of rows) {
    const m = row.metrics[metric];
    if (!m) missing += 1;
    else if (!Number.isFinite(m.value)) nonFinite += 1;
    else ranked.push({ row, value: m.value });
  }
  if (ranked.length === 0) {
    const keys = new Set<string>();
    for (const r of rows) for (const k of Object.keys(r.metrics)) keys.add(k);
    return { ok: false, considered: rows.length, missing, nonFinite, loggedKeys: [...keys].sort() };
  }
  ranked.sort(compareRanked(dir));
  const best = ranked[0] as Ranked;
  const runnerUp = ranked[1] ?? null;
  return {
    ok: true,
    result: {
      best,
      runnerUp,
      gap: runnerUp ? Math.abs(best.value - runnerUp.value) : null,
      tie: runnerUp !== null && runnerUp.value === best.value,
      considered: rows.length,
      withMetric: ranked.length + nonFinite,
      missing,
      nonFinite,
    },
  };
}
