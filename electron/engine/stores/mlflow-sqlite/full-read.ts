// A whole read of a tracking database, in one read transaction: the experiments, runs, logged
// models and registry, and the fingerprints the next refresh compares against. readAll reads it
// all on this thread (refreshes that re-read everything); readAllStreaming is a first load the
// engine streams, the runs handed over batch by batch and, in a big store, their SQL run by the
// helper thread (load-helper.ts). What the parts become (a snapshot, the reader's tracking state)
// is the reader's (sqlite-store-reader.ts).
import type { Experiment, LoggedModel, RegisteredModel, Run, StoreSnapshot } from '../../model.ts';
import type { LoadOptions } from '../reader.ts';
import type { EntityTracker, TrackerState } from './change-tracker.ts';
import { HELPER_BATCH, startSqliteHelper } from './load-helper.ts';
import type { OpenedDatabase } from './open-database.ts';
import { num, str, type Row } from './query.ts';
import { describeReadError, section, type ReadContext } from './read-context.ts';
import { readRegistry } from './read-registry.ts';
import { buildRuns, readRuns } from './read-runs.ts';
import { readExperiments, readLoggedModels } from './read-tracking.ts';
import type { Schema } from './schema.ts';
import { modelTracker, runTracker } from './trackers.ts';

/** What a read needs of the reader: its open connection and where it finds the helper thread. */
export interface ReadSource {
  conn: OpenedDatabase;
  schema: Schema;
  context(problems: string[]): ReadContext;
  path: string;
  workerUrl: URL | null;
  helperMinRuns: number;
}

/** How the last streaming load went (tests ask). */
export interface SqliteLoadStats {
  /** Runs whose SQL ran in the helper thread, and on this one. */
  helperRuns: number;
  ownRuns: number;
  /** Whether the runs' change baseline is the helper's. */
  helperBaseline: boolean;
}

export interface Trackers {
  runs: EntityTracker | null;
  models: EntityTracker | null;
}

/** What a read found, before the reader makes its snapshot and tracking state of it. */
export interface ReadParts {
  problems: string[];
  versions: Versions;
  experiments: Experiment[];
  /** The runs not handed over already (a streaming load hands them all over: none). */
  runs: Run[];
  runIds: string[];
  rest: { loggedModels: LoggedModel[]; registry: RegisteredModel[] };
  trackers: Trackers;
  /** A streaming load's; null for readAll. */
  stats: SqliteLoadStats | null;
}

export interface Tracking {
  dataVersion: number | null;
  schemaVersion: number | null;
  experiments: Map<string, string>;
  /** null when fingerprints could not be taken: the next change re-reads everything. */
  runs: EntityTracker | null;
  models: EntityTracker | null;
  /** Ids last reported, to name removals when there are no fingerprints to diff. */
  runIds: string[];
  modelIds: string[];
  registry: string;
  registryEmpty: boolean;
}

export interface FullRead {
  snapshot: StoreSnapshot;
  tracking: Tracking;
}

export function canonicalExperiment(e: Experiment): string {
  return JSON.stringify({ ...e, tags: Object.entries(e.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) });
}

export function canonicalRegistry(models: RegisteredModel[]): string {
  return JSON.stringify([...models].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
}

/** Everything, in one read transaction, plus the fingerprints refresh compares against. */
export function readAll(src: ReadSource, options: LoadOptions = {}): ReadParts {
  const { conn } = src;
  const problems: string[] = [];
  const ctx = src.context(problems);
  const total = 4;
  const step = (done: number): void => {
    options.signal?.throwIfAborted();
    options.onProgress?.(done, total);
  };
  conn.db.exec('BEGIN');
  try {
    const versions = readVersions(conn);
    const experiments = readExperiments(ctx);
    step(1);
    const runs = readRuns(ctx, null);
    step(2);
    const rest = readRest(ctx);
    step(3);
    const trackers = baselines(src, problems, null);
    step(4);
    return { problems, versions, experiments, runs, runIds: runs.map((x) => x.runId), rest, trackers, stats: null };
  } finally {
    endRead(conn);
  }
}

/**
 * A first load the engine streams (LoadOptions.onRuns): the experiments at once, then the runs
 * in batches of HELPER_BATCH, each built and handed over as it is read. In a big store the SQL
 * of the runs runs in the helper thread (sqlite-load-worker.ts), so this thread only builds and
 * indexes batches and answers queries between them; what the helper did not deliver (it could
 * not start, or died) is read here, batch by batch.
 * Consistency: this connection's read transaction begins first and stays open to the end, so
 * `data_version` dates from no later than anything read. The helper reads the batches and the
 * runs' baseline in one transaction of its own, of the same commit (a rollback-journal database
 * takes no commit while this read holds its lock) or a later one (WAL); whatever was committed
 * after this read began then moves data_version and the next refresh diffs against that
 * baseline. A run read here and one read by the helper could be of different commits: the
 * helper's baseline is used only when the helper delivered every batch.
 */
export async function readAllStreaming(src: ReadSource, options: LoadOptions & { onRuns: (runs: Run[]) => void }): Promise<ReadParts> {
  const { conn } = src;
  const problems: string[] = [];
  const ctx = src.context(problems);
  conn.db.exec('BEGIN');
  try {
    const versions = readVersions(conn);
    const experiments = readExperiments(ctx);
    const perExperiment = runsPerExperiment(ctx);
    let total = 0;
    for (const n of perExperiment.values()) total += n;
    options.onExperiments?.(experiments, perExperiment);
    const ids: string[] = [];
    const deliver = (runs: Run[]): void => {
      for (const r of runs) ids.push(r.runId);
      if (runs.length > 0) options.onRuns(runs);
      options.onProgress?.(ids.length, Math.max(total, ids.length));
    };
    options.onProgress?.(0, total);
    const url = src.workerUrl;
    const helper = url && total >= src.helperMinRuns ? startSqliteHelper(url, { path: src.path, batch: HELPER_BATCH }, options.signal) : null;
    // While the helper reads the runs, this thread reads the rest; then builds its batches.
    const rest = readRest(ctx);
    if (helper) {
      for await (const b of helper.batches()) {
        problems.push(...b.problems);
        deliver(buildRuns(ctx, b.rows));
      }
    }
    const helperRuns = ids.length;
    const got = helper ? await helper.result : null;
    options.signal?.throwIfAborted();
    let left: string[][] = [];
    if (got?.ids) left = batchesOf(got.ids).filter((_, b) => !got.delivered.has(b));
    else if (total < src.helperMinRuns) deliver(readRuns(ctx, null));
    else left = batchesOf(listRunIds(ctx));
    for (const batch of left) {
      deliver(readRuns(ctx, batch));
      await new Promise((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
    }
    const helperBaseline = got?.ids && left.length === 0 ? got.baseline : null;
    const trackers = baselines(src, problems, helperBaseline);
    const stats = { helperRuns, ownRuns: ids.length - helperRuns, helperBaseline: helperBaseline !== null && trackers.runs !== null };
    return { problems, versions, experiments, runs: [], runIds: ids, rest, trackers, stats };
  } finally {
    endRead(conn);
  }
}

export interface Versions {
  dataVersion: number | null;
  schemaVersion: number | null;
}

/** In snapshot (immutable) mode SQLite sees no changes, so data_version tells nothing. */
export function pragma(conn: OpenedDatabase, name: 'data_version' | 'schema_version'): number | null {
  if (conn.mode === 'snapshot') return null;
  return num(conn.q.first(`PRAGMA ${name}`)?.[0]);
}

function readVersions(conn: OpenedDatabase): Versions {
  return { dataVersion: pragma(conn, 'data_version'), schemaVersion: pragma(conn, 'schema_version') };
}

/** The change fingerprints refresh compares against; the runs' from the helper when it took them. */
function baselines(src: ReadSource, problems: string[], helperRuns: TrackerState | null): Trackers {
  const { q } = src.conn;
  const { schema } = src;
  try {
    const runs = runTracker(schema);
    const models = modelTracker(schema);
    if (helperRuns) runs.restore(helperRuns);
    else runs.baseline(q);
    models?.baseline(q);
    return { runs, models };
  } catch (e) {
    // Without fingerprints the next refresh simply re-reads everything.
    problems.push(describeReadError('change fingerprints', e));
    return { runs: null, models: null };
  }
}

/**
 * Ends a read transaction. ROLLBACK, not COMMIT: there is nothing to commit, and after a
 * SQLITE_CORRUPT inside the transaction COMMIT fails again with the same error.
 */
export function endRead(conn: OpenedDatabase): void {
  if (conn.db.isOpen && conn.db.isTransaction) conn.db.exec('ROLLBACK');
}

/** Logged models and the registry: what a load reads besides experiments and runs. */
function readRest(ctx: ReadContext): { loggedModels: LoggedModel[]; registry: RegisteredModel[] } {
  return { loggedModels: readLoggedModels(ctx, null), registry: readRegistry(ctx) };
}

/** How many runs each experiment has (what a streaming load announces before the runs). */
function runsPerExperiment(ctx: ReadContext): Map<string, number> {
  const out = new Map<string, number>();
  const rows = section(ctx, 'runs', [] as Row[], () =>
    ctx.q.all(`SELECT CAST(${ctx.schema.col('runs', 'experiment_id')} AS TEXT), count(*) FROM runs GROUP BY 1`),
  );
  for (const r of rows) out.set(str(r[0]) ?? '', num(r[1]) ?? 0);
  return out;
}

function listRunIds(ctx: ReadContext): string[] {
  const ids: string[] = [];
  for (const r of section(ctx, 'runs', [] as Row[], () => ctx.q.all('SELECT run_uuid FROM runs'))) {
    const id = str(r[0]);
    if (id !== null) ids.push(id);
  }
  return ids;
}

function batchesOf(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += HELPER_BATCH) out.push(ids.slice(i, i + HELPER_BATCH));
  return out;
}
