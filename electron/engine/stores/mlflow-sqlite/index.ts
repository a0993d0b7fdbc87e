// MLflow SQLite store (mlflow.db): the reader and the cheap check discovery uses.
import { openDatabase } from './open-database.ts';
import { describeReadError } from './read-context.ts';
import { KNOWN_REVISIONS, Schema } from './schema.ts';

export { createSqliteStoreReader } from './sqlite-store-reader.ts';
export { KNOWN_REVISIONS } from './schema.ts';

export type ProbeResult = { ok: true; revision: string | null; known: boolean } | { ok: false; reason: string };

/**
 * Is `file` an MLflow tracking database, and at which schema revision? Reads the header and
 * the table list through a read-only connection; never throws, never writes.
 */
export function probeMlflowDatabase(file: string): ProbeResult {
  const opened = openDatabase(file);
  if (!opened.ok) return { ok: false, reason: opened.reason };
  try {
    const schema = new Schema(opened.q);
    const missing = schema.missingMlflowTables();
    if (missing.length > 0) {
      return { ok: false, reason: `SQLite database but not an MLflow tracking database (missing: ${missing.join(', ')})` };
    }
    const revision = schema.revision();
    return { ok: true, revision, known: revision !== null && KNOWN_REVISIONS.includes(revision) };
  } catch (e) {
    return { ok: false, reason: describeReadError('the schema', e) };
  } finally {
    opened.db.close();
  }
}
