// Writing model objects into the index: a whole StoreSnapshot (one transaction, cached prepared
// statements, multi-row inserts, interned ids) or a StoreChange from a refresh. The SQL tables
// are written first; the store's RunTable is replaced / patched from the same objects after
// they succeeded. A write that throws midway cannot be rolled back (no journal, schema.ts), so
// the store is purged from the index and the error rethrown: the caller reloads it.
import type { Experiment, LoggedModel, RegisteredModel, Run, StoreInfo, StoreSnapshot } from '../model.ts';
import type { StoreChange } from '../stores/reader.ts';
import { BatchInsert, type IndexDb } from './index-db.ts';
import { encodeJson } from './json-codec.ts';
import { RunTable } from './run-table.ts';
import {
  dropStoreTablesSql,
  KIND_METRIC,
  KIND_PARAM,
  KIND_TAG,
  KINDS,
  storeTablePattern,
  storeTables,
  storeTablesSql,
} from './schema.ts';

/** Tag holding a run's parent (format doc 1.4). */
const PARENT_TAG = 'mlflow.parentRunId';

const UPSERT_KEY_COUNT = `INSERT INTO exp_keys (sid, exp_id, kind, kid, n) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (sid, exp_id, kind, kid) DO UPDATE SET n = n + excluded.n`;

export class Ingester {
  private readonly db: IndexDb;
  /**
   * exp_keys increments not yet written (flushed before anything reads or decrements them):
   * experiment id -> (kid * KINDS + kind) -> runs carrying the key. All pending rows and counts
   * belong to the one store being written.
   */
  private readonly counts = new Map<string, Map<number, number>>();
  /** Row buffers of the store being written. */
  private rows: StoreRows | null = null;

  constructor(db: IndexDb) {
    this.db = db;
  }

  private rowsOf(sid: number): StoreRows {
    if (this.rows?.sid !== sid) {
      this.flushRows();
      this.rows = new StoreRows(this.db, sid);
    }
    return this.rows;
  }

  /** db.batch; if `fn` throws, the store it was writing is purged (see the file comment). */
  private transaction<T>(storeId: string, fn: () => T): T {
    try {
      return this.db.batch(fn);
    } catch (err) {
      this.rows?.clear();
      this.counts.clear();
      this.removeStore(storeId);
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`index: store ${storeId} was dropped from the index after a failed update: ${message}`, {
        cause: err,
      });
    }
  }

  /** Writes buffered rows; needed before any statement reads runs or value rows back. */
  private flushRows(): void {
    this.rows?.flush();
  }

  applySnapshot(snap: StoreSnapshot): void {
    this.beginSnapshot(snap.info, snap.runs.length);
    this.endSnapshot(snap);
  }

  /**
   * First part of a snapshot delivered in parts (a streaming load): empties the store. Queries
   * see its runs arrive batch by batch.
   */
  beginSnapshot(info: StoreInfo, expectedRuns = 0): void {
    const sid = this.transaction(info.id, () => {
      const sid = this.upsertStore(info);
      this.clearStore(sid);
      return sid;
    });
    this.db.tables.set(sid, new RunTable(expectedRuns));
  }

  /** Adds a batch of runs of a snapshot being delivered in parts. */
  addSnapshotRuns(storeId: string, runs: readonly Run[]): void {
    const sid = this.db.sids.get(storeId);
    const table = sid === undefined ? undefined : this.db.tables.get(sid);
    if (sid === undefined || table === undefined) throw new Error(`index: runs for store ${storeId}, which has no snapshot begun`);
    // The table is already installed: if this throws, transaction() purges the store with it.
    this.transaction(storeId, () => {
      for (const run of runs) {
        // A reader should never report one run id twice, but a hand-copied run folder can do it;
        // the later record wins instead of the unique index aborting the whole snapshot.
        if (table.slotOf.has(run.runId)) this.deleteRun(sid, run.runId);
        table.upsert(run, this.insertRun(sid, run));
      }
      this.flushRows();
      this.flushCounts(sid);
    });
  }

  /**
   * The experiments of a snapshot being delivered in parts, ahead of its runs (LoadOptions
   * .onExperiments): listed at once, their run counts growing as the batches arrive. endSnapshot
   * writes them again from the snapshot.
   */
  addSnapshotExperiments(storeId: string, experiments: readonly Experiment[]): void {
    const sid = this.db.sids.get(storeId);
    if (sid === undefined) throw new Error(`index: experiments for store ${storeId}, which has no snapshot begun`);
    this.transaction(storeId, () => {
      for (const exp of experiments) this.upsertExperiment(sid, exp);
    });
  }

  /** Last part: the experiments, logged models and registry (and any runs the snapshot holds). */
  endSnapshot(snap: StoreSnapshot): void {
    if (snap.runs.length > 0) this.addSnapshotRuns(snap.info.id, snap.runs);
    const sid = this.db.sids.get(snap.info.id);
    if (sid === undefined) throw new Error(`index: store ${snap.info.id} has no snapshot begun`);
    this.transaction(snap.info.id, () => {
      for (const exp of snap.experiments) this.upsertExperiment(sid, exp);
      for (const m of snap.loggedModels) this.upsertLoggedModel(sid, m);
      this.replaceRegistry(sid, snap.registry);
    });
  }

  applyChange(storeId: string, change: StoreChange): void {
    const sid = this.db.sids.get(storeId);
    if (sid === undefined) throw new Error(`index: applyChange for store ${storeId}, which has no snapshot`);
    const inserted: [Run, number][] = [];
    this.transaction(storeId, () => {
      for (const expId of change.removedExperimentIds) this.removeExperiment(sid, expId);
      for (const exp of change.experiments) this.upsertExperiment(sid, exp);
      for (const runId of change.removedRunIds) this.deleteRun(sid, runId);
      for (const run of change.runs) {
        this.deleteRun(sid, run.runId);
        inserted.push([run, this.insertRun(sid, run)]);
      }
      this.flushRows();
      this.flushCounts(sid);
      for (const id of change.removedLoggedModelIds) {
        this.db.run('DELETE FROM logged_models WHERE sid = ? AND model_id = ?', [sid, id]);
      }
      for (const m of change.loggedModels) this.upsertLoggedModel(sid, m);
      if (change.registry !== null) this.replaceRegistry(sid, change.registry);
    });
    const table = this.db.tables.get(sid);
    if (table === undefined) return;
    for (const expId of change.removedExperimentIds) table.removeExperiment(expId);
    for (const runId of change.removedRunIds) table.remove(runId);
    for (const [run, rid] of inserted) table.upsert(run, rid);
  }

  removeStore(storeId: string): void {
    const sid = this.db.sids.get(storeId);
    if (sid === undefined) return;
    this.db.tables.delete(sid);
    this.db.sids.delete(storeId);
    this.db.batch(() => {
      this.clearStore(sid, false);
      this.db.run('DELETE FROM stores WHERE sid = ?', [sid]);
    });
  }

  private upsertStore(info: StoreInfo): number {
    const fields = [
      info.kind,
      info.path,
      info.artifactRoot,
      info.schemaRevision ?? null,
      info.schemaRevision === undefined ? 0 : 1,
    ];
    const existing = this.db.sids.get(info.id);
    if (existing !== undefined) {
      this.db.run(
        'UPDATE stores SET kind = ?, path = ?, artifact_root = ?, schema_revision = ?, has_schema_revision = ? WHERE sid = ?',
        [...fields, existing],
      );
      return existing;
    }
    const sid = this.db.nextSid++;
    this.db.run(
      'INSERT INTO stores (sid, id, kind, path, artifact_root, schema_revision, has_schema_revision) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [sid, info.id, ...fields],
    );
    this.db.sids.set(info.id, sid);
    return sid;
  }

  /** Empties a store: drops its own tables (recreating them unless `recreate` is false). */
  private clearStore(sid: number, recreate = true): void {
    const db = this.db;
    if (this.rows?.sid === sid) this.rows.clear();
    db.forgetStatements(storeTablePattern(sid));
    db.db.exec(recreate ? storeTablesSql(sid) : dropStoreTablesSql(sid));
    for (const table of ['experiments', 'exp_keys', 'logged_models', 'registered_models']) {
      db.run(`DELETE FROM ${table} WHERE sid = ?`, [sid]);
    }
  }

  private removeExperiment(sid: number, expId: string): void {
    const db = this.db;
    this.flushRows();
    // The experiment's folder/row is gone, so are its runs and logged models.
    const t = storeTables(sid);
    for (const table of [t.params, t.metrics, t.tags]) {
      db.run(`DELETE FROM ${table} WHERE rid IN (SELECT rid FROM ${t.runs} WHERE exp_id = ?)`, [expId]);
    }
    db.run(`DELETE FROM ${t.runs} WHERE exp_id = ?`, [expId]);
    this.flushCounts(sid);
    for (const table of ['experiments', 'exp_keys', 'logged_models']) {
      db.run(`DELETE FROM ${table} WHERE sid = ? AND exp_id = ?`, [sid, expId]);
    }
  }

  private upsertExperiment(sid: number, e: Experiment): void {
    this.db.run(
      `INSERT OR REPLACE INTO experiments (sid, exp_id, name, artifact_location, lifecycle, creation_time,
        last_update_time, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [sid, e.experimentId, e.name, e.artifactLocation, e.lifecycleStage, e.creationTime, e.lastUpdateTime, encodeJson(e.tags)],
    );
  }

  private expCounts(expId: string): Map<number, number> {
    let m = this.counts.get(expId);
    if (m === undefined) {
      m = new Map();
      this.counts.set(expId, m);
    }
    return m;
  }

  private flushCounts(sid: number): void {
    for (const [expId, m] of this.counts) {
      for (const [k, n] of m) this.db.run(UPSERT_KEY_COUNT, [sid, expId, k % KINDS, Math.floor(k / KINDS), n]);
    }
    this.counts.clear();
  }

  /** Inserts the run's rows; returns its rid. */
  private insertRun(sid: number, run: Run): number {
    const db = this.db;
    const rid = db.nextRid++;
    const { datasets, models } = run.inputs;
    const io = datasets.length > 0 || models.length > 0 || run.outputs.models.length > 0
      ? encodeJson({ inputs: run.inputs, outputs: run.outputs })
      : null;
    const rows = this.rowsOf(sid);
    rows.runs.add([
      rid,
      run.experimentId,
      run.runId,
      run.runName,
      run.status,
      run.startTime,
      run.endTime,
      run.lifecycleStage,
      run.userId,
      run.artifactUri,
      run.deletedTime,
      run.tags[PARENT_TAG] ?? null,
      io,
    ]);
    const counts = this.expCounts(run.experimentId);
    const bump = (kid: number, kind: number) => {
      const k = kid * KINDS + kind;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    };
    for (const [key, value] of Object.entries(run.params)) {
      const kid = db.keyId(key);
      rows.params.add([rid, kid, value]);
      bump(kid, KIND_PARAM);
    }
    for (const [key, p] of Object.entries(run.metrics)) {
      const kid = db.keyId(key);
      const v = p.value;
      rows.metrics.add([
        rid,
        kid,
        Number.isNaN(v) ? null : v,
        p.step,
        p.timestamp,
        Object.is(v, -0) ? 1 : null,
        p.datasetName ?? null,
        p.datasetDigest ?? null,
      ]);
      bump(kid, KIND_METRIC);
    }
    for (const [key, value] of Object.entries(run.tags)) {
      const kid = db.keyId(key);
      rows.tags.add([rid, kid, value]);
      bump(kid, KIND_TAG);
    }
    return rid;
  }

  /** Removes one run and un-counts its keys; false when the store has no such run. */
  private deleteRun(sid: number, runId: string): boolean {
    const db = this.db;
    this.flushRows();
    const t = storeTables(sid);
    const row = db.one(`SELECT rid, exp_id FROM ${t.runs} WHERE run_id = ?`, [runId]);
    if (!row) return false;
    this.flushCounts(sid);
    const rid = row[0] as number;
    const expId = row[1] as string;
    for (const [kind, table] of [[KIND_PARAM, t.params], [KIND_METRIC, t.metrics], [KIND_TAG, t.tags]] as const) {
      db.run(
        `UPDATE exp_keys SET n = n - 1 WHERE sid = ? AND exp_id = ? AND kind = ${kind} AND kid IN (SELECT kid FROM ${table} WHERE rid = ?)`,
        [sid, expId, rid],
      );
    }
    db.run('DELETE FROM exp_keys WHERE sid = ? AND exp_id = ? AND n <= 0', [sid, expId]);
    for (const table of [t.params, t.metrics, t.tags, t.runs]) db.run(`DELETE FROM ${table} WHERE rid = ?`, [rid]);
    return true;
  }

  private upsertLoggedModel(sid: number, m: LoggedModel): void {
    this.db.run(
      `INSERT OR REPLACE INTO logged_models (sid, model_id, exp_id, source_run_id, lifecycle, creation_ts, body)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [sid, m.modelId, m.experimentId, m.sourceRunId, m.lifecycleStage, m.creationTimestamp, encodeJson(m)],
    );
  }

  private replaceRegistry(sid: number, registry: RegisteredModel[]): void {
    this.db.run('DELETE FROM registered_models WHERE sid = ?', [sid]);
    for (const m of registry) {
      this.db.run('INSERT OR REPLACE INTO registered_models (sid, name, is_prompt, body) VALUES (?, ?, ?, ?)', [
        sid,
        m.name,
        m.isPrompt ? 1 : 0,
        encodeJson(m),
      ]);
    }
  }
}

/** Multi-row insert buffers for one store's tables. */
class StoreRows {
  readonly sid: number;
  readonly runs: BatchInsert;
  readonly params: BatchInsert;
  readonly metrics: BatchInsert;
  readonly tags: BatchInsert;

  constructor(db: IndexDb, sid: number) {
    const t = storeTables(sid);
    this.sid = sid;
    this.runs = new BatchInsert(
      db,
      `INSERT INTO ${t.runs} (rid, exp_id, run_id, run_name, status, start_time, end_time, lifecycle,
        user_id, artifact_uri, deleted_time, parent_run_id, io)`,
      13,
    );
    this.params = new BatchInsert(db, `INSERT INTO ${t.params} (rid, kid, value)`, 3);
    this.metrics = new BatchInsert(
      db,
      `INSERT INTO ${t.metrics} (rid, kid, value, step, ts, negzero, dataset_name, dataset_digest)`,
      8,
    );
    this.tags = new BatchInsert(db, `INSERT INTO ${t.tags} (rid, kid, value)`, 3);
  }

  flush(): void {
    this.runs.flush();
    this.params.flush();
    this.metrics.flush();
    this.tags.flush();
  }

  clear(): void {
    this.runs.clear();
    this.params.clear();
    this.metrics.clear();
    this.tags.clear();
  }
}
