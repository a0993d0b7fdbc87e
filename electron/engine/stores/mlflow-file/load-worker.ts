// Helper thread of a cold load (cold-load.ts; started by load-helper.ts): takes batches of run
// folders from the shared counter, reads them with blocking I/O like the main thread does, and
// posts each batch back as plain data. Stops when the batches run out or the main thread raises
// the stop flag (the storage proved slow, or the load was aborted).
import { parentPort, workerData } from 'node:worker_threads';
import type { StoreInfo } from '../../model.ts';
import { FileStoreReader, type HelperJob, type HelperMessage } from './file-store-reader.ts';

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
