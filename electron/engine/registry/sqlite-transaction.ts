// One `BEGIN IMMEDIATE` transaction per registry action on the user's own SQLite database file
// (format doc 3.5), through SQLite's locking (never a copy that replaces the file), waiting for
// another writer's lock without blocking the process, and only on schema revisions we have
// checked (KNOWN_REVISIONS). SQLite's errors become the engine's WRITE_CONFLICT and READ_ONLY.
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { EngineError } from '../errors.ts';
import { KNOWN_REVISIONS } from '../stores/mlflow-sqlite/schema.ts';
import { SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, errorMessage, sqliteErrcode } from '../stores/mlflow-sqlite/query.ts';
import { SqliteRegistryTx } from './sqlite-registry-tx.ts';

/** How long a write waits for another connection's lock before failing with WRITE_CONFLICT. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/**
 * node:sqlite is synchronous: SQLite's own busy handler would block the whole process (the app's
 * backend) for as long as it waits. So SQLite waits in short slices and we sleep asynchronously
 * between them until the budget is spent.
 */
const BUSY_SLICE_MS = 50;
const RETRY_SLEEP_MS = 50;

function isBusy(e: unknown): boolean {
  const code = sqliteErrcode(e);
  const primary = code === null ? null : code & 0xff;
  return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `sql` (BEGIN IMMEDIATE / COMMIT), retrying while another connection holds the lock. */
async function execWaiting(db: DatabaseSync, sql: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      db.exec(sql);
      return;
    } catch (e) {
      if (!isBusy(e) || Date.now() >= deadline) throw e;
    }
    await sleep(RETRY_SLEEP_MS);
  }
}

/**
 * Runs `fn` in one BEGIN IMMEDIATE transaction on `dbFile`, committed when it resolves and rolled
 * back when it throws. `fn` must not wait on other I/O for long: the connection holds the write
 * lock until commit.
 */
export async function withSqliteTransaction<T>(
  dbFile: string,
  busyTimeoutMs: number,
  fn: (tx: SqliteRegistryTx) => Promise<T>,
): Promise<T> {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(dbFile, { enableForeignKeyConstraints: true });
  } catch (e) {
    throw sqliteWriteError(e, dbFile, busyTimeoutMs);
  }
  const deadline = Date.now() + Math.max(0, busyTimeoutMs);
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.min(BUSY_SLICE_MS, Math.max(0, Math.floor(busyTimeoutMs)))}`);
    try {
      await execWaiting(db, 'BEGIN IMMEDIATE', deadline);
    } catch (e) {
      throw sqliteWriteError(e, dbFile, busyTimeoutMs);
    }
    let value: T;
    try {
      checkRevision(db, dbFile);
      value = await fn(new SqliteRegistryTx(db));
      // COMMIT can be busy too (readers still holding SHARED locks); the transaction stays open.
      await execWaiting(db, 'COMMIT', Math.max(deadline, Date.now() + BUSY_SLICE_MS * 20));
    } catch (e) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // Already rolled back by SQLite (e.g. after SQLITE_FULL); nothing was committed.
      }
      throw sqliteWriteError(e, dbFile, busyTimeoutMs);
    }
    return value;
  } finally {
    db.close();
  }
}

/** Format doc 3.5 rule 1: only databases whose schema revision we know are written. */
export function checkRevision(db: DatabaseSync, dbFile: string): void {
  let revision: string | null;
  try {
    const row = db.prepare('SELECT version_num FROM alembic_version LIMIT 1').get() as { version_num?: unknown } | undefined;
    revision = typeof row?.version_num === 'string' ? row.version_num : null;
  } catch {
    revision = null;
  }
  if (revision === null || !KNOWN_REVISIONS.includes(revision)) {
    throw unknownRevision(dbFile, revision);
  }
}

export function unknownRevision(dbFile: string, revision: string | null): EngineError {
  return new EngineError(
    'READ_ONLY',
    `${path.basename(dbFile)} has an unknown schema revision (${revision ?? 'none'}); Runsight only writes MLflow databases at ${KNOWN_REVISIONS.join(', ')} — open it with a matching MLflow to migrate it`,
  );
}

function sqliteWriteError(e: unknown, dbFile: string, busyTimeoutMs: number): unknown {
  if (e instanceof EngineError) return e;
  const code = sqliteErrcode(e);
  const primary = code === null ? null : code & 0xff;
  if (isBusy(e)) {
    return new EngineError(
      'WRITE_CONFLICT',
      `${path.basename(dbFile)} is locked by another writer (waited ${(busyTimeoutMs / 1000).toFixed(1)} s); nothing was changed, try again`,
    );
  }
  if (primary === SQLITE_READONLY) {
    return new EngineError('READ_ONLY', `${dbFile} is read-only (SQLite: ${errorMessage(e)}): registry changes cannot be saved`);
  }
  return e;
}
