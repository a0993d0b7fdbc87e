// Grouping runs by a param or tag: one group per value (runs without it in "(no value)", last),
// with count and mean/min/max of every metric over the group's runs that have a finite value —
// the same semantics and order as the engine's queryGroups (electron/engine/index/run-groups.ts),
// which groups the runs table; this in-memory version serves the compare set (starred and
// "Selected" runs included).
import type { RunRow } from '../../../../preload/api.ts';
import { orderCategories, rawValue } from '../../core/column-data.ts';

export const MISSING_GROUP = '(no value)';

export interface MetricAggregate {
  mean: number;
  min: number;
  max: number;
  /** Runs of the group with a finite value. */
  count: number;
}

export interface RunGroup {
  value: string;
  runIds: string[];
  metrics: Record<string, MetricAggregate>;
}

export function groupLabelOf(row: RunRow, by: string): string {
  const v = rawValue(row, by, 0);
  return v === null ? MISSING_GROUP : String(v);
}

export function groupRuns(rows: readonly RunRow[], by: string, metricKeys: readonly string[]): RunGroup[] {
  const byValue = new Map<string, RunRow[]>();
  for (const r of rows) {
    const g = groupLabelOf(r, by);
    const list = byValue.get(g);
    if (list) list.push(r);
    else byValue.set(g, [r]);
  }
  const order = orderCategories([...byValue.keys()].filter((v) => v !== MISSING_GROUP));
  if (byValue.has(MISSING_GROUP)) order.push(MISSING_GROUP);
  return order.map((value) => {
    const runs = byValue.get(value) as RunRow[];
    const metrics: Record<string, MetricAggregate> = {};
    for (const k of metricKeys) {
      let sum = 0;
      let count = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const r of runs) {
        const v = r.metrics[k]?.value;
        if (v === undefined || !Number.isFinite(v)) continue;
        sum += v;
        count++;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (count > 0) metrics[k] = { mean: sum / count, min, max, count };
    }
    return { value, runIds: runs.map((r) => r.runId), metrics };
  });
}
