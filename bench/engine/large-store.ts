// The large store, loaded once (it does not fit the page cache of a small machine, and a load
// takes minutes): queryRuns at that size, and peak RSS / memory split of the indexing.
import type { Mem } from '../child.ts';
import { mb } from '../lib/stats.ts';
import type { BenchContext } from './context.ts';
import { runChild } from './processes.ts';
import { QUERIES, querySummary, type LoadQueryRaw } from './queries.ts';
import { TARGETS } from './settings.ts';

export interface LargeStoreResults {
  /** This size's entry of results.query.bySize (when `query` runs). */
  query?: Record<string, unknown>;
  /** results.peakRss (when `peak-rss` runs). */
  peakRss?: Record<string, unknown>;
}

const memMb = (m: Mem): Record<string, number> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, mb(v)]));

export async function largeStore(ctx: BenchContext): Promise<LargeStoreResults> {
  const s = ctx.settings;
  const store = await ctx.need('file', s.largeRuns);
  const queries = s.only.has('query') ? QUERIES : [];
  ctx.log(`large store: indexing ${s.largeRuns} runs in a child process${queries.length ? `, then ${queries.length} queries × ${s.queryIterations}` : ''}`);
  const raw = await runChild<LoadQueryRaw>(
    { mode: 'load-query', projectDir: store.projectDir, loadReps: 1, queries, iterations: s.queryIterations, warmup: s.queryWarmup, phases: true },
    45 * 60_000,
  );
  const out: LargeStoreResults = {};
  if (s.only.has('query')) out.query = querySummary(ctx, s.largeRuns, raw);
  if (s.only.has('peak-rss')) out.peakRss = peakRss(ctx, raw);
  return out;
}

function peakRss(ctx: BenchContext, raw: LoadQueryRaw): Record<string, unknown> {
  const peak = mb(raw.maxRssAfterLoad);
  const ph = raw.phases;
  const idx = ph ? ` (${mb(ph.afterRead.rss)} MB once every run is read and indexed; ${mb(ph.afterIndex.heapUsed)} MB heap, ${mb(ph.afterIndex.external)} MB external after)` : '';
  ctx.summary.push({
    benchmark: `peak RSS indexing ${raw.runs} runs`,
    target: `< ${TARGETS.peakRssMb} MB`,
    measured: `${peak} MB${idx}`,
    status: peak < TARGETS.peakRssMb ? 'pass' : 'MISS',
  });
  return {
    runs: raw.runs,
    peakRssMb: peak,
    how: 'child process running Engine.openProject (watch off) on the store; process.resourceUsage().maxRSS right after the load',
    loadMs: Math.round(raw.loadMs[0] as number),
    memoryAfterLoadMb: memMb(raw.memAfterLoad as unknown as Mem),
    phases: ph
      ? {
          how: "forced GC + process.memoryUsage() at the engine's `indexing` event and at `ready`; GC time excluded from the times below. The file store streams runs into the index batch by batch while reading (Engine.addStore), so at `indexing` every run is already read AND indexed (readMs covers both) and only experiments, logged models and the registry remain. The forced GC may make the peak slightly lower than an uninstrumented load.",
          readMs: Math.round(ph.readMs),
          indexMs: Math.round(ph.indexMs),
          maxRssAfterReadMb: mb(ph.maxRssAfterRead),
          afterReadMb: memMb(ph.afterRead),
          afterIndexMb: memMb(ph.afterIndex),
          indexGrowthMb: {
            rss: mb(ph.afterIndex.rss - ph.afterRead.rss),
            heapUsed: mb(ph.afterIndex.heapUsed - ph.afterRead.heapUsed),
            external: mb(ph.afterIndex.external - ph.afterRead.external),
          },
        }
      : null,
    target: `< ${TARGETS.peakRssMb} MB`,
    pass: peak < TARGETS.peakRssMb,
  };
}
