// The SQLite reader against what MLflow's own client reported for the same database
// (shared/fixtures/kitchen-sink-sqlite/expected-*.json). Artifact listings are another module's
// job and are left out on both sides; everything else must match exactly.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpRegistry, dumpRuns } from '../../electron/engine/mlflow-dump.ts';
import type { StoreSnapshot } from '../../electron/engine/model.ts';
import { createSqliteStoreReader, probeMlflowDatabase } from '../../electron/engine/stores/mlflow-sqlite/index.ts';
import { openDatabase } from '../../electron/engine/stores/mlflow-sqlite/open-database.ts';
import { Query } from '../../electron/engine/stores/mlflow-sqlite/query.ts';
import { checkJsonNumbers } from '../../electron/engine/stores/mlflow-sqlite/read-context.ts';
import { readRuns } from '../../electron/engine/stores/mlflow-sqlite/read-tracking.ts';
import { Schema } from '../../electron/engine/stores/mlflow-sqlite/schema.ts';
import type { StoreReader } from '../../electron/engine/stores/reader.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { diffJson, loadExpected, normaliseActual } from '../helpers/golden.ts';
import { folderState, sourcesWithoutArtifacts, sqliteStoreInfo, stripArtifacts } from '../helpers/sqlite-fixtures.ts';

// Read straight from the shared (read-only) fixture: the reader must not write anything there.
// The folder state is compared before and after, because a process running as root could write
// despite the missing write bits.
const dir = fixturePath('kitchen-sink-sqlite');
const dbFile = path.join(dir, 'mlflow.db');

describe('SQLite reader: kitchen-sink-sqlite golden dump', () => {
  let reader: StoreReader;
  let snap: StoreSnapshot;
  let before: string[];

  beforeAll(async () => {
    before = folderState(dir);
    reader = createSqliteStoreReader(sqliteStoreInfo(dbFile));
    snap = await reader.load();
  });

  afterAll(async () => {
    await reader.close();
  });

  it('reads without diagnostics and knows the revision', () => {
    expect(snap.diagnostics).toEqual([]);
    expect(reader.diagnostics()).toEqual([]);
    expect(snap.info.schemaRevision).toBe('bf29a5ff90ea');
    expect(probeMlflowDatabase(dbFile)).toEqual({ ok: true, revision: 'bf29a5ff90ea', known: true });
  });

  it('matches expected-runs.json (artifacts aside)', async () => {
    const actual = await dumpRuns(snap, sourcesWithoutArtifacts(reader));
    const expected = stripArtifacts(loadExpected('kitchen-sink-sqlite', 'runs'));
    expect(diffJson(expected, stripArtifacts(normaliseActual(actual, 'runs')))).toEqual([]);
  });

  it('matches expected-registry.json', () => {
    const actual = normaliseActual(dumpRegistry(snap.registry), 'registry');
    expect(diffJson(loadExpected('kitchen-sink-sqlite', 'registry'), actual)).toEqual([]);
  });

  it('keeps what the dump hides: deleted logged model, deleted version, prompt flag', () => {
    const deleted = snap.loggedModels.find((m) => m.modelId === 'm-c0988665d5084de191628d3c5ba1c3d0');
    expect(deleted?.lifecycleStage).toBe('deleted');
    const classifier = snap.registry.find((m) => m.name === 'kitchen-classifier');
    const v5 = classifier?.versions.find((v) => v.version === 5);
    expect(v5?.currentStage).toBe('Deleted_Internal');
    expect(v5?.source).toBe('REDACTED-SOURCE-PATH');
    expect(snap.registry.find((m) => m.name === 'kitchen-prompt')?.isPrompt).toBe(true);
    expect(classifier?.versions.every((v) => v.modelId === null)).toBe(true);
  });

  it('reports NaN and the DBL_MAX that stands for inf exactly as MLflow does', () => {
    const zoo = snap.runs.find((r) => r.runName === 'metrics-zoo');
    expect(zoo?.metrics['weird/nan']?.value).toBeNaN();
    expect(zoo?.metrics['weird/pos_inf']?.value).toBe(1.7976931348623157e308);
    expect(zoo?.metrics['weird/neg_inf']?.value).toBe(-1.7976931348623157e308);
    expect(zoo?.metrics['steps/big_step']?.step).toBe(2 ** 40);
  });

  it('experiment ids are strings', () => {
    expect(snap.experiments.map((e) => e.experimentId).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(snap.runs.every((r) => typeof r.experimentId === 'string')).toBe(true);
  });

  it('the fallback paths (SQLite without exact JSON doubles, Node without array rows) read the same runs', () => {
    const opened = openDatabase(dbFile);
    if (!opened.ok) throw new Error(opened.reason);
    try {
      expect(checkJsonNumbers(opened.q)).toBe(true);
      const problems: string[] = [];
      const ctx = { q: opened.q, schema: new Schema(opened.q), jsonNumbersExact: false, problem: (p: string) => problems.push(p) };
      expect(readRuns(ctx, null)).toEqual(snap.runs);
      // Runtimes without StatementSync.setReturnArrays get object rows.
      expect(readRuns({ ...ctx, q: new Query(opened.db, { arrays: false }) }, null)).toEqual(snap.runs);
      expect(problems).toEqual([]);
    } finally {
      opened.db.close();
    }
  });

  it('refresh on an unchanged database is empty', async () => {
    const change = await reader.refresh([dbFile]);
    expect(change).toEqual({
      experiments: [],
      removedExperimentIds: [],
      runs: [],
      removedRunIds: [],
      loggedModels: [],
      removedLoggedModelIds: [],
      registry: null,
    });
  });

  it('left the shared fixture folder untouched', async () => {
    await reader.close();
    expect(folderState(dir)).toEqual(before);
  });
});
