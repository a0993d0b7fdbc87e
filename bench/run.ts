// Engine benchmarks (`npm run bench:engine`; `npm run bench` runs every benchmark). Not tests:
// nothing here asserts on time; every number is reported next to its target, as a table on stdout
// and as JSON in bench/results/.
//
//   node bench/run.ts                 full run (10k / 100k runs) → bench/results/engine.json
//   node bench/run.ts --quick         small smoke run (1k / 3k runs) → bench/results/engine-quick.tmp.json
//   node bench/run.ts --only query    some benchmarks only (comma-separated names below)
//
// Benchmarks: cold-index, query, append-latency, peak-rss, sqlite. Each measurement runs in a
// forked process (bench/child.ts) so that memory, JIT state and peak RSS are its own. Stores come
// from bench/generate-store.ts, cached in bench/.cache/ (generation is not part of any number).
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { Mem, PhaseMarks, QueryResult, QuerySpec, Task } from './child.ts';
import type { FloorResult } from './floor.ts';
import { ensureStore, markClean, markDirty, type GeneratedStore, type StoreKind } from './generate-store.ts';
import { readArgs } from './lib/args.ts';
import { BENCH_DIR } from './lib/paths.ts';
import { git, printTable, resultFile, writeResult } from './lib/report.ts';
import { distWithMean, mb, round } from './lib/stats.ts';

const ALL = ['cold-index', 'query', 'append-latency', 'peak-rss', 'sqlite'] as const;
type BenchName = (typeof ALL)[number];

const TARGETS = {
  coldIndexRatio: 1.5,
  queryP95Ms: 50,
  appendP95Ms: 100,
  peakRssMb: 600,
};

interface Settings {
  quick: boolean;
  only: Set<BenchName>;
  out: string;
  smallRuns: number;
  largeRuns: number;
  coldReps: number;
  queryIterations: number;
  queryWarmup: number;
  appends: number;
  sqliteLoadReps: number;
}

const CLI = {
  usage: `Engine benchmarks: every number next to its target, as a table on stdout and as JSON in bench/results/.

  node bench/run.ts                 full run (10k / 100k runs) → bench/results/engine.json
  node bench/run.ts --quick         small smoke run (1k / 3k runs) → bench/results/engine-quick-all.tmp.json
  node bench/run.ts --only query    some benchmarks only → bench/results/engine-query.tmp.json

Benchmarks: ${ALL.join(', ')}.`,
  options: {
    quick: { kind: 'flag', help: 'smoke sizes (1k / 3k runs), fewer repetitions' },
    only: { kind: 'string', value: 'A,B', help: `some benchmarks only (comma-separated: ${ALL.join(', ')})` },
    out: { kind: 'string', value: 'FILE', help: 'write the JSON here instead' },
  },
} as const;

function parseArgs(argv: string[]): Settings {
  const args = readArgs(argv, CLI);
  const quick = args.quick;
  let only: BenchName[] = [...ALL];
  if (args.only !== undefined) {
    only = args.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean) as BenchName[];
    for (const n of only) if (!ALL.includes(n)) throw new Error(`unknown benchmark "${n}" (known: ${ALL.join(', ')})`);
  }
  const partial = only.length !== ALL.length;
  return {
    quick,
    only: new Set(only),
    // Only a complete full run replaces the committed results; anything else is a scratch file.
    out: args.out ?? resultFile(quick ? 'engine-quick' : 'engine', partial ? only.join('+') : quick ? 'all' : null),
    smallRuns: quick ? 1000 : 10_000,
    largeRuns: quick ? 3000 : 100_000,
    coldReps: quick ? 3 : 7,
    queryIterations: quick ? 30 : 200,
    queryWarmup: quick ? 3 : 10,
    appends: quick ? 15 : 100,
    sqliteLoadReps: quick ? 2 : 5,
  };
}

// Statistics: bench/lib/stats.ts, reported here with two decimals and the mean.
const dist = (xs: number[]) => distWithMean(xs, 2);
const median = (xs: number[]): number => dist(xs).p50;

// ---------------------------------------------------------------------------------------------
// Processes

const CHILD = path.join(BENCH_DIR, 'child.ts');
const GENERATOR = path.join(BENCH_DIR, 'generate-store.ts');

function runChild<T>(task: Task, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify(task)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`${task.mode}: no result after ${timeoutMs / 1000} s (killed)`));
    }, timeoutMs);
    child.on('message', (m: { ok: boolean; result?: T; error?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (m.ok) resolve(m.result as T);
      else reject(new Error(`${task.mode}: ${m.error}`));
    });
    child.on('exit', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${task.mode}: child exited with code ${code} before reporting`));
    });
  });
}

/** Generation in its own process, with more libuv threads (it is bound by small-file creation). */
function generate(kind: StoreKind, runs: number): Promise<GeneratedStore> {
  return new Promise((resolve, reject) => {
    const child = fork(GENERATOR, ['--kind', kind, '--runs', String(runs)], {
      env: { ...process.env, UV_THREADPOOL_SIZE: '16' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`generating ${kind} ${runs}: exit ${code}`));
      // The child left a complete cache entry: read its description.
      ensureStore(kind, runs).then(resolve, reject);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Benchmarks

const QUERIES: QuerySpec[] = [
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

interface ColdIndexRaw {
  floorSync: FloorResult[];
  floorAsync: FloorResult[];
  floorAllSync: FloorResult[];
  floorThreads: FloorResult[];
  engineMs: number[];
  runs: number;
  diagnostics: number;
  maxRss: number;
}

interface LoadQueryRaw {
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

interface SummaryRow {
  benchmark: string;
  target: string;
  measured: string;
  status: 'pass' | 'MISS' | 'info';
}

function queriesJson(qs: QueryResult[]) {
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

async function main(): Promise<void> {
  const s = parseArgs(process.argv.slice(2));
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
  const notes: string[] = [
    'Page cache: warm for every measurement (the stores were just generated or read; caches cannot be dropped reliably without root). Cold-disk numbers would be higher for both the floor and the engine.',
    'Each measurement runs in a fresh forked Node process (bench/child.ts) with --expose-gc; GC is forced between repetitions.',
    'The machine is shared: see loadAverage for background load; timings are wall-clock.',
    `The large store is ${s.largeRuns} runs ≈ ${s.largeRuns * 30} files; at 100k (≈ 3M files, 14 GB allocated on disk) it does not stay in the page cache of this machine next to the other processes, so its load includes real disk reads. It is loaded once, after the small-store benchmarks.`,
  ];

  const need = async (kind: StoreKind, runs: number): Promise<GeneratedStore> => {
    const key = `${kind}-${runs}`;
    log(`store ${key}: ensuring (generated once, then cached in bench/.cache/)`);
    const store = await generate(kind, runs);
    stores[key] = {
      projectDir: path.relative(path.dirname(BENCH_DIR), store.projectDir),
      runs: store.runs,
      experiments: store.experiments.length,
      seed: store.seed,
      generatorVersion: store.generatorVersion,
      generationMs: store.generationMs,
      filesWritten: store.filesWritten,
      shape: `${store.runs} runs × ${store.paramKeys.length} params × ${store.metricKeys.length} metrics × 100 steps × ${store.tagKeys.length} tags (+4 system tags)`,
    };
    return store;
  };

  // ---- cold index vs raw read floor ----
  trace('cold index vs raw read floor');
  if (s.only.has('cold-index')) {
    const store = await need('file', s.smallRuns);
    log(`cold-index: ${s.coldReps} alternating repetitions on ${s.smallRuns} runs`);
    const raw = await runChild<ColdIndexRaw>({ mode: 'cold-index', projectDir: store.projectDir, storePath: store.storePath, reps: s.coldReps }, 30 * 60_000);
    // The first repetition warms the page cache, the JIT and the allocator: dropped.
    const engine = raw.engineMs.slice(1);
    const fSync = raw.floorSync.slice(1).map((f) => f.ms);
    const fAsync = raw.floorAsync.slice(1).map((f) => f.ms);
    const fAll = raw.floorAllSync.slice(1).map((f) => f.ms);
    const fThreads = raw.floorThreads.slice(1).map((f) => f.ms);
    const floorSync = median(fSync);
    const floorAsync = median(fAsync);
    const floorAll = median(fAll);
    const floorThreads = median(fThreads);
    // The floor is the fastest way measured to do the reader's I/O.
    const strategies: [string, number][] = [
      ['sync, main thread + 1 helper thread, batches of 64 runs (the reader on a warm local disk)', floorThreads],
      ['sync, one thread', floorSync],
      ['async, 48 in flight (the reader on slow storage)', floorAsync],
    ];
    const [floorName, floor] = strategies.reduce((a, b) => (b[1] < a[1] ? b : a));
    const eng = median(engine);
    // Judged unrounded: 1.503 is a miss even though it prints as 1.50.
    const exactRatio = eng / floor;
    const ratio = Math.round(exactRatio * 1000) / 1000;
    const f0 = raw.floorSync[0] as FloorResult;
    const fa0 = raw.floorAllSync[0] as FloorResult;
    results.coldIndex = {
      runs: raw.runs,
      store: { files: fa0.files, dirs: fa0.dirs, bytes: fa0.bytes },
      readerScope: {
        files: f0.files,
        dirs: f0.dirs,
        bytes: f0.bytes,
        excluded: "the runs' artifacts/ folders (the reader never lists them)",
      },
      repetitions: s.coldReps,
      warmupDropped: 1,
      order: 'alternating: odd repetitions run the engine first, even ones the floors first',
      floorTwoThreadsMs: dist(fThreads),
      floorSyncMs: dist(fSync),
      floorAsyncMs: dist(fAsync),
      floorWholeStoreSyncMs: dist(fAll),
      engineOpenProjectMs: dist(engine),
      floorMs: floor,
      floorStrategy: `${floorName}; reader scope (bench/floor.ts)`,
      ratio,
      // Contention on a shared machine only adds time: the fastest repetition of each is the
      // cleanest view of the intrinsic cost.
      ratioOfMinimums: Math.round((Math.min(...engine) / Math.min(...fThreads, ...fSync, ...fAsync)) * 1000) / 1000,
      ratioVsTwoThreadFloor: Math.round((eng / floorThreads) * 100) / 100,
      ratioVsSyncFloor: Math.round((eng / floorSync) * 100) / 100,
      ratioVsAsyncFloor: Math.round((eng / floorAsync) * 100) / 100,
      ratioVsWholeStoreFloor: Math.round((eng / floorAll) * 100) / 100,
      target: `ratio ≤ ${TARGETS.coldIndexRatio}`,
      pass: exactRatio <= TARGETS.coldIndexRatio,
      pageCache: 'warm for both the floor and the engine (not dropped between repetitions)',
      diagnostics: raw.diagnostics,
      rawMs: {
        engine: raw.engineMs.map(Math.round),
        floorSync: raw.floorSync.map((f) => Math.round(f.ms)),
        floorAsync: raw.floorAsync.map((f) => Math.round(f.ms)),
        floorWholeStoreSync: raw.floorAllSync.map((f) => Math.round(f.ms)),
        floorTwoThreads: raw.floorThreads.map((f) => Math.round(f.ms)),
      },
    };
    summary.push({
      benchmark: `cold index ${s.smallRuns} runs (engine / raw read floor)`,
      target: `≤ ${TARGETS.coldIndexRatio}×`,
      measured: `${ratio}× (${eng.toFixed(0)} ms vs ${floor.toFixed(0)} ms)`,
      status: exactRatio <= TARGETS.coldIndexRatio ? 'pass' : 'MISS',
    });
  }

  // ---- queryRuns on the small store ----
  trace('queryRuns on the small store');
  const querySummary = (runs: number, raw: LoadQueryRaw): Record<string, unknown> => {
    const worst = Math.max(...raw.queries.map((q) => dist(q.ms).p95));
    for (const q of raw.queries) {
      const d = dist(q.ms);
      summary.push({
        benchmark: `queryRuns ${runs} runs: ${q.name} (p95)`,
        target: `< ${TARGETS.queryP95Ms} ms`,
        measured: `${d.p95} ms (p50 ${d.p50}, max ${d.max}; ${q.matched} match)`,
        status: d.p95 < TARGETS.queryP95Ms ? 'pass' : 'MISS',
      });
    }
    return {
      runs: raw.runs,
      loadMs: Math.round(raw.loadMs[raw.loadMs.length - 1] as number),
      warmupIterationsNotMeasured: s.queryWarmup,
      queries: queriesJson(raw.queries),
      worstP95Ms: worst,
      pass: worst < TARGETS.queryP95Ms,
    };
  };
  const queryBySize: Record<string, unknown> = {};
  if (s.only.has('query')) {
    const store = await need('file', s.smallRuns);
    log(`query: loading ${s.smallRuns} runs, then ${QUERIES.length} queries × ${s.queryIterations}`);
    const raw = await runChild<LoadQueryRaw>(
      { mode: 'load-query', projectDir: store.projectDir, loadReps: 1, queries: QUERIES, iterations: s.queryIterations, warmup: s.queryWarmup },
      30 * 60_000,
    );
    queryBySize[String(s.smallRuns)] = querySummary(s.smallRuns, raw);
    results.query = { target: `p95 < ${TARGETS.queryP95Ms} ms`, iterations: s.queryIterations, bySize: queryBySize };
  }

  // ---- append → indexChanged ----
  trace('append → indexChanged');
  if (s.only.has('append-latency')) {
    const store = await need('file', s.smallRuns);
    log(`append-latency: watching ${s.smallRuns} runs, ${s.appends} appends to RUNNING runs`);
    await markDirty(store);
    const raw = await runChild<AppendRaw>(
      {
        mode: 'append-latency',
        projectDir: store.projectDir,
        storePath: store.storePath,
        appends: s.appends,
        timeoutMs: 3000,
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
    results.appendLatency = {
      runsWatched: s.smallRuns,
      runningRunsAppendedTo: raw.runs,
      openProjectMs: Math.round(raw.openProjectMs),
      openProjectWithWatchMs: Math.round(raw.openWithWatchMs),
      appends: raw.samples.length,
      timedOut: missed,
      indexValueMismatches: wrong,
      latencyMs: d,
      timeoutPerAppendMs: 3000,
      how: 'once the watcher is live: appendFile of one `<ts> <value> <step>` line to metrics/val_loss of a random RUNNING run (a new highest step; what training writes to, and what is watched live in tiered mode too), timed until the indexChanged event naming that run; then the index must report that value as the latest',
      storeRestored: `appended files truncated back to their original size (${raw.restoredFiles} files)`,
      target: `p95 < ${TARGETS.appendP95Ms} ms`,
      pass: d.p95 < TARGETS.appendP95Ms && missed === 0 && wrong === 0,
      maxRssBytes: raw.maxRss,
    };
    summary.push({
      benchmark: `append → indexChanged, ${s.smallRuns} runs watched, appends to its ${raw.runs} RUNNING runs (p95)`,
      target: `< ${TARGETS.appendP95Ms} ms`,
      measured: `${d.p95} ms (p50 ${d.p50}, max ${d.max}; ${missed} timed out, ${wrong} wrong value)`,
      status: d.p95 < TARGETS.appendP95Ms && missed === 0 && wrong === 0 ? 'pass' : 'MISS',
    });
    // No target, but what watching costs is what a user of the app pays by default.
    summary.push({
      benchmark: `openProject with watching on, ${s.smallRuns} runs (queryable / events live)`,
      target: '—',
      measured: `${(raw.openProjectMs / 1000).toFixed(1)} s / ${(raw.openWithWatchMs / 1000).toFixed(1)} s, peak RSS ${mb(raw.maxRss)} MB`,
      status: 'info',
    });
  }

  // ---- SQLite store ----
  trace('SQLite store');
  if (s.only.has('sqlite')) {
    const store = await need('sqlite', s.smallRuns);
    log(`sqlite: ${s.sqliteLoadReps} cold loads of ${s.smallRuns} runs, then queries`);
    const raw = await runChild<LoadQueryRaw>(
      { mode: 'load-query', projectDir: store.projectDir, loadReps: s.sqliteLoadReps, queries: QUERIES, iterations: s.queryIterations, warmup: s.queryWarmup },
      30 * 60_000,
    );
    const loads = raw.loadMs.length > 1 ? raw.loadMs.slice(1) : raw.loadMs;
    const worst = Math.max(...raw.queries.map((q) => dist(q.ms).p95));
    results.sqlite = {
      runs: raw.runs,
      loadRepetitions: raw.loadMs.length,
      warmupDropped: raw.loadMs.length > 1 ? 1 : 0,
      coldLoadMs: dist(loads),
      rawLoadMs: raw.loadMs.map((x) => Math.round(x)),
      peakRssMb: mb(raw.maxRssAfterLoad),
      queries: queriesJson(raw.queries),
      worstQueryP95Ms: worst,
      queryTarget: `p95 < ${TARGETS.queryP95Ms} ms`,
      pass: worst < TARGETS.queryP95Ms,
    };
    summary.push({
      benchmark: `SQLite cold load ${raw.runs} runs (median)`,
      target: '—',
      measured: `${median(loads).toFixed(0)} ms`,
      status: 'info',
    });
    summary.push({
      benchmark: `SQLite queryRuns ${raw.runs} runs (worst p95 of ${raw.queries.length})`,
      target: `< ${TARGETS.queryP95Ms} ms`,
      measured: `${worst} ms`,
      status: worst < TARGETS.queryP95Ms ? 'pass' : 'MISS',
    });
  }

  // ---- the large store, loaded once (it does not fit the page cache of a small machine, and a
  // load takes minutes): queryRuns at that size, and peak RSS / memory split of the indexing ----
  trace('large store');
  if (s.only.has('query') || s.only.has('peak-rss')) {
    const store = await need('file', s.largeRuns);
    const queries = s.only.has('query') ? QUERIES : [];
    log(`large store: indexing ${s.largeRuns} runs in a child process${queries.length ? `, then ${queries.length} queries × ${s.queryIterations}` : ''}`);
    const raw = await runChild<LoadQueryRaw>(
      { mode: 'load-query', projectDir: store.projectDir, loadReps: 1, queries, iterations: s.queryIterations, warmup: s.queryWarmup, phases: true },
      45 * 60_000,
    );
    if (s.only.has('query')) {
      queryBySize[String(s.largeRuns)] = querySummary(s.largeRuns, raw);
      results.query = { target: `p95 < ${TARGETS.queryP95Ms} ms`, iterations: s.queryIterations, bySize: queryBySize };
    }
    if (s.only.has('peak-rss')) {
      const peak = mb(raw.maxRssAfterLoad);
      const ph = raw.phases;
      const memMb = (m: Mem): Record<string, number> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, mb(v)]));
      results.peakRss = {
        runs: raw.runs,
        peakRssMb: peak,
        how: 'child process running Engine.openProject (watch off) on the store; process.resourceUsage().maxRSS right after the load',
        loadMs: Math.round(raw.loadMs[0] as number),
        memoryAfterLoadMb: memMb(raw.memAfterLoad as unknown as Mem),
        phases: ph
          ? {
              how: 'forced GC + process.memoryUsage() at the engine\'s `indexing` event and at `ready`; GC time excluded from the times below. The file store streams runs into the index batch by batch while reading (Engine.addStore), so at `indexing` every run is already read AND indexed (readMs covers both) and only experiments, logged models and the registry remain. The forced GC may make the peak slightly lower than an uninstrumented load.',
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
      const idx = ph ? ` (${mb(ph.afterRead.rss)} MB once every run is read and indexed; ${mb(ph.afterIndex.heapUsed)} MB heap, ${mb(ph.afterIndex.external)} MB external after)` : '';
      summary.push({
        benchmark: `peak RSS indexing ${raw.runs} runs`,
        target: `< ${TARGETS.peakRssMb} MB`,
        measured: `${peak} MB${idx}`,
        status: peak < TARGETS.peakRssMb ? 'pass' : 'MISS',
      });
    }
  }

  trace('end');
  const loadAfter = os.loadavg();
  const cpus = os.cpus();
  const commit = git(['rev-parse', 'HEAD'])?.trim() || 'unknown';
  const dirty = commit === 'unknown' ? [] : (git(['status', '--porcelain', '--', 'electron/engine']) ?? '').split('\n').filter(Boolean);
  const report = {
    schema: 1,
    kind: s.quick ? 'quick' : s.only.size === ALL.length ? 'full' : 'partial',
    benchmarks: [...s.only],
    date: startedAt.toISOString(),
    durationS: Math.round((performance.now() - t0) / 1000),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      totalMemGb: Math.round(os.totalmem() / 1024 ** 3),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
      v8: process.versions.v8,
      uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    },
    loadTrace,
    loadAverage: { before: loadBefore.map((x) => round(x, 2)), after: loadAfter.map((x) => round(x, 2)) },
    repo: { commit, uncommittedEngineFiles: dirty },
    notes,
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
    { empty: '' },
  );
  console.log(`\nJSON: ${written}  (${report.durationS} s; load average ${loadBefore.map((x) => x.toFixed(1)).join(' ')} → ${loadAfter.map((x) => x.toFixed(1)).join(' ')})`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
