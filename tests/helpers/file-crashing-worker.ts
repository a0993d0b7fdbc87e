// A load helper that takes two batches of run folders and dies without delivering them: the reader
// must notice and read those batches itself (file-parallel.test.ts).
import { parentPort, workerData } from 'node:worker_threads';

const counter = new Int32Array((workerData as { counter: SharedArrayBuffer }).counter);
Atomics.add(counter, 0, 1);
Atomics.add(counter, 0, 1);
parentPort?.postMessage({ ready: true });
throw new Error('helper crashed on purpose');
