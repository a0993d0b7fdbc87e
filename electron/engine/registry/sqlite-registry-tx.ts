// The SQLite store's half of a registry write (format doc 3.4, 3.5; fixture kitchen-sink-sqlite):
// the RegistryTx reads and writes as SQL, on the connection that withSqliteTransaction
// (sqlite-transaction.ts) holds inside BEGIN IMMEDIATE. Rows are written as MLflow's
// SqlAlchemyStore writes them: no model_id column at 3.5, deleted versions scrubbed to the
// REDACTED-* values (scrubsDeletedVersions), last_updated_time maintained on the registered model
// and the version.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { EngineError } from '../errors.ts';
import type { LoggedModelRecord, ModelRecord, RegistryTx, RunRecord, VersionFields, VersionRecord } from './types.ts';
import { readVersionFields, type VersionNames } from './version-fields.ts';

/** model_versions columns per VersionFields key; model_id has no column at 3.5 (format doc 3.4). */
const VERSION_COLUMNS: VersionNames = {
  creationTimestamp: 'creation_time',
  lastUpdatedTimestamp: 'last_updated_time',
  currentStage: 'current_stage',
  description: 'description',
  userId: 'user_id',
  source: 'source',
  runId: 'run_id',
  runLink: 'run_link',
  status: 'status',
  statusMessage: 'status_message',
  storageLocation: 'storage_location',
  modelId: null,
};
const INTEGER_FIELDS = new Set<keyof VersionFields>(['creationTimestamp', 'lastUpdatedTimestamp']);

type Row = Record<string, SQLInputValue>;

export class SqliteRegistryTx implements RegistryTx {
  readonly kind = 'sqlite' as const;
  readonly scrubsDeletedVersions = true;
  private readonly db: DatabaseSync;
  private readonly hasTable: (t: string) => boolean;

  constructor(db: DatabaseSync) {
    this.db = db;
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name),
    );
    this.hasTable = (t) => tables.has(t);
  }

  private all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.db.prepare(sql).all(...params) as Row[];
  }

  private run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.db.prepare(sql).run(...params).changes);
  }

  async getModel(name: string): Promise<ModelRecord | null> {
    const row = this.all(
      'SELECT name, CAST(creation_time AS REAL) AS c, CAST(last_updated_time AS REAL) AS u, description FROM registered_models WHERE name = ?',
      name,
    )[0];
    if (!row) return null;
    const tags: Record<string, string> = {};
    for (const t of this.all('SELECT "key" AS k, value AS v FROM registered_model_tags WHERE name = ? ORDER BY "key"', name)) {
      tags[String(t.k)] = t.v === null ? '' : String(t.v);
    }
    const aliases: Record<string, number> = {};
    if (this.hasTable('registered_model_aliases')) {
      for (const a of this.all('SELECT alias, version FROM registered_model_aliases WHERE name = ? ORDER BY alias', name)) {
        aliases[String(a.alias)] = Number(a.version);
      }
    }
    return { name, creationTimestamp: numOrNull(row.c), lastUpdatedTimestamp: numOrNull(row.u), description: strOrNull(row.description), tags, aliases };
  }

  async maxVersion(name: string): Promise<number> {
    const row = this.all('SELECT max(version) AS m FROM model_versions WHERE name = ?', name)[0];
    return row && row.m !== null ? Number(row.m) : 0;
  }

  async getVersions(name: string): Promise<VersionRecord[]> {
    const rows = this.all(
      `SELECT version, CAST(creation_time AS REAL) AS creation_time, CAST(last_updated_time AS REAL) AS last_updated_time,
        description, user_id, current_stage, source, run_id, status, status_message, run_link, storage_location
       FROM model_versions WHERE name = ? ORDER BY version`,
      name,
    );
    const tags = new Map<number, Record<string, string>>();
    for (const t of this.all('SELECT version, "key" AS k, value AS v FROM model_version_tags WHERE name = ? ORDER BY "key"', name)) {
      const v = Number(t.version);
      const rec = tags.get(v) ?? {};
      rec[String(t.k)] = t.v === null ? '' : String(t.v);
      tags.set(v, rec);
    }
    return rows.map((r) => ({
      name,
      version: Number(r.version),
      ...readVersionFields(VERSION_COLUMNS, r, numOrNull, strOrNull),
      tags: tags.get(Number(r.version)) ?? {},
    }));
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    const r = this.all('SELECT run_uuid, CAST(experiment_id AS TEXT) AS e, artifact_uri, lifecycle_stage FROM runs WHERE run_uuid = ?', runId)[0];
    if (!r) return null;
    return {
      runId,
      experimentId: strOrNull(r.e) ?? '',
      artifactUri: strOrNull(r.artifact_uri) ?? '',
      lifecycleStage: strOrNull(r.lifecycle_stage) ?? 'active',
    };
  }

  async getLoggedModel(modelId: string): Promise<LoggedModelRecord | null> {
    if (!this.hasTable('logged_models')) return null;
    const r = this.all(
      `SELECT model_id, CAST(experiment_id AS TEXT) AS e, name, artifact_location, source_run_id, status, lifecycle_stage
       FROM logged_models WHERE model_id = ?`,
      modelId,
    )[0];
    if (!r) return null;
    const tag = this.hasTable('logged_model_tags')
      ? this.all("SELECT tag_value AS v FROM logged_model_tags WHERE model_id = ? AND tag_key = 'mlflow.modelVersions'", modelId)[0]
      : undefined;
    return {
      modelId,
      experimentId: strOrNull(r.e) ?? '',
      name: strOrNull(r.name) ?? modelId,
      artifactLocation: strOrNull(r.artifact_location) ?? '',
      sourceRunId: strOrNull(r.source_run_id),
      status: numOrNull(r.status),
      lifecycleStage: strOrNull(r.lifecycle_stage) ?? 'active',
      modelVersionsTag: tag ? strOrNull(tag.v) : null,
    };
  }

  async runHasOutput(runId: string, modelId: string): Promise<boolean> {
    if (!this.hasTable('inputs')) return false;
    // Model outputs are RUN_OUTPUT → MODEL_OUTPUT rows: source_id = run, destination_id = model (format doc 3.2).
    const r = this.all(
      "SELECT 1 AS x FROM inputs WHERE source_type = 'RUN_OUTPUT' AND source_id = ? AND destination_type = 'MODEL_OUTPUT' AND destination_id = ?",
      runId,
      modelId,
    );
    return r.length > 0;
  }

  async createModel(rec: { name: string; creationTimestamp: number; description: string | null }): Promise<boolean> {
    const at = BigInt(rec.creationTimestamp);
    return this.run('INSERT OR IGNORE INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)', rec.name, at, at, rec.description) > 0;
  }

  async deleteModel(name: string): Promise<void> {
    // MLflow deletes the rows (format doc 3.4); children first (their foreign keys do not cascade).
    this.run('DELETE FROM model_version_tags WHERE name = ?', name);
    if (this.hasTable('registered_model_aliases')) this.run('DELETE FROM registered_model_aliases WHERE name = ?', name);
    this.run('DELETE FROM model_versions WHERE name = ?', name);
    this.run('DELETE FROM registered_model_tags WHERE name = ?', name);
    this.run('DELETE FROM registered_models WHERE name = ?', name);
  }

  async setModelDescription(name: string, description: string | null): Promise<void> {
    this.run('UPDATE registered_models SET description = ? WHERE name = ?', description, name);
  }

  async touchModel(name: string, at: number): Promise<void> {
    this.run('UPDATE registered_models SET last_updated_time = max(coalesce(last_updated_time, 0), ?) WHERE name = ?', BigInt(at), name);
  }

  async createVersion(name: string, f: VersionFields, tags: Record<string, string>): Promise<number> {
    // Inside BEGIN IMMEDIATE nobody else can write, so max+1 over all rows (Deleted_Internal
    // included, format doc 3.5 rule 5) is free.
    const version = (await this.maxVersion(name)) + 1;
    this.run(
      `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage,
         source, run_id, status, status_message, run_link, storage_location)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      name,
      version,
      intOrNull(f.creationTimestamp),
      intOrNull(f.lastUpdatedTimestamp),
      f.description,
      f.userId,
      f.currentStage,
      f.source,
      f.runId,
      f.status,
      f.statusMessage,
      f.runLink,
      f.storageLocation,
    );
    for (const [k, v] of Object.entries(tags)) await this.setVersionTag(name, version, k, v);
    return version;
  }

  async updateVersion(name: string, version: number, patch: Partial<VersionFields>): Promise<void> {
    const sets: string[] = [];
    const values: SQLInputValue[] = [];
    for (const [k, v] of Object.entries(patch) as [keyof VersionFields, string | number | null][]) {
      const col = VERSION_COLUMNS[k];
      if (!col) continue;
      sets.push(`${col} = ?`);
      values.push(INTEGER_FIELDS.has(k) ? intOrNull(v as number | null) : v);
    }
    if (sets.length === 0) return;
    this.run(`UPDATE model_versions SET ${sets.join(', ')} WHERE name = ? AND version = ?`, ...values, name, version);
  }

  async setModelTag(name: string, key: string, value: string | null): Promise<void> {
    if (value === null) this.run('DELETE FROM registered_model_tags WHERE "key" = ? AND name = ?', key, name);
    else {
      this.run(
        'INSERT INTO registered_model_tags ("key", value, name) VALUES (?, ?, ?) ON CONFLICT ("key", name) DO UPDATE SET value = excluded.value',
        key,
        value,
        name,
      );
    }
  }

  async setVersionTag(name: string, version: number, key: string, value: string | null): Promise<void> {
    if (value === null) this.run('DELETE FROM model_version_tags WHERE "key" = ? AND name = ? AND version = ?', key, name, version);
    else {
      this.run(
        `INSERT INTO model_version_tags ("key", value, name, version) VALUES (?, ?, ?, ?)
         ON CONFLICT ("key", name, version) DO UPDATE SET value = excluded.value`,
        key,
        value,
        name,
        version,
      );
    }
  }

  async setAlias(name: string, alias: string, version: number | null): Promise<void> {
    if (!this.hasTable('registered_model_aliases')) {
      throw new EngineError('READ_ONLY', 'This database has no alias table (MLflow older than 2.3); aliases cannot be written');
    }
    if (version === null) this.run('DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?', name, alias);
    else {
      this.run(
        'INSERT INTO registered_model_aliases (alias, version, name) VALUES (?, ?, ?) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version',
        alias,
        version,
        name,
      );
    }
  }

  async setLoggedModelTag(modelId: string, key: string, value: string | null): Promise<void> {
    if (value === null) {
      this.run('DELETE FROM logged_model_tags WHERE model_id = ? AND tag_key = ?', modelId, key);
      return;
    }
    const m = this.all('SELECT experiment_id AS e FROM logged_models WHERE model_id = ?', modelId)[0];
    if (!m) throw new EngineError('NOT_FOUND', `Logged model ${modelId} not found`);
    this.run(
      `INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)
       ON CONFLICT (model_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`,
      modelId,
      m.e ?? null,
      key,
      value,
    );
  }
}

function strOrNull(v: SQLInputValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}

function numOrNull(v: SQLInputValue | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isNaN(n) ? null : n;
}

function intOrNull(v: number | null): bigint | null {
  return v === null ? null : BigInt(Math.trunc(v));
}
