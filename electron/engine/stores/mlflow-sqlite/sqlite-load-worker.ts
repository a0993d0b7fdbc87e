// Helper thread of a big SQLite store's first load (load-helper.ts starts it): opens its own
// read-only connection, and in one read transaction lists the runs, runs the SQL of each batch
// of them (read-runs.ts, queryRunRows) and posts the rows, then takes the runs' change baseline
// (trackers.ts). The main thread builds and indexes the Run objects batch by batch meanwhile, so
// the SQL never holds the thread that answers the app's queries.
import { parentPort, workerData } from 'node:worker_threads';
import type { HelperMessage, HelperTask } from './load-helper.ts';
import { openDatabase } from './open-database.ts';
import { str } from './query.ts';
import { checkJsonNumbers, describeReadError, type ReadContext } from './read-context.ts';
import { queryRunRows } from './read-runs.ts';
import { Schema } from './schema.ts';
import { runTracker } from './trackers.ts';

const task = workerData as HelperTask;
const post = (m: HelperMessage) => parentPort?.postMessage(m);

function main(): void {
  const opened = openDatabase(task.path);
  if (!opened.ok) {
    post({ kind: 'failed', reason: opened.reason });
    return;
  }
  const { db, q } = opened;
  try {
    const schema = new Schema(q);
    let problems: string[] = [];
    const ctx: ReadContext = { q, schema, jsonNumbersExact: checkJsonNumbers(q), problem: (t) => problems.push(t) };
    db.exec('BEGIN');
    const ids: string[] = [];
    for (const r of q.all(`SELECT run_uuid FROM runs`)) {
      const id = str(r[0]);
      if (id !== null) ids.push(id);
    }
    post({ kind: 'ids', ids });
    for (let b = 0; b * task.batch < ids.length; b++) {
      const rows = queryRunRows(ctx, ids.slice(b * task.batch, (b + 1) * task.batch));
      post({ kind: 'batch', batch: b, rows, problems });
      problems = [];
    }
    const tracker = runTracker(schema);
    try {
      tracker.baseline(q);
      post({ kind: 'baseline', state: tracker.state() });
    } catch {
      // The reader takes the baseline itself (and reports it if it fails there too).
      post({ kind: 'baseline', state: null });
    }
  } catch (e) {
    post({ kind: 'failed', reason: describeReadError('the runs', e) });
  } finally {
    try {
      if (db.isTransaction) db.exec('ROLLBACK');
      db.close();
    } catch {
      // closing a connection that failed: nothing left to release
    }
  }
}

main();
post({ kind: 'done' });
