// StoreReader for MLflow's SQLite store (format doc section 3). Read-only by construction: the
// connection is opened with SQLITE_OPEN_READONLY + query_only, nothing is migrated or created,
// and every load runs in one read transaction so it sees one committed state (including
// commits still only in mlflow.db-wal). Refresh uses PRAGMA data_version to return at once when
// nobody committed, and fingerprints (change-tracker.ts) to re-read only what changed. A big
// store's first load runs the SQL of its runs in a helper thread (load-helper.ts) and builds and
// hands over the runs batch by batch (readAllStreaming).
import type { Diagnostic, Experiment, LoggedModel, MetricPoint, RegisteredModel, Run, StoreInfo, StoreSnapshot } from '../../model.ts';
import { emptyChange, type LoadOptions, type StoreChange, type StoreReader } from '../reader.ts';
import type { EntityTracker, TrackerState } from './change-tracker.ts';
import { DEFAULT_SQLITE_WORKER_URL, HELPER_BATCH, HELPER_MIN_RUNS, startSqliteHelper } from './load-helper.ts';
import { fileIdentity, fileSignature, openDatabase, type OpenedDatabase } from './open-database.ts';
import { num, str, type Row } from './query.ts';
import { checkJsonNumbers, describeReadError, section, type ReadContext } from './read-context.ts';
import { readRegistry } from './read-registry.ts';
import { buildRuns, readRuns } from './read-runs.ts';
import { readExperiments, readLoggedModels, readMetricHistory } from './read-tracking.ts';
import { KNOWN_REVISIONS, Schema } from './schema.ts';
import { modelTracker, runTracker } from './trackers.ts';

interface Tracking {
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

interface FullRead {
  snapshot: StoreSnapshot;
  tracking: Tracking;
}

export interface SqliteReaderOptions {
  /** The load helper thread's module (default: sqlite-load-worker.ts beside this file); null: none. */
  workerUrl?: URL | null;
  /** Stores with fewer runs are read without the helper (default HELPER_MIN_RUNS). */
  helperMinRuns?: number;
}

/** How the last streaming load went (tests ask). */
export interface SqliteLoadStats {
  /** Runs whose SQL ran in the helper thread, and on this one. */
  helperRuns: number;
  ownRuns: number;
  /** Whether the runs' change baseline is the helper's. */
  helperBaseline: boolean;
}

export function createSqliteStoreReader(info: StoreInfo, options: SqliteReaderOptions = {}): SqliteStoreReader {
  return new SqliteStoreReader(info, options);
}

function canonicalExperiment(e: Experiment): string {
  return JSON.stringify({ ...e, tags: Object.entries(e.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) });
}

function canonicalRegistry(models: RegisteredModel[]): string {
  return JSON.stringify([...models].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
}

export class SqliteStoreReader implements StoreReader {
  readonly info: StoreInfo;
  private conn: OpenedDatabase | null = null;
  private schema: Schema | null = null;
  private jsonNumbersExact = false;
  private revision: string | null = null;
  private fileId: string | null = null;
  /** File state at the last open attempt: retry a failed/snapshot open only when it changes. */
  private fileSig: string | null = null;
  private openDiags: Diagnostic[] = [];
  private readDiags: Diagnostic[] = [];
  private track: Tracking | null = null;
  private closed = false;

  lastLoad: SqliteLoadStats | null = null;
  private readonly workerUrl: URL | null;
  private readonly helperMinRuns: number;

  constructor(info: StoreInfo, options: SqliteReaderOptions = {}) {
    this.info = info;
    this.workerUrl = options.workerUrl === undefined ? DEFAULT_SQLITE_WORKER_URL : options.workerUrl;
    this.helperMinRuns = options.helperMinRuns ?? HELPER_MIN_RUNS;
  }

  diagnostics(): Diagnostic[] {
    return [...this.openDiags, ...this.readDiags];
  }

  private diag(problem: string): Diagnostic {
    return { store: this.info.id, path: this.info.path, problem };
  }

  private addReadProblem(problem: string): void {
    if (!this.readDiags.some((d) => d.problem === problem)) this.readDiags.push(this.diag(problem));
  }

  private emptySnapshot(): StoreSnapshot {
    return {
      info: { ...this.info, schemaRevision: this.revision },
      experiments: [],
      runs: [],
      loggedModels: [],
      registry: [],
      diagnostics: this.diagnostics(),
    };
  }

  private closeConnection(): void {
    const c = this.conn;
    this.conn = null;
    this.schema = null;
    if (c) {
      try {
        c.db.close();
      } catch {
        // already closed
      }
    }
  }

  /** Opens the database if needed; false (with a diagnostic) when it cannot be read as MLflow's. */
  private ensureOpen(): boolean {
    if (this.conn) return true;
    this.openDiags = [];
    this.revision = null;
    this.fileSig = fileSignature(this.info.path);
    this.fileId = fileIdentity(this.info.path);
    const opened = openDatabase(this.info.path);
    if (!opened.ok) {
      this.openDiags.push(this.diag(opened.reason));
      if (opened.failure === 'busy') this.fileSig = null;
      return false;
    }
    let schema: Schema;
    try {
      schema = new Schema(opened.q);
    } catch (e) {
      opened.db.close();
      this.openDiags.push(this.diag(describeReadError('the schema', e)));
      return false;
    }
    const missing = schema.missingMlflowTables();
    if (missing.length > 0) {
      opened.db.close();
      this.openDiags.push(
        this.diag(`SQLite database but not an MLflow tracking database (missing: ${missing.join(', ')})`),
      );
      return false;
    }
    try {
      this.revision = schema.revision();
    } catch (e) {
      this.openDiags.push(this.diag(describeReadError('alembic_version', e)));
    }
    if (this.revision === null || !KNOWN_REVISIONS.includes(this.revision)) {
      const rev = this.revision === null ? 'unknown (alembic_version is empty)' : this.revision;
      this.openDiags.push(
        this.diag(`schema revision ${rev} is not one Runsight has verified; read best-effort, writes disabled`),
      );
    }
    for (const note of opened.notes) this.openDiags.push(this.diag(note));
    this.conn = opened;
    this.schema = schema;
    this.jsonNumbersExact = checkJsonNumbers(opened.q);
    return true;
  }

  private context(problems: string[]): ReadContext {
    const conn = this.conn as OpenedDatabase;
    return {
      q: conn.q,
      schema: this.schema as Schema,
      jsonNumbersExact: this.jsonNumbersExact,
      problem: (t) => problems.push(t),
    };
  }

  private pragma(name: 'data_version' | 'schema_version'): number | null {
    // In snapshot (immutable) mode SQLite sees no changes, so data_version tells nothing.
    if (!this.conn || this.conn.mode === 'snapshot') return null;
    return num(this.conn.q.first(`PRAGMA ${name}`)?.[0]);
  }

  /** Everything, in one read transaction, plus the fingerprints refresh compares against. */
  private readAll(options: LoadOptions = {}): FullRead {
    const conn = this.conn as OpenedDatabase;
    const problems: string[] = [];
    const ctx = this.context(problems);
    const total = 4;
    const step = (done: number): void => {
      options.signal?.throwIfAborted();
      options.onProgress?.(done, total);
    };
    conn.db.exec('BEGIN');
    try {
      const versions = this.versions();
      const experiments = readExperiments(ctx);
      step(1);
      const runs = readRuns(ctx, null);
      step(2);
      const rest = readRest(ctx);
      step(3);
      const trackers = this.baselines(problems, null);
      step(4);
      return this.assemble(problems, versions, experiments, runs, runs, rest, trackers);
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
  private async readAllStreaming(options: LoadOptions & { onRuns: (runs: Run[]) => void }): Promise<FullRead> {
    const conn = this.conn as OpenedDatabase;
    const problems: string[] = [];
    const ctx = this.context(problems);
    conn.db.exec('BEGIN');
    try {
      const versions = this.versions();
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
      const url = this.workerUrl;
      const helper = url && total >= this.helperMinRuns ? startSqliteHelper(url, { path: this.info.path, batch: HELPER_BATCH }, options.signal) : null;
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
      else if (total < this.helperMinRuns) deliver(readRuns(ctx, null));
      else left = batchesOf(listRunIds(ctx));
      for (const batch of left) {
        deliver(readRuns(ctx, batch));
        await new Promise((resolve) => setImmediate(resolve));
        options.signal?.throwIfAborted();
      }
      const helperBaseline = got?.ids && left.length === 0 ? got.baseline : null;
      const trackers = this.baselines(problems, helperBaseline);
      this.lastLoad = { helperRuns, ownRuns: ids.length - helperRuns, helperBaseline: helperBaseline !== null && trackers.runs !== null };
      return this.assemble(problems, versions, experiments, [], ids, rest, trackers);
    } finally {
      endRead(conn);
    }
  }

  private versions(): { dataVersion: number | null; schemaVersion: number | null } {
    return { dataVersion: this.pragma('data_version'), schemaVersion: this.pragma('schema_version') };
  }

  /** The change fingerprints refresh compares against; the runs' from the helper when it took them. */
  private baselines(problems: string[], helperRuns: TrackerState | null): { runs: EntityTracker | null; models: EntityTracker | null } {
    const q = (this.conn as OpenedDatabase).q;
    const schema = this.schema as Schema;
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

  private assemble(
    problems: string[],
    versions: { dataVersion: number | null; schemaVersion: number | null },
    experiments: Experiment[],
    runs: Run[],
    runIds: readonly { runId: string }[] | readonly string[],
    rest: { loggedModels: LoggedModel[]; registry: RegisteredModel[] },
    trackers: { runs: EntityTracker | null; models: EntityTracker | null },
  ): FullRead {
    const { loggedModels, registry } = rest;
    this.readDiags = [];
    for (const p of problems) this.addReadProblem(p);
    return {
      snapshot: {
        info: { ...this.info, schemaRevision: this.revision },
        experiments,
        runs,
        loggedModels,
        registry,
        diagnostics: this.diagnostics(),
      },
      tracking: {
        ...versions,
        experiments: new Map(experiments.map((e) => [e.experimentId, canonicalExperiment(e)])),
        runs: trackers.runs,
        models: trackers.models,
        runIds: trackers.runs ? [] : runIds.map((r) => (typeof r === 'string' ? r : r.runId)),
        modelIds: trackers.models ? [] : loggedModels.map((m) => m.modelId),
        registry: canonicalRegistry(registry),
        registryEmpty: registry.length === 0,
      },
    };
  }

  async load(options: LoadOptions = {}): Promise<StoreSnapshot> {
    options.signal?.throwIfAborted();
    if (this.closed) return this.emptySnapshot();
    // A new load re-checks the file from scratch (it may have been replaced or fixed).
    this.closeConnection();
    this.track = null;
    this.readDiags = [];
    if (!this.ensureOpen()) return this.emptySnapshot();
    try {
      const full = options.onRuns ? await this.readAllStreaming({ ...options, onRuns: options.onRuns }) : this.readAll(options);
      this.track = full.tracking;
      return full.snapshot;
    } catch (e) {
      if (options.signal?.aborted) throw e;
      this.readDiags = [this.diag(describeReadError('the database', e))];
      return this.emptySnapshot();
    }
  }

  async refresh(_changedPaths: readonly string[]): Promise<StoreChange> {
    if (this.closed) return emptyChange();
    try {
      if (!this.conn) {
        // Not readable last time: try again only when the file changed on disk.
        if (this.fileSig === fileSignature(this.info.path)) return emptyChange();
        return this.reloadAndDiff();
      }
      if (this.conn.mode === 'snapshot') {
        if (this.fileSig === fileSignature(this.info.path)) return emptyChange();
        this.closeConnection();
        return this.reloadAndDiff();
      }
      if (fileIdentity(this.info.path) !== this.fileId) {
        // Replaced by another file (or deleted): our connection still reads the old inode.
        this.closeConnection();
        return this.reloadAndDiff();
      }
      const dv = this.pragma('data_version');
      if (this.track && dv !== null && dv === this.track.dataVersion) return emptyChange();
      return this.incremental();
    } catch (e) {
      this.addReadProblem(describeReadError('changes', e));
      return emptyChange();
    }
  }

  private incremental(): StoreChange {
    const conn = this.conn as OpenedDatabase;
    const prev = this.track;
    if (!prev || !prev.runs) return this.reloadAndDiff();
    const problems: string[] = [];
    const ctx = this.context(problems);
    const change = emptyChange();
    // update() below moves the fingerprints forward; if a later step fails, these name removals.
    const before = { runIds: prev.runs.ids(), modelIds: prev.models?.ids() ?? [] };
    conn.db.exec('BEGIN');
    try {
      const dataVersion = this.pragma('data_version');
      if (this.pragma('schema_version') !== prev.schemaVersion) {
        // MLflow migrated the database (or someone altered it): re-inspect and compare in full.
        endRead(conn);
        this.closeConnection();
        return this.reloadAndDiff();
      }
      const experiments = readExperiments(ctx);
      const expMap = new Map(experiments.map((e) => [e.experimentId, canonicalExperiment(e)]));
      change.experiments = experiments.filter((e) => prev.experiments.get(e.experimentId) !== expMap.get(e.experimentId));
      change.removedExperimentIds = [...prev.experiments.keys()].filter((id) => !expMap.has(id));

      const runChanges = prev.runs.update(conn.q);
      change.runs = runChanges.changed.size ? readRuns(ctx, [...runChanges.changed]) : [];
      change.removedRunIds = runChanges.removed;

      if (prev.models) {
        const modelChanges = prev.models.update(conn.q);
        change.loggedModels = modelChanges.changed.size ? readLoggedModels(ctx, [...modelChanges.changed]) : [];
        change.removedLoggedModelIds = modelChanges.removed;
      }

      const registry = readRegistry(ctx);
      const registryJson = canonicalRegistry(registry);
      if (registryJson !== prev.registry) change.registry = registry;

      endRead(conn);
      this.track = { ...prev, dataVersion, experiments: expMap, registry: registryJson, registryEmpty: registry.length === 0 };
      for (const p of problems) this.addReadProblem(p);
      return change;
    } catch (e) {
      endRead(conn);
      // The fingerprints may be half-updated: start again from a full read.
      this.addReadProblem(describeReadError('changes', e));
      return this.reloadAndDiff({ ...prev, runs: null, models: null, ...before });
    }
  }

  /** Full read, compared with what the previous load/refresh reported. */
  private reloadAndDiff(prevArg?: Tracking | null): StoreChange {
    const prev = prevArg === undefined ? this.track : prevArg;
    const prevRunIds = prev ? (prev.runs?.ids() ?? prev.runIds) : [];
    const prevModelIds = prev ? (prev.models?.ids() ?? prev.modelIds) : [];
    const change = emptyChange();
    const removeAll = (): StoreChange => {
      this.track = null;
      if (!prev) return change;
      change.removedExperimentIds = [...prev.experiments.keys()];
      change.removedRunIds = prevRunIds;
      change.removedLoggedModelIds = prevModelIds;
      if (!prev.registryEmpty) change.registry = [];
      return change;
    };
    if (!this.ensureOpen()) return removeAll();
    let full: FullRead;
    try {
      full = this.readAll();
    } catch (e) {
      this.readDiags = [this.diag(describeReadError('the database', e))];
      return removeAll();
    }
    const { snapshot, tracking } = full;
    this.track = tracking;
    change.experiments = snapshot.experiments.filter(
      (e) => prev?.experiments.get(e.experimentId) !== tracking.experiments.get(e.experimentId),
    );
    if (prev) change.removedExperimentIds = [...prev.experiments.keys()].filter((id) => !tracking.experiments.has(id));
    const runs = pick(snapshot.runs, (r) => r.runId, prev?.runs ?? null, tracking.runs, prevRunIds);
    [change.runs, change.removedRunIds] = runs;
    const models = pick(snapshot.loggedModels, (m) => m.modelId, prev?.models ?? null, tracking.models, prevModelIds);
    [change.loggedModels, change.removedLoggedModelIds] = models;
    if (prev ? prev.registry !== tracking.registry : snapshot.registry.length > 0) change.registry = snapshot.registry;
    return change;
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    if (this.closed || !this.conn) return [];
    const problems: string[] = [];
    try {
      return readMetricHistory(this.context(problems), runId, key);
    } catch (e) {
      this.addReadProblem(describeReadError(`the history of metric ${JSON.stringify(key)} of run ${runId}`, e));
      return [];
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closeConnection();
  }
}

/**
 * Ends a read transaction. ROLLBACK, not COMMIT: there is nothing to commit, and after a
 * SQLITE_CORRUPT inside the transaction COMMIT fails again with the same error.
 */
function endRead(conn: OpenedDatabase): void {
  if (conn.db.isOpen && conn.db.isTransaction) conn.db.exec('ROLLBACK');
}

/**
 * Records of `all` that changed between two trackers, and the removed ids. Without both
 * trackers every record counts as changed.
 */
function pick<T>(
  all: T[],
  id: (x: T) => string,
  prev: EntityTracker | null,
  next: EntityTracker | null,
  prevIds: string[],
): [T[], string[]] {
  if (!prev || !next) {
    const present = new Set(all.map(id));
    return [all, prevIds.filter((x) => !present.has(x))];
  }
  const { changed, removed } = prev.diff(next);
  return [all.filter((x) => changed.has(id(x))), removed];
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
