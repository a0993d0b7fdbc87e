// The SQLite-store writer (format doc 3.2, 3.3, 3.5): MLflow 3.5's exact schema
// (mlflow-3.5-schema.sql, taken from sqlite_master of a database MLflow created) + alembic head, one
// transaction per logical change, `latest_metrics` maintained with MLflow's (step, timestamp,
// value) rule and NaN/inf encodings.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { defaultSourceName, defaultUser, randomRunName, RUN_ID_RE, runIdFrom } from './run-names.ts';
import { appendToUri, artifactTarget, pMkdir, pWriteFile } from './store-files.ts';
import { TrackingWriteError, type MetricInput, type TrackingWriter, type WriterOptions } from './types.ts';

export const MLFLOW_SCHEMA_REVISION = 'bf29a5ff90ea';
const SCHEMA_FILE = fileURLToPath(new URL('./mlflow-3.5-schema.sql', import.meta.url));
/** SQLite has no inf: MLflow stores ±DBL_MAX instead (format doc 3.3). */
const DBL_MAX = 1.7976931348623157e308;

/** The CREATE statements of MLflow 3.5's schema (sqlite_master order). */
export function mlflowSchemaSql(): string {
  return readFileSync(SCHEMA_FILE, 'utf8');
}

interface SqlStatements {
  insertExperiment: StatementSync;
  insertExperimentTag: StatementSync;
  experimentLocation: StatementSync;
  insertRun: StatementSync;
  runInfo: StatementSync;
  insertParam: StatementSync;
  paramValue: StatementSync;
  insertMetric: StatementSync;
  latestMetric: StatementSync;
  upsertLatest: StatementSync;
  upsertTag: StatementSync;
  renameRun: StatementSync;
  endRun: StatementSync;
}

/** Values as `_log_metrics` stores them (format doc 3.3): NaN → 0 + is_nan, ±inf → ±DBL_MAX, −0 → 0. */
function sqlMetricValue(v: number): { value: number; isNan: 0 | 1 } {
  if (Number.isNaN(v)) return { value: 0, isNan: 1 };
  if (v === Infinity) return { value: DBL_MAX, isNan: 0 };
  if (v === -Infinity) return { value: -DBL_MAX, isNan: 0 };
  return { value: v === 0 ? 0 : v, isNan: 0 };
}

export async function createSqliteTrackingWriter(dbFile: string, options: WriterOptions = {}): Promise<TrackingWriter> {
  const file = path.resolve(dbFile);
  const now = options.now ?? Date.now;
  const random = options.random;
  // MLflow's default artifact root is `./mlruns` of the creating process; we use the folder next
  // to the database, which is what our reader's StoreInfo.artifactRoot assumes (format doc 3).
  const artifactRoot = path.join(path.dirname(file), 'mlruns');
  await pMkdir(path.dirname(file));
  const db = new DatabaseSync(file);
  db.exec('PRAGMA foreign_keys = ON');
  if (options.durable === false) db.exec('PRAGMA synchronous = OFF');

  const hasTables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  if (hasTables.n === 0) {
    transaction(() => {
      db.exec(mlflowSchemaSql());
      db.prepare('INSERT INTO alembic_version (version_num) VALUES (?)').run(MLFLOW_SCHEMA_REVISION);
      // _create_default_experiment: id 0, named Default, under the default artifact root.
      const t = now();
      db.prepare(
        'INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (0, ?, ?, ?, ?, ?)',
      ).run('Default', path.join(artifactRoot, '0'), 'active', t, t);
    });
  } else {
    let revision: string | undefined;
    try {
      revision = (db.prepare('SELECT version_num FROM alembic_version').get() as { version_num?: string } | undefined)?.version_num;
    } catch {
      revision = undefined;
    }
    if (revision !== MLFLOW_SCHEMA_REVISION) {
      db.close();
      // Format doc 3.5 rule 1: only write databases whose revision we know.
      throw new TrackingWriteError(`${file}: schema revision ${revision ?? '(none)'} is not MLflow 3.5's ${MLFLOW_SCHEMA_REVISION}`);
    }
  }

  const s: SqlStatements = {
    insertExperiment: db.prepare(
      'INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?)',
    ),
    insertExperimentTag: db.prepare(
      'INSERT INTO experiment_tags (key, value, experiment_id) VALUES (?, ?, ?) ON CONFLICT (key, experiment_id) DO UPDATE SET value = excluded.value',
    ),
    experimentLocation: db.prepare('SELECT artifact_location FROM experiments WHERE experiment_id = ?'),
    insertRun: db.prepare(
      `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,
        source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
       VALUES (?, ?, 'UNKNOWN', '', '', ?, ?, ?, NULL, '', 'active', ?, ?, NULL)`,
    ),
    runInfo: db.prepare('SELECT artifact_uri, status FROM runs WHERE run_uuid = ?'),
    insertParam: db.prepare('INSERT OR IGNORE INTO params (key, value, run_uuid) VALUES (?, ?, ?)'),
    paramValue: db.prepare('SELECT value FROM params WHERE key = ? AND run_uuid = ?'),
    insertMetric: db.prepare(
      'INSERT OR IGNORE INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    latestMetric: db.prepare('SELECT value, timestamp, step, is_nan FROM latest_metrics WHERE key = ? AND run_uuid = ?'),
    upsertLatest: db.prepare(
      `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp,
         step = excluded.step, is_nan = excluded.is_nan`,
    ),
    upsertTag: db.prepare(
      'INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?) ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value',
    ),
    renameRun: db.prepare('UPDATE runs SET name = ? WHERE run_uuid = ?'),
    endRun: db.prepare('UPDATE runs SET status = ?, end_time = ? WHERE run_uuid = ?'),
  };

  function transaction<T>(fn: () => T): T {
    db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  }

  function requireRun(runId: string): { artifact_uri: string; status: string } {
    const r = s.runInfo.get(runId) as { artifact_uri: string; status: string } | undefined;
    if (!r) throw new TrackingWriteError(`Run with id=${runId} not found`);
    return r;
  }

  function logParams(runId: string, params: Record<string, string>): void {
    for (const [k, v] of Object.entries(params)) {
      const r = s.insertParam.run(k, v, runId);
      if (r.changes === 0) {
        const old = (s.paramValue.get(k, runId) as { value: string } | undefined)?.value;
        if (old !== v) {
          throw new TrackingWriteError(`Changing param values is not allowed. Param with key='${k}' was already logged with value='${old}' for run ID='${runId}'. Attempted logging new value '${v}'.`);
        }
      }
    }
  }

  function logMetrics(runId: string, metrics: readonly MetricInput[]): void {
    // _log_metrics + _update_latest_metrics_if_necessary: exact duplicates are skipped (primary
    // key), and latest_metrics moves only to a strictly greater (step, timestamp, value), the
    // value compared after encoding.
    type Latest = { value: number; timestamp: number; step: number; isNan: number; changed: boolean };
    const latest = new Map<string, Latest | null>();
    for (const m of metrics) {
      const { value, isNan } = sqlMetricValue(m.value);
      const timestamp = m.timestamp ?? now();
      const step = m.step ?? 0;
      s.insertMetric.run(m.key, value, timestamp, runId, step, isNan);
      let cur = latest.get(m.key);
      if (cur === undefined) {
        const row = s.latestMetric.get(m.key, runId) as { value: number; timestamp: number; step: number; is_nan: number } | undefined;
        cur = row ? { value: row.value, timestamp: row.timestamp, step: row.step, isNan: row.is_nan, changed: false } : null;
        latest.set(m.key, cur);
      }
      const newer =
        cur === null ||
        step > cur.step ||
        (step === cur.step && (timestamp > cur.timestamp || (timestamp === cur.timestamp && value > cur.value)));
      if (newer) latest.set(m.key, { value, timestamp, step, isNan, changed: true });
    }
    for (const [key, l] of latest) {
      if (l?.changed) s.upsertLatest.run(key, l.value, l.timestamp, l.step, l.isNan, runId);
    }
  }

  function setTags(runId: string, tags: Record<string, string>): void {
    for (const [k, v] of Object.entries(tags)) {
      s.upsertTag.run(k, v, runId);
      // The runs.name column and the mlflow.runName tag are kept equal (format doc 3.5 rule 2).
      if (k === 'mlflow.runName') s.renameRun.run(v, runId);
    }
  }

  const writer: TrackingWriter = {
    kind: 'sqlite',
    path: file,

    async createExperiment(name, opts = {}) {
      return transaction(() => {
        const t = opts.creationTime ?? now();
        let r;
        try {
          r = s.insertExperiment.run(name, null, 'active', t, t);
        } catch (e) {
          if (/UNIQUE/.test(String(e))) throw new TrackingWriteError(`Experiment(name=${name}) already exists.`);
          throw e;
        }
        const id = String(r.lastInsertRowid);
        // create_experiment fills the default location once the id is known.
        const location = opts.artifactLocation ?? path.join(artifactRoot, id);
        db.prepare('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?').run(location, id);
        for (const [k, v] of Object.entries(opts.tags ?? {})) s.insertExperimentTag.run(k, v, id);
        return id;
      });
    },

    async setExperimentTag(experimentId, key, value) {
      transaction(() => s.insertExperimentTag.run(key, value, experimentId));
    },

    async createRun(opts) {
      const runId = opts.runId ?? runIdFrom(random);
      if (!RUN_ID_RE.test(runId)) throw new TrackingWriteError(`Invalid run id "${runId}"`);
      const runName = opts.runName ?? randomRunName(random ?? Math.random);
      const userId = opts.userId ?? defaultUser();
      return transaction(() => {
        const exp = s.experimentLocation.get(opts.experimentId) as { artifact_location: string } | undefined;
        if (!exp) throw new TrackingWriteError(`No Experiment with id=${opts.experimentId} exists`);
        const artifactUri = appendToUri(exp.artifact_location, runId, 'artifacts');
        s.insertRun.run(runId, runName, userId, opts.status ?? 'RUNNING', opts.startTime ?? now(), artifactUri, opts.experimentId);
        setTags(runId, {
          'mlflow.user': userId,
          'mlflow.source.name': opts.sourceName ?? defaultSourceName(),
          'mlflow.source.type': opts.sourceType ?? 'LOCAL',
          ...opts.tags,
          'mlflow.runName': runName,
        });
        return { runId, experimentId: opts.experimentId, artifactUri };
      });
    },

    async logParam(runId, key, value) {
      transaction(() => {
        requireRun(runId);
        logParams(runId, { [key]: value });
      });
    },

    async logMetric(runId, key, value, step = 0, timestamp) {
      transaction(() => {
        requireRun(runId);
        logMetrics(runId, [{ key, value, step, timestamp: timestamp ?? now() }]);
      });
    },

    async setTag(runId, key, value) {
      transaction(() => {
        requireRun(runId);
        setTags(runId, { [key]: value });
      });
    },

    async logBatch(runId, batch) {
      transaction(() => {
        requireRun(runId);
        logParams(runId, batch.params ?? {});
        logMetrics(runId, batch.metrics ?? []);
        setTags(runId, batch.tags ?? {});
      });
    },

    async endRun(runId, status = 'FINISHED', endTime) {
      transaction(() => {
        requireRun(runId);
        s.endRun.run(status, endTime ?? now(), runId);
      });
    },

    async logArtifact(runId, artifactPath, data) {
      const target = artifactTarget(requireRun(runId).artifact_uri, artifactPath);
      await pMkdir(path.dirname(target));
      await pWriteFile(target, data);
    },

    async close() {
      if (db.isOpen) db.close();
    },
  };
  return writer;
}
