// The SQLite store: cold loads of the small store as mlflow.db, then the same queries.
import { mb } from '../lib/stats.ts';
import type { BenchContext } from './context.ts';
import { runChild } from './processes.ts';
import { dist, QUERIES, queriesJson, worstP95, type LoadQueryRaw } from './queries.ts';
import { TARGETS } from './settings.ts';

export async function sqliteStore(ctx: BenchContext): Promise<Record<string, unknown>> {
  const s = ctx.settings;
  const store = await ctx.need('sqlite', s.smallRuns);
  ctx.log(`sqlite: ${s.sqliteLoadReps} cold loads of ${s.smallRuns} runs, then queries`);
  const raw = await runChild<LoadQueryRaw>(
    { mode: 'load-query', projectDir: store.projectDir, loadReps: s.sqliteLoadReps, queries: QUERIES, iterations: s.queryIterations, warmup: s.queryWarmup },
    30 * 60_000,
  );
  const loads = raw.loadMs.length > 1 ? raw.loadMs.slice(1) : raw.loadMs;
  const worst = worstP95(raw);
  const loadMs = dist(loads).p50;
  // At 10k runs the target applies; other sizes (--quick) are information.
  const loadTarget = raw.runs === 10_000 ? TARGETS.sqliteLoadMs : null;
  ctx.summary.push({
    benchmark: `SQLite cold load ${raw.runs} runs (median)`,
    target: loadTarget === null ? '—' : `≤ ${loadTarget} ms`,
    measured: `${loadMs.toFixed(0)} ms`,
    status: loadTarget === null ? 'info' : loadMs <= loadTarget ? 'pass' : 'MISS',
  });
  ctx.summary.push({
    benchmark: `SQLite queryRuns ${raw.runs} runs (worst p95 of ${raw.queries.length})`,
    target: `< ${TARGETS.queryP95Ms} ms`,
    measured: `${worst} ms`,
    status: worst < TARGETS.queryP95Ms ? 'pass' : 'MISS',
  });
  return {
    runs: raw.runs,
    loadRepetitions: raw.loadMs.length,
    warmupDropped: raw.loadMs.length > 1 ? 1 : 0,
    coldLoadMs: dist(loads),
    ...(loadTarget === null
      ? {}
      : { coldLoad: { measured: `${loadMs.toFixed(0)} ms (median of ${loads.length})`, target: `≤ ${loadTarget} ms`, pass: loadMs <= loadTarget } }),
    rawLoadMs: raw.loadMs.map((x) => Math.round(x)),
    peakRssMb: mb(raw.maxRssAfterLoad),
    queries: queriesJson(raw.queries),
    worstQueryP95Ms: worst,
    queryTarget: `p95 < ${TARGETS.queryP95Ms} ms`,
    pass: worst < TARGETS.queryP95Ms,
  };
}
