// One measurement in a fresh process (forked by bench/run.ts): the parent's own memory and JIT
// state never leak into the numbers, and peak RSS (`resourceUsage().maxRSS`) is this process's
// alone. Task as JSON in argv[2]; the result goes back with process.send.
import { appendFile, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { Engine, type IndexChangedEvent } from '../electron/engine/engine.ts';
import { pyFloat } from '../electron/engine/writer/tracking-writer.ts';
import { readFloorAsync, readFloorSync, readFloorThreads, type FloorResult } from './floor.ts';
import { createRng } from './generate-store.ts';

export interface QuerySpec {
  name: string;
  filter: string;
  orderBy: string[];
  limit: number;
  offset?: number;
  /** 'all' = every experiment of the store (the UI's "all runs"); 'one' = the first experiment. */
  scope: 'all' | 'one';
}

export type Task =
  | { mode: 'cold-index'; projectDir: string; storePath: string; reps: number }
  | {
      mode: 'load-query';
      projectDir: string;
      loadReps: number;
      queries: QuerySpec[];
      iterations: number;
      warmup: number;
      /**
       * Memory marks of the (last) load: at the engine's `indexing` progress event (runs read and,
       * for a streaming reader, already indexed) and at `ready`, force a GC and record memory. The GC time
       * is excluded from the reported load time.
       */
      phases?: boolean;
    }
  | {
      mode: 'append-latency';
      projectDir: string;
      storePath: string;
      appends: number;
      timeoutMs: number;
      budgetMs: number;
      metricKey: string;
      seed: number;
    };

export interface QueryResult {
  name: string;
  filter: string;
  orderBy: string[];
  limit: number;
  offset: number;
  scope: 'all' | 'one';
  matched: number;
  returned: number;
  iterations: number;
  ms: number[];
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

export interface Mem {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

function mem(): Mem {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}

function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export interface PhaseMarks {
  readMs: number;
  indexMs: number;
  gcMs: number;
  afterRead: Mem;
  afterIndex: Mem;
  maxRssAfterRead: number;
}

async function openOnce(
  projectDir: string,
  watch: boolean,
  phases = false,
): Promise<{ engine: Engine; storeId: string; ms: number; runs: number; diagnostics: number; phases: PhaseMarks | null }> {
  const engine = await Engine.create({ watch });
  let marks: PhaseMarks | null = null;
  let gcMs = 0;
  let t0 = 0;
  if (phases) {
    const timedGc = (): void => {
      const g0 = performance.now();
      gc();
      gc();
      gcMs += performance.now() - g0;
    };
    const partial: Partial<PhaseMarks> = {};
    // indexProgress is emitted synchronously by Engine.addStore: `indexing` right after the
    // reader's load() (whose runs were indexed as they streamed in) and before the experiments,
    // models and registry are written, `ready` right after that (no watcher here).
    engine.events.on('indexProgress', (p) => {
      if (p.phase === 'indexing') {
        partial.readMs = performance.now() - t0 - gcMs;
        partial.maxRssAfterRead = maxRssBytes();
        timedGc();
        partial.afterRead = mem();
      } else if (p.phase === 'ready') {
        partial.indexMs = performance.now() - t0 - gcMs - (partial.readMs ?? 0);
        timedGc();
        partial.afterIndex = mem();
        marks = { ...(partial as PhaseMarks), gcMs };
      }
    });
  }
  t0 = performance.now();
  const res = await engine.openProject(projectDir);
  const ms = performance.now() - t0 - gcMs;
  const store = res.stores[0];
  if (!store || res.stores.length !== 1) throw new Error(`expected one store in ${projectDir}, found ${res.stores.length}`);
  return { engine, storeId: store.id, ms, runs: engine.index.stats().runs, diagnostics: res.diagnostics.length, phases: marks };
}

async function coldIndex(t: Extract<Task, { mode: 'cold-index' }>) {
  const floorSync: FloorResult[] = [];
  const floorAsync: FloorResult[] = [];
  const floorAllSync: FloorResult[] = [];
  const floorThreads: FloorResult[] = [];
  const engineMs: number[] = [];
  let runs = 0;
  let diagnostics = 0;
  for (let i = 0; i < t.reps; i++) {
    // Alternate which goes first, so neither always inherits the other's cache/allocator state.
    const engineFirst = i % 2 === 1;
    const doEngine = async (): Promise<void> => {
      gc();
      const o = await openOnce(t.projectDir, false);
      engineMs.push(o.ms);
      runs = o.runs;
      diagnostics = o.diagnostics;
      await o.engine.dispose();
    };
    const doFloors = async (): Promise<void> => {
      gc();
      floorSync.push(readFloorSync(t.storePath, 'reader'));
      gc();
      floorAsync.push(await readFloorAsync(t.storePath, 'reader', 48));
      gc();
      floorAllSync.push(readFloorSync(t.storePath, 'all'));
      gc();
      floorThreads.push(await readFloorThreads(t.storePath, 'reader', 2));
    };
    if (engineFirst) {
      await doEngine();
      await doFloors();
    } else {
      await doFloors();
      await doEngine();
    }
  }
  return { floorSync, floorAsync, floorAllSync, floorThreads, engineMs, runs, diagnostics, maxRss: maxRssBytes() };
}

async function loadQuery(t: Extract<Task, { mode: 'load-query' }>) {
  const loadMs: number[] = [];
  let open: Awaited<ReturnType<typeof openOnce>> | null = null;
  for (let i = 0; i < t.loadReps; i++) {
    if (open) await open.engine.dispose();
    gc();
    open = await openOnce(t.projectDir, false, t.phases === true && i === t.loadReps - 1);
    loadMs.push(open.ms);
  }
  if (!open) throw new Error('loadReps must be ≥ 1');
  // With one load this is the peak of indexing itself; later loads reuse the freed memory.
  const maxRssAfterLoad = maxRssBytes();
  const memAfterLoad = mem();
  const { engine, storeId } = open;
  const exps = engine.index.listExperiments({ storeId }).filter((e) => e.runCounts.active > 0);
  const results: QueryResult[] = [];
  for (const q of t.queries) {
    const experimentIds = q.scope === 'all' ? [] : [exps[0]?.experimentId ?? '0'];
    const run = () =>
      engine.index.queryRuns({ storeId, experimentIds, filter: q.filter, orderBy: q.orderBy, limit: q.limit, offset: q.offset ?? 0 });
    let last = run();
    for (let i = 1; i < t.warmup; i++) run();
    const ms: number[] = [];
    for (let i = 0; i < t.iterations; i++) {
      const t0 = performance.now();
      last = run();
      ms.push(performance.now() - t0);
    }
    results.push({
      name: q.name,
      filter: q.filter,
      orderBy: q.orderBy,
      limit: q.limit,
      offset: q.offset ?? 0,
      scope: q.scope,
      matched: last.total,
      returned: last.rows.length,
      iterations: t.iterations,
      ms,
    });
  }
  const out = {
    loadMs,
    phases: open.phases,
    runs: open.runs,
    experiments: exps.length,
    diagnostics: open.diagnostics,
    maxRssAfterLoad,
    memAfterLoad,
    queries: results,
    maxRssEnd: maxRssBytes(),
  };
  await engine.dispose();
  return out;
}

async function appendLatency(t: Extract<Task, { mode: 'append-latency' }>) {
  const engine = await Engine.create({ watch: true });
  const t0 = performance.now();
  const res = await engine.openProject(t.projectDir);
  const openProjectMs = performance.now() - t0;
  // The watcher starts after the store is queryable; appends are timed once it is live.
  await engine.whenWatching();
  const openWithWatchMs = performance.now() - t0;
  const storeId = (res.stores[0] as { id: string }).id;
  // Training writes to RUNNING runs: in a store too big to watch every file (tiered watching),
  // those are the runs watched live, finished ones are only polled for folder changes.
  const rows = engine.index.queryRuns({ storeId, experimentIds: [], filter: "attributes.status = 'RUNNING'", limit: 1_000_000 }).rows;
  if (rows.length === 0) throw new Error('no RUNNING run in the store to append to');
  const rng = createRng(t.seed, 7);
  const originalSizes = new Map<string, number>();
  const samples: { runId: string; ms: number | null; valueChecked: boolean }[] = [];
  const started = performance.now();
  let events = 0;
  const countEvents = (): void => {
    events++;
  };
  engine.events.on('indexChanged', countEvents);
  try {
    for (let k = 0; k < t.appends && performance.now() - started < t.budgetMs; k++) {
      const row = rows[Math.floor(rng() * rows.length)] as (typeof rows)[number];
      const file = path.join(t.storePath, row.experimentId, row.runId, 'metrics', ...t.metricKey.split('/'));
      if (!originalSizes.has(file)) originalSizes.set(file, (await stat(file)).size);
      const step = 1000 + k;
      const value = Math.round(rng() * 1e6) / 1e6;
      const line = `${Date.now()} ${pyFloat(value)} ${step}\n`;
      const generation = engine.currentGeneration;
      const arrived = new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          engine.events.off('indexChanged', on);
          resolve(null);
        }, t.timeoutMs);
        const on = (ev: IndexChangedEvent): void => {
          if (ev.generation > generation && ev.runIds.includes(row.runId)) {
            clearTimeout(timer);
            engine.events.off('indexChanged', on);
            resolve(performance.now());
          }
        };
        engine.events.on('indexChanged', on);
      });
      const sent = performance.now();
      await appendFile(file, line);
      const at = await arrived;
      const latest = engine.index.getRun({ storeId, runId: row.runId })?.metrics[t.metricKey];
      samples.push({ runId: row.runId, ms: at === null ? null : at - sent, valueChecked: latest?.value === value && latest.step === step });
      // A short random pause: appends from a training loop are not back to back.
      await new Promise((r) => setTimeout(r, 10 + Math.floor(rng() * 40)));
    }
  } finally {
    engine.events.off('indexChanged', countEvents);
    await engine.dispose();
    // Put the cached store back exactly as generated.
    for (const [file, size] of originalSizes) await truncate(file, size);
  }
  return { openProjectMs, openWithWatchMs, runs: rows.length, samples, events, restoredFiles: originalSizes.size, maxRss: maxRssBytes() };
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as Task;
  let result: unknown;
  switch (task.mode) {
    case 'cold-index':
      result = await coldIndex(task);
      break;
    case 'load-query':
      result = await loadQuery(task);
      break;
    case 'append-latency':
      result = await appendLatency(task);
      break;
    default:
      throw new Error(`unknown task ${JSON.stringify(task)}`);
  }
  await new Promise<void>((resolve, reject) => {
    if (!process.send) return reject(new Error('bench/child.ts must be forked by bench/run.ts'));
    process.send({ ok: true, result }, (e: Error | null) => (e ? reject(e) : resolve()));
  });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    const message = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    if (process.send) process.send({ ok: false, error: message }, () => process.exit(1));
    else {
      console.error(message);
      process.exit(1);
    }
  },
);
