// queryRuns benchmarks: the queries timed on every store (the file store at both sizes, the
// SQLite store), and how their timings are reported.
import type { PhaseMarks, QueryResult, QuerySpec } from '../child.ts';
import { distWithMean } from '../lib/stats.ts';
import type { BenchContext } from './context.ts';
import { runChild } from './processes.ts';
import { TARGETS } from './settings.ts';

export const QUERIES: QuerySpec[] = [
  {
    name: 'metric<x AND param=s, by metric DESC',
    filter: "metrics.val_loss < 0.5 and params.optimizer = 'adam'",
    orderBy: ['metrics.val_acc DESC'],
    limit: 100,
    scope: 'all',
  },
  { name: 'no filter, newest first (default view)', filter: '', orderBy: ['attributes.start_time DESC'], limit: 100, scope: 'all' },
  {
    name: 'tag=s AND status, by nested-key metric',
    filter: "tags.team = 'vision' and attributes.status = 'FINISHED'",
    orderBy: ['metrics.`system/gpu_utilization` DESC'],
    limit: 100,
    scope: 'all',
  },
  {
    name: 'param IN AND metric<=x, by param, page 11',
    filter: "params.max_depth IN ('3', '5', '7') and metrics.train_loss <= 0.4",
    orderBy: ['params.learning_rate ASC'],
    limit: 100,
    offset: 1000,
    scope: 'all',
  },
  {
    name: 'run_name LIKE in one experiment, 2 sort keys',
    filter: "attributes.run_name LIKE '%fox%'",
    orderBy: ['metrics.val_f1 DESC', 'attributes.start_time ASC'],
    limit: 100,
    scope: 'one',
  },
];

/** What a `load-query` child reports (bench/child.ts, loadQuery). */
export interface LoadQueryRaw {
  loadMs: number[];
  phases: PhaseMarks | null;
  runs: number;
  experiments: number;
  diagnostics: number;
  maxRssAfterLoad: number;
  memAfterLoad: Record<string, number>;
  queries: QueryResult[];
  maxRssEnd: number;
}

export const dist = (xs: number[]) => distWithMean(xs, 2);

export function queriesJson(qs: QueryResult[]) {
  return qs.map((q) => ({
    name: q.name,
    filter: q.filter,
    orderBy: q.orderBy,
    scope: q.scope,
    limit: q.limit,
    offset: q.offset,
    matched: q.matched,
    returned: q.returned,
    ms: dist(q.ms),
  }));
}

/** The worst p95 of the queries. */
export function worstP95(raw: LoadQueryRaw): number {
  return Math.max(...raw.queries.map((q) => dist(q.ms).p95));
}

/** One store size's query results (a summary row per query). */
export function querySummary(ctx: BenchContext, runs: number, raw: LoadQueryRaw): Record<string, unknown> {
  const worst = worstP95(raw);
  for (const q of raw.queries) {
    const d = dist(q.ms);
    ctx.summary.push({
      benchmark: `queryRuns ${runs} runs: ${q.name} (p95)`,
      target: `< ${TARGETS.queryP95Ms} ms`,
      measured: `${d.p95} ms (p50 ${d.p50}, max ${d.max}; ${q.matched} match)`,
      status: d.p95 < TARGETS.queryP95Ms ? 'pass' : 'MISS',
    });
  }
  return {
    runs: raw.runs,
    loadMs: Math.round(raw.loadMs[raw.loadMs.length - 1] as number),
    warmupIterationsNotMeasured: ctx.settings.queryWarmup,
    queries: queriesJson(raw.queries),
    worstP95Ms: worst,
    pass: worst < TARGETS.queryP95Ms,
  };
}

/** queryRuns on the small file store (the large one is timed with the peak-RSS load: large-store.ts). */
export async function smallStoreQueries(ctx: BenchContext): Promise<Record<string, unknown>> {
  const s = ctx.settings;
  const store = await ctx.need('file', s.smallRuns);
  ctx.log(`query: loading ${s.smallRuns} runs, then ${QUERIES.length} queries × ${s.queryIterations}`);
  const raw = await runChild<LoadQueryRaw>(
    { mode: 'load-query', projectDir: store.projectDir, loadReps: 1, queries: QUERIES, iterations: s.queryIterations, warmup: s.queryWarmup },
    30 * 60_000,
  );
  return querySummary(ctx, s.smallRuns, raw);
}

export function queryResults(ctx: BenchContext, bySize: Record<string, unknown>): Record<string, unknown> {
  return { target: `p95 < ${TARGETS.queryP95Ms} ms`, iterations: ctx.settings.queryIterations, bySize };
}
