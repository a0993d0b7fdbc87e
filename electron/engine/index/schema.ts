// Layout of the index database. Everything lives in an attached `:memory:` database (`ix`): sql.js
// opens its main database as a file in Emscripten's in-memory file system, which would keep every
// page twice (file + page cache) and copy it on each read; an attached :memory: database is just
// the page cache inside the wasm heap.
//
// The index database has no rollback journal (journal_mode OFF). With the in-memory journal,
// replacing or removing a big store copied every page it deleted into the journal first:
// measured at 100k runs, removeStore grew the wasm heap by 60 MB, and wasm memory never shrinks.
// Without a journal a failed write cannot be rolled back; ingest.ts purges that store instead
// (writes only fail on programming errors).
//
// The tables are the record store: getRun, the page rows of queryRuns, listColumns, models and
// registry are read from here. Filtering, counting and sorting runs do NOT run in SQL: measured
// at 100k runs, every per-run B-tree lookup costs ~2.5 us in wasm (a metric sort took 250 ms, a
// metric-range filter 120 ms), so queryRuns works on typed-array columns (run-table.ts) and
// only fetches the page's rows here. Hence no (key, value) indexes on the value tables: nothing
// would use them, and they cost memory and ingest time.
//
// Design choices:
// - Stores are interned to `sid`, runs to an integer `rid`, and param/metric/tag names to `kid`
//   (one `keys` table shared by all kinds), so the 10^6-row value tables hold integers instead
//   of repeating 32-char run ids and key strings. Two stores may share experiment id "0" and even
//   run ids (copies of one store): the small shared tables are keyed by `sid` first, and each
//   store has its own runs / params / metrics / tags tables (`runs_s<sid>` ...). Replacing or
//   removing a store then drops its tables, which frees their pages at once; deleting its 2.6M
//   value rows of a 100k-run store row by row took 2.4 s.
// - Value tables are WITHOUT ROWID with primary key (rid, kid): one run's values are one
//   contiguous primary-key range.
// - A NaN metric is stored as value NULL (sql.js binds NaN as NULL anyway): the row exists, so
//   "has the metric" and "value is NaN" stay distinguishable. `negzero` = 1 keeps -0.0 (sql.js
//   binds -0 as integer 0). dataset_name/dataset_digest are the file store's dataset-scoped
//   metric fields, NULL elsewhere.
// - `exp_keys` counts, per experiment, how many runs carry each key, so listColumns never scans
//   the value tables.
// - Logged models and registered models are few and only listed whole: stored as JSON bodies.

export const SCHEMA_SQL = `
PRAGMA temp_store = MEMORY;
ATTACH DATABASE ':memory:' AS ix;
PRAGMA ix.journal_mode = OFF;
CREATE TABLE ix.stores (
  sid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  artifact_root TEXT NOT NULL,
  schema_revision TEXT,
  has_schema_revision INTEGER NOT NULL
);
CREATE TABLE ix.keys (
  kid INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE ix.experiments (
  sid INTEGER NOT NULL,
  exp_id TEXT NOT NULL,
  name TEXT NOT NULL,
  artifact_location TEXT NOT NULL,
  lifecycle TEXT NOT NULL,
  creation_time INTEGER,
  last_update_time INTEGER,
  tags TEXT NOT NULL,
  PRIMARY KEY (sid, exp_id)
) WITHOUT ROWID;
CREATE TABLE ix.exp_keys (
  sid INTEGER NOT NULL,
  exp_id TEXT NOT NULL,
  kind INTEGER NOT NULL,
  kid INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (sid, exp_id, kind, kid)
) WITHOUT ROWID;
CREATE TABLE ix.logged_models (
  sid INTEGER NOT NULL,
  model_id TEXT NOT NULL,
  exp_id TEXT NOT NULL,
  source_run_id TEXT,
  lifecycle TEXT NOT NULL,
  creation_ts INTEGER,
  body TEXT NOT NULL,
  PRIMARY KEY (sid, model_id)
) WITHOUT ROWID;
CREATE TABLE ix.registered_models (
  sid INTEGER NOT NULL,
  name TEXT NOT NULL,
  is_prompt INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (sid, name)
) WITHOUT ROWID;
`;

/** Names of one store's run and value tables. */
export function storeTables(sid: number): { runs: string; params: string; metrics: string; tags: string } {
  return { runs: `runs_s${sid}`, params: `params_s${sid}`, metrics: `metrics_s${sid}`, tags: `tags_s${sid}` };
}

/** Matches SQL that names one of the tables of store `sid` (to drop its cached statements). */
export function storeTablePattern(sid: number): RegExp {
  return new RegExp(`\\b(?:runs|params|metrics|tags)_s${sid}\\b`);
}

/** Creates (after dropping, if any) the run and value tables of one store. */
export function storeTablesSql(sid: number): string {
  const t = storeTables(sid);
  return `${dropStoreTablesSql(sid)}
CREATE TABLE ix.${t.runs} (
  rid INTEGER PRIMARY KEY,
  exp_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  run_name TEXT NOT NULL,
  status TEXT NOT NULL,
  start_time INTEGER,
  end_time INTEGER,
  lifecycle TEXT NOT NULL,
  user_id TEXT NOT NULL,
  artifact_uri TEXT NOT NULL,
  deleted_time INTEGER,
  parent_run_id TEXT,
  io TEXT
);
CREATE UNIQUE INDEX ix.${t.runs}_by_id ON ${t.runs} (run_id);
CREATE INDEX ix.${t.runs}_by_experiment ON ${t.runs} (exp_id);
CREATE TABLE ix.${t.params} (
  rid INTEGER NOT NULL,
  kid INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (rid, kid)
) WITHOUT ROWID;
CREATE TABLE ix.${t.metrics} (
  rid INTEGER NOT NULL,
  kid INTEGER NOT NULL,
  value REAL,
  step REAL NOT NULL,
  ts REAL NOT NULL,
  negzero INTEGER,
  dataset_name TEXT,
  dataset_digest TEXT,
  PRIMARY KEY (rid, kid)
) WITHOUT ROWID;
CREATE TABLE ix.${t.tags} (
  rid INTEGER NOT NULL,
  kid INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (rid, kid)
) WITHOUT ROWID;`;
}

export function dropStoreTablesSql(sid: number): string {
  const t = storeTables(sid);
  return [t.runs, t.params, t.metrics, t.tags].map((name) => `DROP TABLE IF EXISTS ix.${name};`).join('\n');
}

/** exp_keys.kind */
export const KIND_PARAM = 0;
export const KIND_METRIC = 1;
export const KIND_TAG = 2;
export const KINDS = 3;
