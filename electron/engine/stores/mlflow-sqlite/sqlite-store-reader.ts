// StoreReader for MLflow's SQLite store (format doc section 3). Read-only by construction: the
// connection is opened with SQLITE_OPEN_READONLY + query_only, nothing is migrated or created,
// and every load runs in one read transaction so it sees one committed state (including
// commits still only in mlflow.db-wal). Refresh uses PRAGMA data_version to return at once when
// nobody committed, and fingerprints (change-tracker.ts) to re-read only what changed.
import type { Diagnostic, Experiment, MetricPoint, RegisteredModel, StoreInfo, StoreSnapshot } from '../../model.ts';
import { emptyChange, type LoadOptions, type StoreChange, type StoreReader } from '../reader.ts';
import { EntityTracker, metricRowHash, textRowHash, type AppendSpec, type ChildSpec } from './change-tracker.ts';
import { fileIdentity, fileSignature, openDatabase, type OpenedDatabase } from './open-database.ts';
import { num } from './query.ts';
import { checkJsonNumbers, describeReadError, type ReadContext } from './read-context.ts';
import { readRegistry } from './read-registry.ts';
import { readExperiments, readLoggedModels, readMetricHistory, readRuns } from './read-tracking.ts';
import { KNOWN_REVISIONS, Schema, quoteIdent } from './schema.ts';

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

export function createSqliteStoreReader(info: StoreInfo): StoreReader {
  return new SqliteStoreReader(info);
}

function canonicalExperiment(e: Experiment): string {
  return JSON.stringify({ ...e, tags: Object.entries(e.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) });
}

function canonicalRegistry(models: RegisteredModel[]): string {
  return JSON.stringify([...models].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
}

class SqliteStoreReader implements StoreReader {
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

  constructor(info: StoreInfo) {
    this.info = info;
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

  private runTracker(schema: Schema): EntityTracker {
    const s = schema;
    const r = 'runs';
    const parentSql =
      `SELECT run_uuid, json_array(${s.col(r, 'name')}, CAST(${s.col(r, 'experiment_id')} AS TEXT), ${s.col(r, 'user_id')}, ` +
      `${s.col(r, 'status')}, ${s.numCol(r, 'start_time')}, ${s.numCol(r, 'end_time')}, ${s.col(r, 'lifecycle_stage')}, ` +
      `${s.col(r, 'artifact_uri')}, ${s.numCol(r, 'deleted_time')}) FROM runs`;
    const specs: ChildSpec[] = [];
    const appends: AppendSpec[] = [];
    const simple = (table: string, rowHash: string | null): ChildSpec => ({
      table,
      owner: 'run_uuid',
      ownerColumns: ['run_uuid'],
      where: null,
      rowHash,
      hasRowid: s.hasRowid(table),
    });
    if (s.hasColumn('params', 'run_uuid')) specs.push(simple('params', null));
    if (s.hasColumn('tags', 'run_uuid')) specs.push(simple('tags', textRowHash('key', 'value')));
    const lm = 'latest_metrics';
    if (s.hasColumn(lm, 'run_uuid')) {
      specs.push(simple(lm, metricRowHash(s.col(lm, 'timestamp'), s.col(lm, 'step'), 'value', s.col(lm, 'is_nan', '0'))));
      if (s.hasColumn('metrics', 'run_uuid')) appends.push({ table: 'metrics', owner: 'run_uuid', hasRowid: s.hasRowid('metrics') });
    } else if (s.hasColumn('metrics', 'run_uuid')) {
      specs.push(simple('metrics', null));
    }
    if (s.hasColumn('inputs', 'destination_id')) {
      specs.push({
        table: 'inputs',
        owner: "CASE WHEN source_type = 'DATASET' THEN destination_id ELSE source_id END",
        ownerColumns: ['destination_id', 'source_id'],
        where: "(source_type = 'DATASET' AND destination_type = 'RUN') OR source_type IN ('RUN_INPUT', 'RUN_OUTPUT')",
        rowHash: null,
        hasRowid: s.hasRowid('inputs'),
      });
    }
    return new EntityTracker(parentSql, specs, appends);
  }

  private modelTracker(schema: Schema): EntityTracker | null {
    const s = schema;
    const t = 'logged_models';
    if (!s.hasColumn(t, 'model_id')) return null;
    const cols = [
      'experiment_id',
      'name',
      'artifact_location',
      'creation_timestamp_ms',
      'last_updated_timestamp_ms',
      'status',
      'lifecycle_stage',
      'model_type',
      'source_run_id',
      'status_message',
    ].map((c) => `CAST(${s.col(t, c)} AS TEXT)`);
    const specs: ChildSpec[] = [];
    for (const [table, hash] of [
      ['logged_model_params', null],
      ['logged_model_tags', textRowHash('tag_key', 'tag_value')],
      ['logged_model_metrics', null],
    ] as const) {
      if (!s.hasColumn(table, 'model_id')) continue;
      specs.push({
        table,
        owner: 'model_id',
        ownerColumns: ['model_id'],
        where: null,
        rowHash: table === 'logged_model_tags' && !s.hasColumn(table, 'tag_value') ? null : hash,
        hasRowid: s.hasRowid(table),
      });
    }
    return new EntityTracker(`SELECT model_id, json_array(${cols.join(', ')}) FROM ${quoteIdent(t)}`, specs, []);
  }

  /** Everything, in one read transaction, plus the fingerprints refresh compares against. */
  private readAll(options: LoadOptions = {}): FullRead {
    const conn = this.conn as OpenedDatabase;
    const schema = this.schema as Schema;
    const problems: string[] = [];
    const ctx = this.context(problems);
    const total = 5;
    const step = (done: number): void => {
      options.signal?.throwIfAborted();
      options.onProgress?.(done, total);
    };
    conn.db.exec('BEGIN');
    try {
      const dataVersion = this.pragma('data_version');
      const schemaVersion = this.pragma('schema_version');
      const experiments = readExperiments(ctx);
      step(1);
      const runs = readRuns(ctx, null);
      step(2);
      const loggedModels = readLoggedModels(ctx, null);
      step(3);
      const registry = readRegistry(ctx);
      step(4);
      let runTracker: EntityTracker | null = this.runTracker(schema);
      let modelTracker = this.modelTracker(schema);
      try {
        runTracker.baseline(conn.q);
        modelTracker?.baseline(conn.q);
      } catch (e) {
        // Without fingerprints the next refresh simply re-reads everything.
        problems.push(describeReadError('change fingerprints', e));
        runTracker = null;
        modelTracker = null;
      }
      step(5);
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
          dataVersion,
          schemaVersion,
          experiments: new Map(experiments.map((e) => [e.experimentId, canonicalExperiment(e)])),
          runs: runTracker,
          models: modelTracker,
          runIds: runTracker ? [] : runs.map((r) => r.runId),
          modelIds: modelTracker ? [] : loggedModels.map((m) => m.modelId),
          registry: canonicalRegistry(registry),
          registryEmpty: registry.length === 0,
        },
      };
    } finally {
      endRead(conn);
    }
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
      const full = this.readAll(options);
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
