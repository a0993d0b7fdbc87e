// Registry writes into an MLflow SQLite store (format doc 3.4, 3.5; fixture kitchen-sink-sqlite):
// one `BEGIN IMMEDIATE` transaction per action on the user's own database file, through SQLite's
// locking (never a copy that replaces the file), and only on schema revisions we have checked
// (KNOWN_REVISIONS). Rows are written as MLflow's SqlAlchemyStore writes them: no model_id column
// at 3.5, deleted versions scrubbed to the REDACTED-* values, last_updated_time maintained on the
// registered model and the version.
//
// The parts: sqlite-registry-tx.ts (SqliteRegistryTx, the reads and writes as SQL) and
// sqlite-transaction.ts (the transaction, the lock waits, the revision check, the errors).
export { SqliteRegistryTx } from './sqlite-registry-tx.ts';
export { DEFAULT_BUSY_TIMEOUT_MS, checkRevision, unknownRevision, withSqliteTransaction } from './sqlite-transaction.ts';
