// Cold load of a file store: the whole tree, walked once (format doc 2). In short synchronous
// slices while the storage answers fast — helped, for big stores, by a second thread
// (load-helper.ts, load-worker.ts) — and with many asynchronous reads in flight once it proves
// slow (fs-util.ts). Runs can be handed over in batches as they are read (`onRuns`), so the engine
// indexes a big store without all its Run objects existing at once; the experiments then come
// first (`onExperiments`) and the one the app opens on is read first. Every run is cached cold
// (store-cache.ts).
import type { Run, StoreInfo } from '../../model.ts';
import type { LoadOptions } from '../reader.ts';
import { listExperimentChildren, locateExperiments, readExperimentAt, readLoggedModel, readStoreRegistry } from './experiment-read.ts';
import { asyncIo, runPool, yieldToLoop } from './fs-util.ts';
import { BATCH, importBatch, startHelper, type RunJob } from './load-helper.ts';
import { RUN_CONCURRENCY, SMALL_CONCURRENCY, type ReadContext } from './read-context.ts';
import { readRunFull } from './run-read.ts';
import type { ExpEntry, StoreCache } from './store-cache.ts';

/**
 * Fraction of slow opens/listings/small reads (see SyncIo) above which the storage is "slow" (cold
 * disk, network mount) and overlapping many asynchronous reads beats sequential blocking ones. A
 * warm local disk answers in a few microseconds.
 */
const SLOW_STORAGE_FRACTION = 0.3;
/** Longest stretch of synchronous reading before the event loop gets a turn. */
const SLICE_MS = 8;
/** Below this many runs a helper thread (~0.1 s to start) costs about what it saves. */
const PARALLEL_MIN_RUNS = 2000;
/** Runs per `onRuns` call of a streaming load. */
const STREAM_BATCH = 256;

export interface LoadSettings {
  info: StoreInfo;
  /** Where load-worker.ts lives; null reads big stores on one thread. */
  workerUrl: URL | null;
  /** Let the helper thread start before this thread takes batches (tests: a deterministic split). */
  waitForHelper: boolean;
}

export interface LoadResult {
  /** The runs read, unless `onRuns` took them. */
  runs: Run[];
  /** How the load went (for tests and benchmarks): the I/O mode and runs read by the helper. */
  lastLoad: { io: 'sync' | 'async'; helperRuns: number };
}

/** Reads the whole store into `cache` (emptied first) and its diagnostics into `ctx.book`. */
export async function coldLoad(ctx: ReadContext, cache: StoreCache, settings: LoadSettings, options: LoadOptions): Promise<LoadResult> {
  const { onProgress, signal, onRuns } = options;
  signal?.throwIfAborted();
  cache.clear();
  ctx.book.reset();

  const located = [...(await locateExperiments(ctx)).entries()];
  const read = await Promise.all(located.map(([id, loc]) => readExperimentAt(ctx, id, loc)));
  const exps = read.filter((e): e is ExpEntry => e !== null);
  for (const e of exps) cache.exps.set(e.id, e);

  const runJobs: RunJob[] = [];
  const modelJobs: { exp: ExpEntry; name: string }[] = [];
  await Promise.all(
    exps.map(async (exp) => {
      const children = await listExperimentChildren(ctx, exp);
      for (const name of children.runs) runJobs.push({ exp, name });
      for (const name of children.models) modelJobs.push({ exp, name });
    }),
  );

  if (onRuns && options.onExperiments) {
    const runFolders = new Map<string, number>();
    for (const { exp } of runJobs) runFolders.set(exp.id, (runFolders.get(exp.id) ?? 0) + 1);
    // Read the experiment the app opens on first (the one with the most runs, ties: the newest
    // — renderer/src/state/actions.ts, chooseInitialScope), so its rows are the first on screen.
    const order = new Map(
      [...exps]
        .sort((a, b) => (runFolders.get(b.id) ?? 0) - (runFolders.get(a.id) ?? 0) || (b.exp.creationTime ?? 0) - (a.exp.creationTime ?? 0))
        .map((e, i) => [e, i] as const),
    );
    runJobs.sort((a, b) => (order.get(a.exp) ?? 0) - (order.get(b.exp) ?? 0));
    options.onExperiments(exps.map((e) => e.exp), runFolders);
  }
  const total = runJobs.length;
  let done = 0;
  onProgress?.(0, total);
  // Without onRuns the runs are collected for the snapshot; with it, handed over in batches.
  const collected: Run[] = [];
  let pending: Run[] = [];
  const deliver = (run: Run): void => {
    if (!onRuns) {
      collected.push(run);
      return;
    }
    pending.push(run);
    if (pending.length >= STREAM_BATCH) {
      const batch = pending;
      pending = [];
      onRuns(batch);
    }
  };
  const readOne = async ({ exp, name }: RunJob) => {
    const r = await readRunFull(ctx, exp, name, true);
    if (r && cache.addRun(exp, name, r.datasetRefs, null)) deliver(r.run);
    done++;
  };
  // Runs are handed out in batches from a shared counter, to this thread and (for big stores) a
  // helper thread (load-worker.ts) that reads with blocking I/O too: a second core halves the
  // wall time. counter[0] = next batch, counter[1] = 1 when the helper must stop taking batches.
  const batches = Math.ceil(total / BATCH);
  const counter = new Int32Array(new SharedArrayBuffer(8));
  const mine = new Set<number>();
  let helperRuns = 0;
  const helper =
    ctx.io === ctx.syncIo && total >= PARALLEL_MIN_RUNS && settings.workerUrl !== null
      ? startHelper(settings.workerUrl, settings.info, runJobs, counter, (payload) => {
          const n = importBatch(ctx, cache, payload, deliver);
          done += n;
          helperRuns += n;
        })
      : null;
  // Synchronous slices while the storage is fast, judged on every batch.
  const sio = ctx.syncIo;
  let lastYield = performance.now();
  try {
    if (helper && settings.waitForHelper) await helper.started;
    while (ctx.io === sio) {
      const b = Atomics.add(counter, 0, 1);
      if (b >= batches) break;
      mine.add(b);
      const ops0 = sio.ops;
      const slow0 = sio.slowOps;
      for (let i = b * BATCH; i < Math.min((b + 1) * BATCH, total); i++) {
        signal?.throwIfAborted();
        await readOne(runJobs[i] as RunJob);
        if (performance.now() - lastYield > SLICE_MS) {
          onProgress?.(done, total);
          await yieldToLoop();
          lastYield = performance.now();
        }
      }
      const ops = sio.ops - ops0;
      if (ops > 0 && (sio.slowOps - slow0) / ops > SLOW_STORAGE_FRACTION) {
        ctx.io = asyncIo;
        Atomics.store(counter, 1, 1);
      }
    }
    // Batches nobody took yet (the storage proved slow): many asynchronous reads in flight.
    const first = Math.min(Atomics.add(counter, 0, batches), batches);
    const rest: RunJob[] = [];
    for (let b = first; b < batches; b++) {
      mine.add(b);
      rest.push(...runJobs.slice(b * BATCH, (b + 1) * BATCH));
    }
    await runPool(rest, RUN_CONCURRENCY, async (job) => {
      signal?.throwIfAborted();
      await readOne(job);
      if (done % 64 === 0) onProgress?.(done, total);
    });
    if (helper) {
      // Whatever the helper took but did not deliver (it failed or could not start) is read here.
      const delivered = await helper.finished;
      for (let b = 0; b < batches; b++) {
        if (mine.has(b) || delivered.has(b)) continue;
        for (const job of runJobs.slice(b * BATCH, (b + 1) * BATCH)) {
          signal?.throwIfAborted();
          await readOne(job);
        }
      }
    }
  } finally {
    if (helper) {
      Atomics.store(counter, 1, 1);
      await helper.stop();
    }
  }
  if (onRuns && pending.length > 0) onRuns(pending);
  pending = [];
  onProgress?.(done, total);
  const lastLoad = { io: ctx.io.sync ? 'sync' : 'async', helperRuns } as const;

  await runPool(modelJobs, SMALL_CONCURRENCY, async ({ exp, name }) => {
    const m = await readLoggedModel(ctx, exp, name);
    if (m) cache.addModel(exp, m);
  });
  cache.registry = await readStoreRegistry(ctx);
  return { runs: collected, lastLoad };
}
