// The sql.js database plus the JS-side caches that mirror its interning tables (stores, keys)
// and the next free ids. The caches are what make bulk ingest cheap (no SELECT per key). There
// is no rollback (see batch()), so they never have to be re-read from the tables.
import type { Database, SqlValue, Statement } from 'sql.js';
import type { RunTable } from './run-table.ts';
import { SCHEMA_SQL } from './schema.ts';

export class IndexDb {
  readonly db: Database;
  readonly keyIds = new Map<string, number>();
  readonly keyNames = new Map<number, string>();
  readonly sids = new Map<string, number>();
  /** Columnar mirror of each store's runs (by sid), for queryRuns. */
  readonly tables = new Map<number, RunTable>();
  nextRid = 1;
  nextKid = 1;
  nextSid = 1;
  private readonly cache = new Map<string, Statement>();

  constructor(db: Database) {
    this.db = db;
    db.exec(SCHEMA_SQL);
  }

  /** A cached prepared statement for static SQL. */
  stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /** Frees cached statements whose SQL matches (those of a dropped store's tables). */
  forgetStatements(pattern: RegExp): void {
    for (const [sql, s] of this.cache) {
      if (pattern.test(sql)) {
        s.free();
        this.cache.delete(sql);
      }
    }
  }

  run(sql: string, params: SqlValue[] = []): void {
    const s = this.stmt(sql);
    s.run(params);
  }

  all(sql: string, params: SqlValue[] = [], cached = true): SqlValue[][] {
    const s = cached ? this.stmt(sql) : this.db.prepare(sql);
    try {
      s.bind(params);
      const out: SqlValue[][] = [];
      while (s.step()) out.push(s.get());
      return out;
    } finally {
      if (cached) s.reset();
      else s.free();
    }
  }

  one(sql: string, params: SqlValue[] = [], cached = true): SqlValue[] | undefined {
    return this.all(sql, params, cached)[0];
  }

  /**
   * Runs `fn` between BEGIN and COMMIT, so a whole snapshot costs one commit. The index database
   * keeps no rollback journal (schema.ts): when `fn` throws, what it wrote stays, the batch is
   * committed anyway and the caller purges the store it was writing (ingest.ts).
   */
  batch<T>(fn: () => T): T {
    this.db.exec('BEGIN');
    try {
      return fn();
    } finally {
      this.db.exec('COMMIT');
    }
  }

  keyId(name: string): number {
    let kid = this.keyIds.get(name);
    if (kid === undefined) {
      kid = this.nextKid++;
      this.run('INSERT INTO keys (kid, name) VALUES (?, ?)', [kid, name]);
      this.keyIds.set(name, kid);
      this.keyNames.set(kid, name);
    }
    return kid;
  }

  keyName(kid: number): string {
    const name = this.keyNames.get(kid);
    if (name === undefined) throw new Error(`index: unknown key id ${kid}`);
    return name;
  }

  close(): void {
    for (const s of this.cache.values()) s.free();
    this.cache.clear();
    this.db.close();
  }
}

/**
 * Multi-row INSERT: rows are buffered and written BATCH at a time with one statement, which
 * measured ~3x less CPU than one statement per row in sql.js (the per-call bind/step/reset
 * overhead dominates). Callers flush before reading the table back.
 */
export class BatchInsert {
  static readonly BATCH = 64;
  private readonly db: IndexDb;
  private readonly head: string;
  private readonly one: string;
  private readonly many: string;
  private readonly width: number;
  private values: SqlValue[] = [];

  constructor(db: IndexDb, head: string, width: number) {
    this.db = db;
    this.head = head;
    this.width = width;
    const tuple = `(${Array.from({ length: width }, () => '?').join(', ')})`;
    this.one = `${head} VALUES ${tuple}`;
    this.many = `${head} VALUES ${Array.from({ length: BatchInsert.BATCH }, () => tuple).join(', ')}`;
  }

  add(row: SqlValue[]): void {
    for (const v of row) this.values.push(v);
    if (this.values.length === this.width * BatchInsert.BATCH) {
      this.db.run(this.many, this.values);
      this.values = [];
    }
  }

  /** Drops buffered rows (after a rollback). */
  clear(): void {
    this.values = [];
  }

  flush(): void {
    const v = this.values;
    for (let i = 0; i < v.length; i += this.width) this.db.run(this.one, v.slice(i, i + this.width));
    this.values = [];
  }
}
