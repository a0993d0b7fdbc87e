// Opening a user's mlflow.db without ever changing it.
//
// How node:sqlite / SQLite behave here (checked with Node 24.21, SQLite 3.53):
// - `readOnly: true` opens with SQLITE_OPEN_READONLY: SQLite refuses every write, runs no
//   recovery that writes, and a read-only connection never checkpoints on close (a -wal with
//   committed data is left as it was). A rollback-journal database (MLflow's default; the
//   fixture) is read without creating any file.
// - A database in WAL mode can only be read through its shared-memory index `-shm`. A read-only
//   connection creates `-shm` (and an empty `-wal`) when they are missing and the folder is
//   writable, and leaves them behind when it closes; that is SQLite's own reader protocol, the
//   database content is untouched.
// - Folder not writable + WAL: with `-shm` and `-wal` present (a writer is or was running) the
//   read works, even when both files are read-only to us (SQLite falls back to a private
//   wal-index) and it sees data that is still only in `-wal`. With no `-wal` at all, opening
//   fails (SQLITE_READONLY_DIRECTORY "attempt to write a readonly database"); then nothing is
//   pending in a log, so we read the file with `immutable=1` (no locks, no -shm) as a snapshot.
//   With a `-wal` but no `-shm`, the committed data in `-wal` cannot be read at all: reported.
// - Errors surface on the first query, not in the constructor (except a missing/unreadable
//   main file), so opening always runs one query.
import { accessSync, closeSync, constants, openSync, readSync, statSync, type Stats } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import {
  Query,
  SQLITE_AUTH,
  SQLITE_BUSY,
  SQLITE_CANTOPEN,
  SQLITE_CORRUPT,
  SQLITE_IOERR,
  SQLITE_LOCKED,
  SQLITE_NOTADB,
  SQLITE_READONLY,
  errorMessage,
  sqliteErrcode,
} from './query.ts';

/** How long a read waits for a writer's lock (rollback-journal mode) before giving up. */
export const BUSY_TIMEOUT_MS = 2000;

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** 'busy' is transient (a writer held its lock longer than the busy timeout): retry any time. */
export type OpenFailure = 'missing' | 'not-sqlite' | 'unreadable' | 'corrupt' | 'busy';

export interface OpenedDatabase {
  db: DatabaseSync;
  q: Query;
  /** 'live': normal read-only connection; 'snapshot': immutable=1, sees no later changes. */
  mode: 'live' | 'snapshot';
  /** Problems worth telling the user even though the database could be read. */
  notes: string[];
}

export type OpenResult = ({ ok: true } & OpenedDatabase) | { ok: false; failure: OpenFailure; reason: string };

interface HeaderInfo {
  wal: boolean;
}

/** Checks the 100-byte SQLite header without involving SQLite. */
export function readHeader(file: string): { ok: true; header: HeaderInfo } | { ok: false; failure: OpenFailure; reason: string } {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    return fsFailure(e);
  }
  if (!st.isFile()) return { ok: false, failure: 'not-sqlite', reason: 'not a regular file' };
  if (st.size === 0) return { ok: false, failure: 'not-sqlite', reason: 'empty file (0 bytes), not a SQLite database' };
  const buf = Buffer.alloc(100);
  let n: number;
  try {
    const fd = openSync(file, 'r');
    try {
      n = readSync(fd, buf, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return fsFailure(e);
  }
  if (n < HEADER.length || !buf.subarray(0, HEADER.length).equals(HEADER)) {
    return { ok: false, failure: 'not-sqlite', reason: 'not a SQLite database (the file does not start with "SQLite format 3")' };
  }
  if (n < 100) return { ok: false, failure: 'corrupt', reason: `SQLite database is truncated (${n}-byte file, header alone is 100 bytes)` };
  // Bytes 18/19 = file format write/read version; 2 means WAL (https://sqlite.org/fileformat.html).
  return { ok: true, header: { wal: buf[18] === 2 || buf[19] === 2 } };
}

function fsFailure(e: unknown): { ok: false; failure: OpenFailure; reason: string } {
  const code = e && typeof e === 'object' && 'code' in e ? String(e.code) : '';
  if (code === 'ENOENT') return { ok: false, failure: 'missing', reason: 'file not found' };
  if (code === 'EACCES' || code === 'EPERM') return { ok: false, failure: 'unreadable', reason: 'permission denied (cannot read the file)' };
  return { ok: false, failure: 'unreadable', reason: `cannot read the file (${errorMessage(e)})` };
}

function fileSize(file: string): number | null {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

function construct(file: string, immutable: boolean): DatabaseSync {
  let location: string | URL = file;
  if (immutable) {
    const url = pathToFileURL(file);
    url.search = '?immutable=1';
    location = url;
  }
  const db = new DatabaseSync(location, { readOnly: true, enableForeignKeyConstraints: false });
  try {
    // Connection settings only (nothing is written): wait for a writer's lock instead of
    // failing at once, and refuse writes even if some code path asked for one.
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA query_only = 1;`);
    // Forces SQLite to read the schema and, in WAL mode, to map -shm / read -wal now.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** Opens `file` read-only; never throws. */
export function openDatabase(file: string): OpenResult {
  const head = readHeader(file);
  if (!head.ok) return head;
  try {
    accessSync(file, constants.R_OK);
  } catch (e) {
    return fsFailure(e);
  }
  try {
    const db = construct(file, false);
    return { ok: true, db, q: new Query(db), mode: 'live', notes: [] };
  } catch (e) {
    const code = sqliteErrcode(e);
    const primary = code === null ? null : code & 0xff;
    const msg = errorMessage(e);
    if (primary === SQLITE_NOTADB || primary === SQLITE_CORRUPT) {
      return { ok: false, failure: 'corrupt', reason: `database file is corrupt (SQLite: ${msg})` };
    }
    if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) {
      return {
        ok: false,
        failure: 'busy',
        reason: `database is locked by another process for more than ${BUSY_TIMEOUT_MS / 1000} s (SQLite: ${msg})`,
      };
    }
    const accessProblem =
      primary === SQLITE_READONLY || primary === SQLITE_CANTOPEN || primary === SQLITE_IOERR || primary === SQLITE_AUTH;
    if (accessProblem && head.header.wal) {
      const walSize = fileSize(`${file}-wal`);
      if (walSize === null || walSize === 0) {
        // Nothing is pending in a write-ahead log, so the main file alone is the whole database.
        try {
          const db = construct(file, true);
          return {
            ok: true,
            db,
            q: new Query(db),
            mode: 'snapshot',
            notes: [
              'database is in WAL mode and its folder is not writable, so SQLite cannot create the ' +
                'shared-memory file (mlflow.db-shm) a live reader needs; read as a snapshot, changes ' +
                'appear when the file changes on disk',
            ],
          };
        } catch (e2) {
          return { ok: false, failure: 'unreadable', reason: `cannot open the database read-only (SQLite: ${errorMessage(e2)})` };
        }
      }
      return {
        ok: false,
        failure: 'unreadable',
        reason:
          'database is in WAL mode with committed data in mlflow.db-wal, but mlflow.db-shm is missing and ' +
          'the folder is not writable, so SQLite cannot read it; open the folder with write access ' +
          `or let MLflow checkpoint it (SQLite: ${msg})`,
      };
    }
    return { ok: false, failure: 'unreadable', reason: `cannot open the database read-only (SQLite: ${msg})` };
  }
}

/** dev:ino of the file, to notice that the path now names another file (replaced by rename). */
export function fileIdentity(file: string): string | null {
  try {
    const st = statSync(file);
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

/** Changes whenever the file or its -wal changes on disk (for snapshot mode and failed opens). */
export function fileSignature(file: string): string {
  const part = (p: string): string => {
    try {
      const st = statSync(p);
      return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return '-';
    }
  };
  return `${part(file)}|${part(`${file}-wal`)}`;
}
