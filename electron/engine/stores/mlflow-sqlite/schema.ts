// What this particular database has. MLflow's schema grew over 40 migrations (format doc 3.1):
// 1.x/2.x databases lack e.g. `logged_models`, `inputs`, `registered_model_aliases`,
// `runs.deleted_time`, `experiments.creation_time`. Every query is built from the columns that
// exist, so an older database is read with whatever it has instead of failing.
import type { Query } from './query.ts';
import { str } from './query.ts';

/**
 * Schema revisions (`alembic_version.version_num`) whose layout Runsight has checked against
 * a database written by that MLflow. `bf29a5ff90ea` = MLflow 3.5 head (migration
 * `bf29a5ff90ea_add_jobs_table.py`), verified on shared/fixtures/kitchen-sink-sqlite written by
 * MLflow 3.5.2.dev0 (upstream commit 11c1186508422389d0e7389b9c37605be69907c4). Other revisions
 * are read best-effort and must not be written to.
 */
export const KNOWN_REVISIONS: readonly string[] = ['bf29a5ff90ea'];

/** The tables (and key columns) that make a SQLite file an MLflow tracking database. */
const REQUIRED: ReadonlyArray<readonly [string, string | null]> = [
  ['experiments', 'experiment_id'],
  ['runs', 'run_uuid'],
  ['alembic_version', null],
];

export class Schema {
  private readonly tables: Map<string, Set<string>>;
  private readonly rowids: Map<string, boolean>;
  private readonly q: Query;

  constructor(q: Query) {
    this.q = q;
    this.tables = new Map();
    this.rowids = new Map();
    const names = q.all("SELECT name FROM sqlite_master WHERE type = 'table'");
    for (const [name] of names) {
      const t = str(name);
      if (t === null) continue;
      const cols = q.all('SELECT name FROM pragma_table_info(?)', t).map(([c]) => str(c) ?? '');
      this.tables.set(t, new Set(cols));
    }
  }

  has(table: string): boolean {
    return this.tables.has(table);
  }

  hasColumn(table: string, column: string): boolean {
    return this.tables.get(table)?.has(column) ?? false;
  }

  /** `"column"` when present, else `fallback` (an SQL literal such as NULL or 0). */
  col(table: string, column: string, fallback = 'NULL'): string {
    return this.hasColumn(table, column) ? quoteIdent(column) : fallback;
  }

  /** Same as col() for a column of a table aliased in the query (`alias."column"`). */
  colOf(alias: string, table: string, column: string, fallback = 'NULL'): string {
    return this.hasColumn(table, column) ? `${alias}.${quoteIdent(column)}` : fallback;
  }

  /** Integer columns read as REAL: node:sqlite throws on integers beyond 2^53 (model.ts invariant). */
  numCol(table: string, column: string): string {
    return this.hasColumn(table, column) ? `CAST(${quoteIdent(column)} AS REAL)` : 'NULL';
  }

  /** numCol() for a column of an aliased table. */
  numColOf(alias: string, table: string, column: string): string {
    return this.hasColumn(table, column) ? `CAST(${alias}.${quoteIdent(column)} AS REAL)` : 'NULL';
  }

  /** Whether `rowid` addresses rows (false for WITHOUT ROWID tables and missing tables). */
  hasRowid(table: string): boolean {
    const known = this.rowids.get(table);
    if (known !== undefined) return known;
    let ok = false;
    if (this.has(table)) {
      try {
        this.q.all(`SELECT rowid FROM ${quoteIdent(table)} LIMIT 0`);
        ok = !this.hasColumn(table, 'rowid');
      } catch {
        ok = false;
      }
    }
    this.rowids.set(table, ok);
    return ok;
  }

  /** Missing MLflow tables/columns, or null when this looks like an MLflow tracking database. */
  missingMlflowTables(): string[] {
    const missing: string[] = [];
    for (const [table, column] of REQUIRED) {
      if (!this.has(table)) missing.push(table);
      else if (column && !this.hasColumn(table, column)) missing.push(`${table}.${column}`);
    }
    return missing;
  }

  /** `alembic_version.version_num` (MLflow keeps exactly one row: the migration head). */
  revision(): string | null {
    if (!this.hasColumn('alembic_version', 'version_num')) return null;
    const row = this.q.first('SELECT version_num FROM alembic_version WHERE version_num IS NOT NULL LIMIT 1');
    return row ? str(row[0]) : null;
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
