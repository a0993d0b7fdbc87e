// StoreReader for MLflow's SQLite store (format doc section 3). Read-only by construction: the
// connection is opened with SQLITE_OPEN_READONLY + query_only, nothing is migrated or created,
// and every load runs in one read transaction so it sees one committed state (including
// commits still only in mlflow.db-wal). Refresh uses PRAGMA data_version to return at once when
// nobody committed, and fingerprints (change-tracker.ts) to re-read only what changed. A big
// store's first load runs the SQL of its runs in a helper thread (load-helper.ts) and builds and
// hands over the runs batch by batch (full-read.ts, readAllStreaming).
import type { Diagnostic, MetricPoint, StoreInfo, StoreSnapshot } from '../../model.ts';
import { emptyChange, type LoadOptions, type StoreChange, type StoreReader } from '../reader.ts';
import type { EntityTracker } from './change-tracker.ts';
import {
  canonicalExperiment,
  canonicalRegistry,
  endRead,
  pragma,
  readAll,
  readAllStreaming,
  type FullRead,
  type ReadParts,
  type ReadSource,
  type SqliteLoadStats,
  type Tracking,
} from './full-read.ts';
import { DEFAULT_SQLITE_WORKER_URL, HELPER_MIN_RUNS } from './load-helper.ts';
import { fileIdentity, fileSignature, openDatabase, type OpenedDatabase } from './open-database.ts';
import { checkJsonNumbers, describeReadError, type ReadContext } from './read-context.ts';
import { readRegistry } from './read-registry.ts';
import { readRuns } from './read-runs.ts';
import { readExperiments, readLoggedModels, readMetricHistory } from './read-tracking.ts';
import { KNOWN_REVISIONS, Schema } from './schema.ts';

export type { SqliteLoadStats } from './full-read.ts';

export interface SqliteReaderOptions {
  /** The load helper thread's module (default: sqlite-load-worker.ts beside this file); null: none. */
  workerUrl?: URL | null;
  /** Stores with fewer runs are read without the helper (default HELPER_MIN_RUNS). */
  helperMinRuns?: number;
}

export function createSqliteStoreReader(info: StoreInfo, options: SqliteReaderOptions = {}): SqliteStoreReader {
  return new SqliteStoreReader(info, options);
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
    return this.conn ? pragma(this.conn, name) : null;
  }

  /** What full-read.ts needs of the open connection. */
  private source(): ReadSource {
    return {
      conn: this.conn as OpenedDatabase,
      schema: this.schema as Schema,
      context: (problems) => this.context(problems),
      path: this.info.path,
      workerUrl: this.workerUrl,
      helperMinRuns: this.helperMinRuns,
    };
  }

  /** A read's parts as the snapshot it reports and the tracking state refresh starts from. */
  private assemble({ problems, versions, experiments, runs, runIds, rest, trackers, stats }: ReadParts): FullRead {
    const { loggedModels, registry } = rest;
    if (stats) this.lastLoad = stats;
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
        runIds: trackers.runs ? [] : runIds,
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
      const parts = options.onRuns ? await readAllStreaming(this.source(), { ...options, onRuns: options.onRuns }) : readAll(this.source(), options);
      const full = this.assemble(parts);
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
      full = this.assemble(readAll(this.source()));
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

