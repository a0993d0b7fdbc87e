// The helper thread of a big SQLite store's first load (sqlite-load-worker.ts runs in it): how it
// is started and what comes back. It never fails the load: a helper that cannot start (no worker
// support, a bundle without its module) or dies leaves the batches it did not deliver, which the
// reader then reads on its own connection.
import { Worker } from 'node:worker_threads';
import type { TrackerState } from './change-tracker.ts';
import type { RunRows } from './read-runs.ts';

/** Runs per batch: ~15 ms of building and indexing each on the main thread at 10 params/metrics. */
export const HELPER_BATCH = 500;
/** Below this many runs the whole read takes less than starting a thread. */
export const HELPER_MIN_RUNS = 2000;
/** The helper thread's module; null disables it. */
export const DEFAULT_SQLITE_WORKER_URL: URL | null = new URL('./sqlite-load-worker.ts', import.meta.url);

export interface HelperTask {
  path: string;
  batch: number;
}

/** Messages from sqlite-load-worker.ts, in this order (any may be missing if it failed). */
export type HelperMessage =
  | { kind: 'ids'; ids: string[] }
  | { kind: 'batch'; batch: number; rows: RunRows; problems: string[] }
  | { kind: 'baseline'; state: TrackerState | null }
  | { kind: 'failed'; reason: string }
  | { kind: 'done' };

export interface HelperResult {
  /** The runs the helper listed (in its read), batch b = ids[b*batch, (b+1)*batch); null: none. */
  ids: string[] | null;
  delivered: Set<number>;
  /** The runs' change baseline, taken in the same read as the batches; null: not taken. */
  baseline: TrackerState | null;
}

/** One batch of the helper's reading. */
export interface HelperBatch {
  rows: RunRows;
  problems: string[];
}

export interface RunningHelper {
  /**
   * The batches, one per turn of the event loop. Messages from a thread are delivered in runs
   * (Node drains a port's queue at once): taking them from a queue one per turn is what keeps
   * the building and indexing of the batches from becoming one long block again.
   */
  batches(): AsyncGenerator<HelperBatch>;
  /** Resolves once the helper is done, failed, could not start or was stopped. */
  result: Promise<HelperResult>;
}

/** Starts the helper thread. Never throws; a helper that fails delivers fewer batches. */
export function startSqliteHelper(url: URL, task: HelperTask, signal?: AbortSignal): RunningHelper {
  const queue: HelperBatch[] = [];
  let wake: (() => void) | null = null;
  let over = false;
  const result: HelperResult = { ids: null, delivered: new Set(), baseline: null };
  const done = new Promise<HelperResult>((resolve) => {
    const finish = () => {
      if (over) return;
      over = true;
      signal?.removeEventListener('abort', stop);
      wake?.();
      resolve(result);
    };
    let worker: Worker | null = null;
    const stop = () => {
      void worker?.terminate();
      finish();
    };
    try {
      worker = new Worker(url, { workerData: task });
    } catch {
      finish();
      return;
    }
    signal?.addEventListener('abort', stop, { once: true });
    worker.on('message', (m: HelperMessage) => {
      if (over) return;
      if (m.kind === 'ids') result.ids = m.ids;
      else if (m.kind === 'batch') {
        result.delivered.add(m.batch);
        queue.push({ rows: m.rows, problems: m.problems });
        wake?.();
      } else if (m.kind === 'baseline') result.baseline = m.state;
      // A helper that failed is not the user's problem: the reader reads what it left itself.
      else if (m.kind === 'done') finish();
    });
    worker.on('error', finish);
    worker.on('exit', finish);
  });
  async function* batches(): AsyncGenerator<HelperBatch> {
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        await new Promise((resolve) => setImmediate(resolve));
      } else if (over) {
        return;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    }
  }
  return { batches, result: done };
}
