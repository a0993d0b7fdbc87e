// Engine benchmarks (`npm run bench:engine`; `npm run bench` runs every benchmark). Not tests:
// nothing here asserts on time; every number is reported next to its target, as a table on stdout
// and as JSON in bench/results/.
//
//   node bench/run.ts                 full run (10k / 100k runs) → bench/results/engine.json
//   node bench/run.ts --quick         small smoke run (1k / 3k runs) → bench/results/engine-quick-all.tmp.json
//   node bench/run.ts --only query    some benchmarks only (comma-separated names below)
//
// Benchmarks: cold-index, query, append-latency, peak-rss, sqlite, one module each in
// bench/engine/. Each measurement runs in a forked process (bench/child.ts) so that memory, JIT
// state and peak RSS are its own. Stores come from bench/generate-store.ts, cached in bench/.cache/
// (generation is not part of any number).
import os from 'node:os';
import type { GeneratedStore, StoreKind } from './generate-store.ts';
import { appendLatency } from './engine/append-latency.ts';
import { coldIndex } from './engine/cold-index.ts';
import type { BenchContext, SummaryRow } from './engine/context.ts';
import { machine, notes, repo, round2, storeJson } from './engine/envelope.ts';
import { largeStore } from './engine/large-store.ts';
import { generate } from './engine/processes.ts';
import { queryResults, smallStoreQueries } from './engine/queries.ts';
import { ALL, parseSettings, TARGETS } from './engine/settings.ts';
import { sqliteStore } from './engine/sqlite.ts';
import { printTable, writeResult } from './lib/report.ts';
import { round } from './lib/stats.ts';

async function main(): Promise<void> {
  const s = parseSettings(process.argv.slice(2));
  const startedAt = new Date();
  const t0 = performance.now();
  const loadBefore = os.loadavg();
  const log = (m: string): void => console.error(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);
  // Background load at each step, so a reader of the JSON can tell which numbers were contended.
  const loadTrace: { at: string; load1: number }[] = [];
  const trace = (at: string): void => {
    loadTrace.push({ at, load1: round(os.loadavg()[0] as number, 2) });
  };
  const summary: SummaryRow[] = [];
  const results: Record<string, unknown> = {};
  const stores: Record<string, unknown> = {};
  const need = async (kind: StoreKind, runs: number): Promise<GeneratedStore> => {
    const key = `${kind}-${runs}`;
    log(`store ${key}: ensuring (generated once, then cached in bench/.cache/)`);
    const store = await generate(kind, runs);
    stores[key] = storeJson(store);
    return store;
  };
  const ctx: BenchContext = { settings: s, need, log, summary };

  trace('cold index vs raw read floor');
  if (s.only.has('cold-index')) results.coldIndex = await coldIndex(ctx);

  trace('queryRuns on the small store');
  const queryBySize: Record<string, unknown> = {};
  if (s.only.has('query')) {
    queryBySize[String(s.smallRuns)] = await smallStoreQueries(ctx);
    results.query = queryResults(ctx, queryBySize);
  }

  trace('append → indexChanged');
  if (s.only.has('append-latency')) results.appendLatency = await appendLatency(ctx);

  trace('SQLite store');
  if (s.only.has('sqlite')) results.sqlite = await sqliteStore(ctx);

  trace('large store');
  if (s.only.has('query') || s.only.has('peak-rss')) {
    const large = await largeStore(ctx);
    if (large.query) {
      queryBySize[String(s.largeRuns)] = large.query;
      results.query = queryResults(ctx, queryBySize);
    }
    if (large.peakRss) results.peakRss = large.peakRss;
  }

  trace('end');
  const loadAfter = os.loadavg();
  const report = {
    schema: 1,
    kind: s.quick ? 'quick' : s.only.size === ALL.length ? 'full' : 'partial',
    benchmarks: [...s.only],
    date: startedAt.toISOString(),
    durationS: Math.round((performance.now() - t0) / 1000),
    machine: machine(),
    loadTrace,
    loadAverage: { before: round2(loadBefore), after: round2(loadAfter) },
    repo: repo(),
    notes: notes(s),
    targets: TARGETS,
    stores,
    results,
    summary,
  };
  const written = await writeResult(s.out, report);
  console.log('');
  printTable(
    [{ head: 'benchmark' }, { head: 'target' }, { head: 'measured' }, { head: 'status' }],
    summary.map((r) => [r.benchmark, r.target, r.measured, r.status === 'info' ? '' : r.status]),
  );
  console.log(`\nJSON: ${written}  (${report.durationS} s; load average ${loadBefore.map((x) => x.toFixed(1)).join(' ')} → ${loadAfter.map((x) => x.toFixed(1)).join(' ')})`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
