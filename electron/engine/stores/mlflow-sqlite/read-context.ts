// Shared by the table readers: the connection, what the schema has, and where problems go.
// A failing query (corrupt page, lock, odd schema) costs only its own section: the problem is
// recorded and the rest of the store is still read.
import type { Query } from './query.ts';
import { SQLITE_BUSY, SQLITE_CORRUPT, SQLITE_LOCKED, SQLITE_NOTADB, errorMessage, sqliteErrcode } from './query.ts';
import type { Schema } from './schema.ts';

export interface ReadContext {
  q: Query;
  schema: Schema;
  /**
   * SQLite renders doubles in JSON round-trip exact (3.43+ does; older versions wrote 15
   * digits). When true, child tables are read as one JSON object per run (much cheaper in JS).
   */
  jsonNumbersExact: boolean;
  problem(text: string): void;
}

const PROBE_VALUES = [0.1 + 0.2, 0.18035416067450552, 1.7976931348623157e308, 5e-324, 1e-300];

/** Whether this SQLite's JSON output gives back exactly the doubles it was given. */
export function checkJsonNumbers(q: Query): boolean {
  try {
    const row = q.first(`SELECT json_array(${PROBE_VALUES.map(() => 'CAST(? AS REAL)').join(', ')})`, ...PROBE_VALUES);
    const back = JSON.parse(String(row?.[0])) as unknown[];
    return PROBE_VALUES.every((v, i) => Object.is(back[i], v));
  } catch {
    return false;
  }
}

export function describeReadError(what: string, e: unknown): string {
  const code = sqliteErrcode(e);
  const primary = code === null ? null : code & 0xff;
  const msg = errorMessage(e);
  if (primary === SQLITE_CORRUPT || primary === SQLITE_NOTADB) return `database file is corrupt: could not read ${what} (SQLite: ${msg})`;
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) return `database is locked: could not read ${what} (SQLite: ${msg})`;
  return `could not read ${what} (${msg})`;
}

export function section<T>(ctx: ReadContext, what: string, fallback: T, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    ctx.problem(describeReadError(what, e));
    return fallback;
  }
}

/** WHERE clause pieces joined with AND ('' when none). */
export function where(...parts: (string | null | false | undefined)[]): string {
  const p = parts.filter((x): x is string => typeof x === 'string' && x.length > 0);
  return p.length ? ` WHERE ${p.join(' AND ')}` : '';
}
