// Helper thread of a cold load (cold-load.ts; started by load-helper.ts): takes batches of run
// folders from the shared counter, reads them with blocking I/O like the main thread does, and
// posts each batch back as plain data. Stops when the batches run out or the main thread raises
// the stop flag (the storage proved slow, or the load was aborted).
import { parentPort, workerData } from 'node:worker_threads';
import type { StoreInfo } from '../../model.ts';
import { FileStoreReader, type HelperJob, type HelperMessage } from './file-store-reader.ts';

//
// The same thread also signs run folders for a warm start (warm-start.ts, `kind: 'sign'`): the
// stat walk that checks a snapshot against the files, split between the two threads the same way.
import { signRunBatch, type SignJob, type SignMessage } from './warm-start.ts';

if ((workerData as { kind?: string }).kind === 'sign') {
  const job = workerData as SignJob;
  const counter = new Int32Array(job.counter);
  const batches = Math.ceil(job.dirs.length / job.batch);
  const post = (m: SignMessage) => parentPort?.postMessage(m);
  while (Atomics.load(counter, 1) === 0) {
    const b = Atomics.add(counter, 0, 1);
    if (b >= batches) break;
    post({ batch: b, sigs: signRunBatch(job, b) });
  }
  post({ done: true });
} else {
  const data = workerData as { info: StoreInfo; batch: number; counter: SharedArrayBuffer; jobs: HelperJob[] };
  const counter = new Int32Array(data.counter);
  const batches = Math.ceil(data.jobs.length / data.batch);
  const reader = new FileStoreReader(data.info, { workerUrl: null });
  const post = (m: HelperMessage) => parentPort?.postMessage(m);

  post({ ready: true });
  while (Atomics.load(counter, 1) === 0) {
    const b = Atomics.add(counter, 0, 1);
    if (b >= batches) break;
    const payload = await reader.readBatch(data.jobs.slice(b * data.batch, (b + 1) * data.batch));
    post({ batch: b, payload });
  }
  post({ done: true });
}
