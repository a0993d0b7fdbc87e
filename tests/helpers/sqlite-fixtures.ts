// Helpers for the SQLite store tests: golden-dump plumbing without artifact listings, a
// fingerprint of a folder to prove a read left it untouched, an MLflow-like writer, and a
// synthetic large database.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { DumpSources, JsonValue } from '../../electron/engine/mlflow-dump.ts';
import type { StoreInfo } from '../../electron/engine/model.ts';
import type { StoreReader } from '../../electron/engine/stores/reader.ts';

export function sqliteStoreInfo(dbFile: string): StoreInfo {
  return { id: dbFile, kind: 'sqlite', path: dbFile, artifactRoot: path.join(path.dirname(dbFile), 'mlruns') };
}

/** Artifact listing is artifacts.ts's job: these sources list nothing. */
export function sourcesWithoutArtifacts(reader: StoreReader): DumpSources {
  return {
    getMetricHistory: (runId, key) => reader.getMetricHistory(runId, key),
    listRunArtifacts: async () => [],
    listModelArtifacts: async () => [],
  };
}

/** Drops the `artifacts` key of every run and logged model of an expected-runs.json shape. */
export function stripArtifacts(json: JsonValue): JsonValue {
  const copy = JSON.parse(JSON.stringify(json)) as { experiments?: { runs?: object[]; logged_models?: object[] }[] };
  for (const exp of copy.experiments ?? []) {
    for (const r of exp.runs ?? []) delete (r as { artifacts?: unknown }).artifacts;
    for (const m of exp.logged_models ?? []) delete (m as { artifacts?: unknown }).artifacts;
  }
  return copy as JsonValue;
}

/** Name, size, mtime and content hash of every file directly in `dir`. */
export function folderState(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const p = path.join(dir, name);
      const st = statSync(p);
      if (!st.isFile()) return `${name}/ ${st.mtimeMs}`;
      const hash = createHash('sha256').update(readFileSync(p)).digest('hex');
      return `${name} ${st.size} ${st.mtimeMs} ${hash}`;
    });
}

/** Writes the way MLflow's SQLAlchemy store does (format doc 3.5), for refresh tests. */
export class MlflowLikeWriter {
  readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = new DatabaseSync(file);
    this.db.exec('PRAGMA busy_timeout = 5000');
  }

  createRun(runId: string, experimentId: string, name: string, startTime: number): void {
    this.db.exec('BEGIN');
    this.db
      .prepare(
        `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time,
           end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
         VALUES (?, ?, 'UNKNOWN', '', '', 'alice', 'RUNNING', ?, NULL, '', 'active', ?, ?, NULL)`,
      )
      .run(runId, name, startTime, `/tmp/mlruns/${experimentId}/${runId}/artifacts`, Number(experimentId));
    this.db.prepare(`INSERT INTO tags ("key", value, run_uuid) VALUES ('mlflow.runName', ?, ?)`).run(name, runId);
    this.db.exec('COMMIT');
  }

  logMetric(runId: string, key: string, value: number, timestamp: number, step: number): void {
    this.db.exec('BEGIN');
    this.db
      .prepare('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)')
      .run(key, value, timestamp, runId, step);
    const cur = this.db
      .prepare('SELECT step, timestamp, value FROM latest_metrics WHERE run_uuid = ? AND "key" = ?')
      .get(runId, key) as { step: number; timestamp: number; value: number } | undefined;
    const newer =
      !cur ||
      step > cur.step ||
      (step === cur.step && (timestamp > cur.timestamp || (timestamp === cur.timestamp && value > cur.value)));
    if (newer) {
      this.db
        .prepare(
          `INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, 0, ?)
           ON CONFLICT ("key", run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp,
             step = excluded.step, is_nan = excluded.is_nan`,
        )
        .run(key, value, timestamp, step, runId);
    }
    this.db.exec('COMMIT');
  }

  deleteRun(runId: string, deletedTime: number): void {
    this.db.prepare(`UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE run_uuid = ?`).run(deletedTime, runId);
  }

  close(): void {
    this.db.close();
  }
}

/** A new database with the schema (and alembic revision) of `template`, holding nothing. */
export function createEmptyLike(template: string, file: string): DatabaseSync {
  const src = new DatabaseSync(template, { readOnly: true });
  const ddl = src
    .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index'")
    .all()
    .map((r) => String((r as { sql: string }).sql));
  const revisions = src.prepare('SELECT version_num FROM alembic_version').all();
  src.close();
  const db = new DatabaseSync(file);
  for (const sql of ddl) db.exec(sql);
  for (const r of revisions) db.prepare('INSERT INTO alembic_version VALUES (?)').run((r as { version_num: string }).version_num);
  return db;
}

export const runIdOf = (i: number): string => i.toString(16).padStart(32, '0');

/** `runs` runs in experiment 0, each with `params` params, `metrics` latest metrics (+ 1 history row), `tags` tags. */
export function fillSynthetic(db: DatabaseSync, n: { runs: number; params: number; metrics: number; tags: number }): void {
  db.exec('PRAGMA synchronous = OFF');
  db.exec("INSERT INTO experiments VALUES (0, 'Default', '/tmp/mlruns/0', 'active', 1700000000000, 1700000000000)");
  db.exec('BEGIN');
  const run = db.prepare(
    `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,
       source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'UNKNOWN', '', '', 'alice', 'FINISHED', ?, ?, '', 'active', ?, 0)`,
  );
  const param = db.prepare('INSERT INTO params VALUES (?, ?, ?)');
  const tag = db.prepare('INSERT INTO tags VALUES (?, ?, ?)');
  const latest = db.prepare('INSERT INTO latest_metrics VALUES (?, ?, ?, ?, 0, ?)');
  const metric = db.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?, ?, 0)');
  for (let i = 0; i < n.runs; i++) {
    const id = runIdOf(i);
    const t = 1700000000000 + i * 1000;
    run.run(id, `run-${i}`, t, t + 500, `/tmp/mlruns/0/${id}/artifacts`);
    for (let p = 0; p < n.params; p++) param.run(`param_${p}`, `${(i * 31 + p) % 97}`, id);
    for (let g = 0; g < n.tags; g++) tag.run(g === 0 ? 'mlflow.runName' : `tag_${g}`, g === 0 ? `run-${i}` : `value ${g}`, id);
    for (let m = 0; m < n.metrics; m++) {
      const v = ((i + 1) * (m + 3)) / 1000;
      latest.run(`metric_${m}`, v, t + m, 10, id);
      metric.run(`metric_${m}`, v, t + m, id, 10);
    }
  }
  db.exec('COMMIT');
}
