// Files named like an MLflow database that are not one, or not quite: the reader never throws,
// returns what it can and says what is wrong.
import { chmodSync, closeSync, copyFileSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KNOWN_REVISIONS,
  createSqliteStoreReader,
  probeMlflowDatabase,
} from '../../electron/engine/stores/mlflow-sqlite/index.ts';
import { copyFixture, fixturePath, tempDir } from '../helpers/fixtures.ts';
import { sqliteStoreInfo } from '../helpers/sqlite-fixtures.ts';

const fixtureDb = path.join(fixturePath('kitchen-sink-sqlite'), 'mlflow.db');

/** A writable copy (the shared fixture has no write bits, and copyFileSync keeps the mode). */
function copyDb(to: string): void {
  copyFileSync(fixtureDb, to);
  chmodSync(to, 0o644);
}

async function loadFile(file: string) {
  const reader = createSqliteStoreReader(sqliteStoreInfo(file));
  try {
    const snap = await reader.load();
    const change = await reader.refresh([file]);
    return { snap, problems: reader.diagnostics().map((d) => d.problem), change, diags: reader.diagnostics() };
  } finally {
    await reader.close();
  }
}

describe('SQLite reader: bad inputs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('runsight-sqlite-bad-'));
  });
  afterEach(async () => {
    await cleanup();
  });

  it('a text file named mlflow.db', async () => {
    const file = path.join(dir, 'mlflow.db');
    writeFileSync(file, 'this is a text file, not a database\n'.repeat(20));
    const { snap, problems, diags } = await loadFile(file);
    expect(snap.runs).toEqual([]);
    expect(snap.experiments).toEqual([]);
    expect(problems).toEqual([expect.stringMatching(/not a SQLite database/)]);
    expect(diags[0]).toMatchObject({ store: file, path: file });
    expect(probeMlflowDatabase(file)).toEqual({ ok: false, reason: expect.stringMatching(/not a SQLite database/) });
  });

  it('an empty (0-byte) file', async () => {
    const file = path.join(dir, 'mlflow.db');
    writeFileSync(file, '');
    const { snap, problems } = await loadFile(file);
    expect(snap.runs).toEqual([]);
    expect(problems).toEqual([expect.stringMatching(/empty file/)]);
    expect(probeMlflowDatabase(file).ok).toBe(false);
    // SQLite would happily treat 0 bytes as an empty database; we must not have turned it into one.
    expect(readFileSync(file).length).toBe(0);
  });

  it('a missing file', async () => {
    const file = path.join(dir, 'nope.db');
    const { problems } = await loadFile(file);
    expect(problems).toEqual(['file not found']);
  });

  it('a SQLite database that is not MLflow', async () => {
    const file = path.join(dir, 'mlflow.db');
    const db = new DatabaseSync(file);
    db.exec("CREATE TABLE runs (id INTEGER PRIMARY KEY, what TEXT); INSERT INTO runs (what) VALUES ('x')");
    db.close();
    const { snap, problems } = await loadFile(file);
    expect(snap.runs).toEqual([]);
    expect(problems).toEqual([expect.stringMatching(/not an MLflow tracking database \(missing: experiments, runs\.run_uuid, alembic_version\)/)]);
    expect(probeMlflowDatabase(file)).toEqual({ ok: false, reason: expect.stringMatching(/not an MLflow/) });
  });

  it('an unknown schema revision is read best-effort, with a diagnostic', async () => {
    const file = path.join(dir, 'mlflow.db');
    copyDb(file);
    const db = new DatabaseSync(file);
    db.exec("UPDATE alembic_version SET version_num = 'ffffffffffff'");
    db.close();
    const { snap, problems } = await loadFile(file);
    expect(KNOWN_REVISIONS).not.toContain('ffffffffffff');
    expect(problems).toEqual([
      'schema revision ffffffffffff is not one Runsight has verified; read best-effort, writes disabled',
    ]);
    expect(snap.info.schemaRevision).toBe('ffffffffffff');
    expect(snap.runs).toHaveLength(28);
    expect(snap.registry.length).toBeGreaterThan(0);
    expect(probeMlflowDatabase(file)).toEqual({ ok: true, revision: 'ffffffffffff', known: false });
  });

  it('a database locked by a writer beyond the busy timeout, then released', async () => {
    const file = path.join(dir, 'mlflow.db');
    copyDb(file);
    const writer = new DatabaseSync(file);
    writer.exec('BEGIN EXCLUSIVE'); // rollback-journal mode: no reader may start now
    const reader = createSqliteStoreReader(sqliteStoreInfo(file));
    try {
      const snap = await reader.load();
      expect(snap.runs).toEqual([]);
      expect(reader.diagnostics().map((d) => d.problem)).toEqual([expect.stringMatching(/locked by another process/)]);
      writer.exec('ROLLBACK');
      // Nothing changed on disk, yet a lock is transient: the next refresh reads the store.
      const change = await reader.refresh([file]);
      expect(change.runs).toHaveLength(28);
      expect(reader.diagnostics()).toEqual([]);
    } finally {
      writer.close();
      await reader.close();
    }
  });

  it('a truncated copy is reported as corrupt', async () => {
    const file = path.join(dir, 'mlflow.db');
    const bytes = readFileSync(fixtureDb);
    for (const size of [50, 4096, Math.floor(bytes.length / 2)]) {
      writeFileSync(file, bytes.subarray(0, size));
      const { snap, problems } = await loadFile(file);
      expect(snap.runs).toEqual([]);
      expect(problems).toEqual([expect.stringMatching(/truncated|corrupt/)]);
      expect(probeMlflowDatabase(file).ok).toBe(false);
    }
  });

  it('a damaged table costs only that table', async () => {
    const file = path.join(dir, 'mlflow.db');
    copyDb(file);
    const db = new DatabaseSync(file, { readOnly: true });
    const pageSize = Number((db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
    const root = Number((db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'params'").get() as { rootpage: number }).rootpage);
    db.close();
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    const { snap, problems } = await loadFile(file);
    expect(problems[0]).toMatch(/^database file is corrupt: could not read run params/);
    expect(problems.every((p) => p.startsWith('database file is corrupt'))).toBe(true);
    expect(snap.runs).toHaveLength(28);
    expect(snap.runs.every((r) => Object.keys(r.params).length === 0)).toBe(true);
    expect(snap.runs.some((r) => Object.keys(r.metrics).length > 0)).toBe(true);
    expect(snap.registry.length).toBeGreaterThan(0);
  });

  it('an older schema (no logged models, inputs, aliases, deleted_time) is read with what it has', async () => {
    const { dir: copy, cleanup: done } = await copyFixture('kitchen-sink-sqlite');
    try {
      const file = path.join(copy, 'mlflow.db');
      const db = new DatabaseSync(file);
      db.exec(`
        DROP TABLE logged_model_metrics; DROP TABLE logged_model_params; DROP TABLE logged_model_tags;
        DROP TABLE logged_models; DROP TABLE input_tags; DROP TABLE inputs; DROP TABLE datasets;
        DROP TABLE registered_model_aliases; DROP TABLE latest_metrics;
        ALTER TABLE runs DROP COLUMN deleted_time; ALTER TABLE model_versions DROP COLUMN storage_location;
        ALTER TABLE experiments DROP COLUMN creation_time;
        UPDATE alembic_version SET version_num = '0c779009ac13';
      `);
      db.close();
      const { snap, problems } = await loadFile(file);
      expect(problems).toEqual([expect.stringMatching(/^schema revision 0c779009ac13 is not one Runsight has verified/)]);
      expect(snap.runs).toHaveLength(28);
      expect(snap.loggedModels).toEqual([]);
      expect(snap.runs.every((r) => r.deletedTime === null && r.inputs.datasets.length === 0)).toBe(true);
      expect(snap.experiments.every((e) => e.creationTime === null)).toBe(true);
      // Without latest_metrics the "latest" rule is computed from the history (format doc 1.5).
      const zoo = snap.runs.find((r) => r.runName === 'metrics-zoo');
      expect(zoo?.metrics.acc?.value).toBe(0.81);
      expect(zoo?.metrics['steps/out_of_order']?.value).toBe(9);
      expect(zoo?.metrics['weird/nan']?.value).toBeNaN();
      const classifier = snap.registry.find((m) => m.name === 'kitchen-classifier');
      expect(classifier?.aliases).toEqual({});
      expect(classifier?.versions.every((v) => v.storageLocation === null)).toBe(true);
    } finally {
      await done();
    }
  });
});
