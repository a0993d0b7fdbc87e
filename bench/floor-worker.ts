// Helper thread of the two-thread read floor (floor.ts, readFloorThreads): takes batches of run
// folders from the shared counter, reads them like the main thread does, and reports its totals.
import { parentPort, workerData } from 'node:worker_threads';
import { readUnitsFromCounter, type FloorWorkerData } from './floor.ts';

const data = workerData as FloorWorkerData;
parentPort?.postMessage({ ready: true });
const totals = readUnitsFromCounter(data.units, new Int32Array(data.counter), data.batch, data.scope);
parentPort?.postMessage({ totals });
