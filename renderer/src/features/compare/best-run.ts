// "Best by": the run with the lowest or highest finite value of a metric. Ties go the way the
// engine breaks them for the same ORDER BY (start_time DESC, then run_id ASC:
// electron/engine/index/run-order.ts), so the in-memory answer and the query answer agree.
import type { RunRow } from '../../../../preload/api.ts';
import type { Direction } from '../../core/chart-settings.ts';

function better(a: RunRow, av: number, b: RunRow, bv: number, dir: Direction): boolean {
  if (av !== bv) return dir === 'min' ? av < bv : av > bv;
  const at = a.startTime ?? -Infinity;
  const bt = b.startTime ?? -Infinity;
  if (at !== bt) return at > bt;
  return a.runId < b.runId;
}

export function bestRun(rows: readonly RunRow[], metric: string, dir: Direction): RunRow | null {
  let best: RunRow | null = null;
  let bestV = 0;
  for (const r of rows) {
    const v = r.metrics[metric]?.value;
    if (v === undefined || !Number.isFinite(v)) continue;
    if (best === null || better(r, v, best, bestV, dir)) {
      best = r;
      bestV = v;
    }
  }
  return best;
}

/** Filter clause for "has a finite value of the metric" (NaN and ±inf compare false). */
export function finiteClause(metricIdent: string): string {
  return `${metricIdent} >= -1.7976931348623157e308 AND ${metricIdent} <= 1.7976931348623157e308`;
}
