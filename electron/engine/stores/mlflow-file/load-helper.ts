// The second thread of a cold load (load-worker.ts runs in it): how it is started, the batches it
// reads, and how they come back. Both threads take batches of BATCH run folders from one shared
// counter and read them with blocking I/O; a batch travels back as plain data (runs, dataset
// references, diagnostics by scope) and joins the cache on this side.
import { Worker } from 'node:worker_threads';
import type { Diagnostic, Experiment, Run, StoreInfo } from '../../model.ts';
import type { ReadContext } from './read-context.ts';
import { readRunFull } from './run-read.ts';
import type { ExpEntry, StoreCache } from './store-cache.ts';

/** Runs per batch handed to the reading threads. */
export const BATCH = 64;
/** The helper thread's module; null disables it (e.g. a bundle that does not ship it). */
export const DEFAULT_WORKER_URL = new URL('./load-worker.ts', import.meta.url);

/** One run folder to read: `<exp.dir>/<name>`. */
export interface RunJob {
  exp: ExpEntry;
  name: string;
}

/** What the helper thread needs to read one run folder. */
export interface HelperJob {
  expId: string;
  expDir: string;
  trashed: boolean;
  name: string;
}

interface TransferRun {
  expId: string;
  run: Run;
  refs: string[];
}

export interface BatchPayload {
  runs: TransferRun[];
  /** Run folders covered (readable or not). */
  count: number;
  diagnostics: [string, Diagnostic[]][];
}

/** Messages from load-worker.ts. */
export type HelperMessage = { ready: true } | { batch: number; payload: BatchPayload } | { done: true };

const PLACEHOLDER_EXPERIMENT: Experiment = {
  experimentId: '',
  name: '',
  artifactLocation: '',
  lifecycleStage: 'active',
  creationTime: null,
  lastUpdateTime: null,
  tags: {},
};

/** Helper side: reads some runs and returns them with their diagnostics, as plain data. */
export async function readBatch(ctx: ReadContext, cache: StoreCache, jobs: readonly HelperJob[]): Promise<BatchPayload> {
  ctx.book.reset();
  const runs: TransferRun[] = [];
  for (const job of jobs) {
    let exp = cache.exps.get(job.expId);
    if (!exp || exp.dir !== job.expDir) {
      exp = { id: job.expId, dir: job.expDir, trashed: job.trashed, exp: PLACEHOLDER_EXPERIMENT, runIds: new Set(), modelIds: new Set(), datasets: new Map() };
      cache.exps.set(job.expId, exp);
    }
    const r = await readRunFull(ctx, exp, job.name, true);
    // Loaded runs are cold (store-cache.ts): their metric states are not sent.
    if (r) runs.push({ expId: exp.id, run: r.run, refs: r.datasetRefs });
  }
  return { runs, count: jobs.length, diagnostics: ctx.book.scopes() };
}

/** Main side: takes a helper batch into the cache; returns how many run folders it covered. */
export function importBatch(ctx: ReadContext, cache: StoreCache, p: BatchPayload, deliver: (run: Run) => void): number {
  for (const [scope, list] of p.diagnostics) ctx.book.set(scope, list);
  for (const t of p.runs) {
    const exp = cache.exps.get(t.expId);
    if (!exp) continue;
    if (cache.addRun(exp, t.run.runId, t.refs, null)) deliver(t.run);
  }
  return p.count;
}

interface Helper {
  /** Resolves once the helper is running (or could not start). */
  started: Promise<void>;
  /** Resolves with the batches delivered, once the helper is done, failed or could not start. */
  finished: Promise<Set<number>>;
  stop(): Promise<void>;
}

/**
 * Starts the helper thread. It never throws: a helper that cannot start (no worker support, the
 * module missing from a bundle) or dies just delivers fewer batches, which the caller reads itself.
 */
export function startHelper(
  url: URL,
  info: StoreInfo,
  runJobs: readonly RunJob[],
  counter: Int32Array,
  onBatch: (p: BatchPayload) => void,
): Helper {
  const delivered = new Set<number>();
  let worker: Worker | null = null;
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const finished = new Promise<Set<number>>((resolve) => {
    try {
      worker = new Worker(url, {
        workerData: {
          info,
          batch: BATCH,
          counter: counter.buffer,
          jobs: runJobs.map((j): HelperJob => ({ expId: j.exp.id, expDir: j.exp.dir, trashed: j.exp.trashed, name: j.name })),
        },
      });
    } catch {
      resolve(delivered);
      return;
    }
    worker.on('message', (m: HelperMessage) => {
      markStarted();
      if ('done' in m) resolve(delivered);
      else if ('batch' in m) {
        delivered.add(m.batch);
        onBatch(m.payload);
      }
    });
    worker.on('error', () => resolve(delivered));
    worker.on('exit', () => resolve(delivered));
  });
  void finished.then(markStarted);
  return {
    started,
    finished,
    stop: async () => {
      const w = worker as Worker | null;
      if (w) await w.terminate();
    },
  };
}
