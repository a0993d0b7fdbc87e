// append → indexChanged: with the watcher live on the small file store, one metric line appended
// to a RUNNING run, timed until the engine's event names that run (and the index has the value).
import { markClean, markDirty } from '../generate-store.ts';
import { mb } from '../lib/stats.ts';
import type { BenchContext } from './context.ts';
import { runChild } from './processes.ts';
import { dist } from './queries.ts';
import { TARGETS } from './settings.ts';

/** What an `append-latency` child reports (bench/child.ts, appendLatency). */
interface AppendRaw {
  /** openProject until it resolves: the store is indexed and queryable. */
  openProjectMs: number;
  /** … until the watcher (started in the background) is live and caught up. */
  openWithWatchMs: number;
  runs: number;
  samples: { runId: string; ms: number | null; valueChecked: boolean }[];
  events: number;
  restoredFiles: number;
  maxRss: number;
}

const TIMEOUT_PER_APPEND_MS = 3000;

export async function appendLatency(ctx: BenchContext): Promise<Record<string, unknown>> {
  const s = ctx.settings;
  const store = await ctx.need('file', s.smallRuns);
  ctx.log(`append-latency: watching ${s.smallRuns} runs, ${s.appends} appends to RUNNING runs`);
  await markDirty(store);
  const raw = await runChild<AppendRaw>(
    {
      mode: 'append-latency',
      projectDir: store.projectDir,
      storePath: store.storePath,
      appends: s.appends,
      timeoutMs: TIMEOUT_PER_APPEND_MS,
      budgetMs: 120_000,
      metricKey: 'val_loss',
      seed: 11,
    },
    20 * 60_000,
  );
  await markClean(store);
  const got = raw.samples.filter((x) => x.ms !== null).map((x) => x.ms as number);
  const d = dist(got);
  const missed = raw.samples.length - got.length;
  const wrong = raw.samples.filter((x) => x.ms !== null && !x.valueChecked).length;
  const pass = d.p95 < TARGETS.appendP95Ms && missed === 0 && wrong === 0;
  ctx.summary.push({
    benchmark: `append → indexChanged, ${s.smallRuns} runs watched, appends to its ${raw.runs} RUNNING runs (p95)`,
    target: `< ${TARGETS.appendP95Ms} ms`,
    measured: `${d.p95} ms (p50 ${d.p50}, max ${d.max}; ${missed} timed out, ${wrong} wrong value)`,
    status: pass ? 'pass' : 'MISS',
  });
  // No target, but what watching costs is what a user of the app pays by default.
  ctx.summary.push({
    benchmark: `openProject with watching on, ${s.smallRuns} runs (queryable / events live)`,
    target: '—',
    measured: `${(raw.openProjectMs / 1000).toFixed(1)} s / ${(raw.openWithWatchMs / 1000).toFixed(1)} s, peak RSS ${mb(raw.maxRss)} MB`,
    status: 'info',
  });
  return {
    runsWatched: s.smallRuns,
    runningRunsAppendedTo: raw.runs,
    openProjectMs: Math.round(raw.openProjectMs),
    openProjectWithWatchMs: Math.round(raw.openWithWatchMs),
    appends: raw.samples.length,
    timedOut: missed,
    indexValueMismatches: wrong,
    latencyMs: d,
    timeoutPerAppendMs: TIMEOUT_PER_APPEND_MS,
    how: 'once the watcher is live: appendFile of one `<ts> <value> <step>` line to metrics/val_loss of a random RUNNING run (a new highest step; what training writes to, and what is watched live in tiered mode too), timed until the indexChanged event naming that run; then the index must report that value as the latest',
    storeRestored: `appended files truncated back to their original size (${raw.restoredFiles} files)`,
    target: `p95 < ${TARGETS.appendP95Ms} ms`,
    pass,
    maxRssBytes: raw.maxRss,
  };
}
