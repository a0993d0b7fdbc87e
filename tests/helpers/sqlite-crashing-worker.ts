// A SQLite load helper that lists the runs, delivers the first batch and dies: the reader must
// read the other batches itself and take the runs' baseline on its own connection
// (sqlite-streaming.test.ts).
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { Query } from '../../electron/engine/stores/mlflow-sqlite/query.ts';
import { queryRunRows } from '../../electron/engine/stores/mlflow-sqlite/read-runs.ts';
import { Schema } from '../../electron/engine/stores/mlflow-sqlite/schema.ts';

const task = workerData as { path: string; batch: number };
const db = new DatabaseSync(task.path, { readOnly: true });
const q = new Query(db);
const ids = (db.prepare('SELECT run_uuid FROM runs').all() as { run_uuid: string }[]).map((r) => r.run_uuid);
parentPort?.postMessage({ kind: 'ids', ids });
const ctx = { q, schema: new Schema(q), jsonNumbersExact: true, problem: () => {} };
parentPort?.postMessage({ kind: 'batch', batch: 0, rows: queryRunRows(ctx, ids.slice(0, task.batch)), problems: [] });
throw new Error('helper crashed on purpose');
