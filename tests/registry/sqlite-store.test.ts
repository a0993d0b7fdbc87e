// Registry writes into a SQLite store (temp copies of kitchen-sink-sqlite), compared with the rows
// real MLflow 3.5 wrote for the same operations (format doc 3.4, 3.5), then re-read by the engine.
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_TAG, REVIEW_TAG, parseAudit, parseReview } from '../../electron/engine/registry/index.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { T0, openCopy, reread, type OpenedStore } from './helpers.ts';

const TRAIN_RUN = 'd03d8170adab4dbfa12700a05950372b';
const CLASSIFIER = 'm-905b60fd443e483099c0b2e8d03b0765';
const CHECKPOINT = 'm-57e734bf84af470e919bd01e10c25185';
const LEGACY_RUN = '49576e67a32443b7a0c8ccbee4cf9efa';
const KC = 'kitchen-classifier';

type Row = Record<string, unknown>;

let store: OpenedStore | null = null;
afterEach(async () => {
  await store?.cleanup();
  store = null;
});

function db(s: OpenedStore): string {
  return path.join(s.dir, 'mlflow.db');
}

function query(file: string, sql: string, ...params: (string | number)[]): Row[] {
  const c = new DatabaseSync(file, { readOnly: true });
  try {
    return (c.prepare(sql).all(...params) as Row[]).map((r) => ({ ...r }));
  } finally {
    c.close();
  }
}

const FIXTURE_DB = () => path.join(fixturePath('kitchen-sink-sqlite'), 'mlflow.db');

function versionRow(file: string, name: string, version: number): Row {
  return query(file, 'SELECT * FROM model_versions WHERE name = ? AND version = ?', name, version)[0] as Row;
}

describe('SQLite store: writes rows in MLflow’s form', () => {
  it('register an MLflow 3 logged model: a row shaped like MLflow’s kitchen-classifier v1, model time and logged-model tag maintained', async () => {
    store = await openCopy('kitchen-sink-sqlite');
    const r = await store.svc.register(store.info.id, { runId: TRAIN_RUN, modelName: KC, source: { kind: 'logged-model', modelId: CLASSIFIER } });
    expect(r.version).toBe(6);
    const fixtureV1 = versionRow(FIXTURE_DB(), KC, 1);
    expect(versionRow(db(store), KC, 6)).toEqual({
      ...fixtureV1,
      version: 6,
      creation_time: T0,
      last_updated_time: T0,
      current_stage: 'None',
      description: null,
    });
    expect(query(db(store), 'SELECT last_updated_time FROM registered_models WHERE name = ?', KC)).toEqual([{ last_updated_time: T0 }]);
    expect(query(db(store), "SELECT experiment_id, tag_value FROM logged_model_tags WHERE model_id = ? AND tag_key = 'mlflow.modelVersions'", CLASSIFIER)).toEqual([
      { experiment_id: 1, tag_value: '[{"name": "kitchen-classifier", "version": 1}, {"name": "kitchen-classifier", "version": 6}]' },
    ]);
    expect(parseAudit(query(db(store), 'SELECT value FROM model_version_tags WHERE name = ? AND version = 6 AND "key" = ?', KC, AUDIT_TAG)[0]?.value as string).entries).toEqual([
      { at: T0, user: 'alice', action: 'register', to: 'None', source: `models:/${CLASSIFIER}` },
    ]);
    // Integers stay integers (BIGINT columns), the schema and its revision are untouched.
    expect(query(db(store), "SELECT typeof(creation_time) AS t, typeof(version) AS v FROM model_versions WHERE version = 6")).toEqual([{ t: 'integer', v: 'integer' }]);
    expect(query(db(store), 'SELECT version_num FROM alembic_version')).toEqual([{ version_num: 'bf29a5ff90ea' }]);
    expect(query(db(store), "SELECT name, sql FROM sqlite_master ORDER BY name")).toEqual(query(FIXTURE_DB(), "SELECT name, sql FROM sqlite_master ORDER BY name"));

    const again = await reread(store.info);
    expect(again.diagnostics).toEqual([]);
    expect(again.registry.find((m) => m.name === KC)?.versions.find((v) => v.version === 6)).toMatchObject({ source: `models:/${CLASSIFIER}`, runId: TRAIN_RUN, modelId: null });
  });

  it('register an MLflow 2 artifact model: the plain-path runs:/ resolution of MLflow’s v3; a new model row', async () => {
    store = await openCopy('kitchen-sink-sqlite');
    await store.svc.register(store.info.id, { runId: LEGACY_RUN, modelName: 'legacy ✨', source: { kind: 'artifact', artifactPath: 'legacy_model' } });
    expect(versionRow(db(store), 'legacy ✨', 1)).toEqual({
      ...versionRow(FIXTURE_DB(), KC, 3),
      name: 'legacy ✨',
      version: 1,
      creation_time: T0,
      last_updated_time: T0,
      current_stage: 'None',
    });
    expect(query(db(store), 'SELECT * FROM registered_models WHERE name = ?', 'legacy ✨')).toEqual([
      { name: 'legacy ✨', creation_time: T0, last_updated_time: T0, description: null },
    ]);
  });

  it('transition with and without archive-existing; alias move; descriptions and tags', async () => {
    store = await openCopy('kitchen-sink-sqlite');
    const id = store.info.id;
    await store.svc.transition(id, { name: KC, version: 4, stage: 'Staging' });
    expect(versionRow(db(store), KC, 4)).toMatchObject({ current_stage: 'Staging', last_updated_time: T0 });
    expect(versionRow(db(store), KC, 3)).toMatchObject({ current_stage: 'Staging' });

    await store.svc.transition(id, { name: KC, version: 3, stage: 'Production', archiveExisting: true });
    const t = T0 + 1000;
    expect(versionRow(db(store), KC, 2)).toMatchObject({ current_stage: 'Archived', last_updated_time: t });
    expect(versionRow(db(store), KC, 3)).toMatchObject({ current_stage: 'Production', last_updated_time: t });
    expect(versionRow(db(store), KC, 4)).toMatchObject({ current_stage: 'Staging', last_updated_time: T0 });
    expect(query(db(store), 'SELECT last_updated_time FROM registered_models WHERE name = ?', KC)).toEqual([{ last_updated_time: t }]);

    await store.svc.setAlias(id, { name: KC, alias: 'champion', version: 3 });
    expect(query(db(store), 'SELECT alias, version FROM registered_model_aliases WHERE name = ? ORDER BY alias', KC)).toEqual([
      { alias: 'challenger', version: 3 },
      { alias: 'champion', version: 3 },
      { alias: 'legacy', version: 3 },
    ]);
    await store.svc.deleteAlias(id, { name: KC, alias: 'legacy' });

    await store.svc.setDescription(id, { name: KC, description: 'New text.' });
    await store.svc.setDescription(id, { name: KC, version: 4, description: 'v4 text' });
    await store.svc.setTag(id, { name: KC, key: 'domain/area', value: 'audio' });
    await store.svc.setTag(id, { name: KC, version: 4, key: 'origin', value: 'retrained' });
    await store.svc.deleteTag(id, { name: KC, key: 'owner' });
    expect(query(db(store), 'SELECT description FROM registered_models WHERE name = ?', KC)).toEqual([{ description: 'New text.' }]);
    expect(versionRow(db(store), KC, 4)).toMatchObject({ description: 'v4 text' });
    expect(query(db(store), 'SELECT "key", value FROM registered_model_tags WHERE name = ? ORDER BY "key"', KC)).toEqual([
      { key: 'domain/area', value: 'audio' },
      { key: AUDIT_TAG, value: expect.any(String) },
      { key: '説明', value: '分類器' },
    ]);

    const again = await reread(store.info);
    expect(again.diagnostics).toEqual([]);
    const m = again.registry.find((x) => x.name === KC);
    expect(m?.aliases).toEqual({ challenger: 3, champion: 3 });
    expect(m?.versions.map((v) => [v.version, v.currentStage])).toEqual([
      [1, 'Archived'],
      [2, 'Archived'],
      [3, 'Production'],
      [4, 'Staging'],
      [5, 'Deleted_Internal'],
    ]);
    expect(m?.versions.find((v) => v.version === 4)?.tags.origin).toBe('retrained');
  });

  it('delete scrubs the row exactly as MLflow scrubbed v5, removes its aliases, keeps its tags', async () => {
    store = await openCopy('kitchen-sink-sqlite');
    const before = versionRow(db(store), KC, 2);
    await store.svc.deleteVersion(store.info.id, { name: KC, version: 2 });
    const fixtureV5 = versionRow(FIXTURE_DB(), KC, 5);
    expect(versionRow(db(store), KC, 2)).toEqual({
      ...fixtureV5,
      version: 2,
      creation_time: before.creation_time,
      last_updated_time: T0,
      storage_location: before.storage_location,
    });
    expect(query(db(store), 'SELECT alias FROM registered_model_aliases WHERE name = ? AND version = 2', KC)).toEqual([]);
    expect(query(db(store), 'SELECT "key" FROM model_version_tags WHERE name = ? AND version = 2 ORDER BY "key"', KC).map((r) => r.key)).toEqual([
      'metrics/accuracy',
      AUDIT_TAG,
      'validation_status',
    ]);
    // Max over all rows, deleted ones included: the next version is 6.
    const r = await store.svc.register(store.info.id, { runId: TRAIN_RUN, modelName: KC, source: { kind: 'logged-model', modelId: CHECKPOINT } });
    expect(r.version).toBe(6);
  });

  it('review flow and undo in one transaction each', async () => {
    store = await openCopy('kitchen-sink-sqlite');
    const id = store.info.id;
    await store.svc.requestTransition(id, { name: KC, version: 4, stage: 'Production', archiveExisting: true, user: 'carol' });
    await store.svc.approve(id, { name: KC, version: 4, requestId: 1, user: 'dave' });
    expect(versionRow(db(store), KC, 4)).toMatchObject({ current_stage: 'Production' });
    expect(versionRow(db(store), KC, 2)).toMatchObject({ current_stage: 'Archived' });
    const review = parseReview(query(db(store), 'SELECT value FROM model_version_tags WHERE name = ? AND version = 4 AND "key" = ?', KC, REVIEW_TAG)[0]?.value as string);
    expect(review.requests[0]).toMatchObject({ status: 'approved', requestedBy: 'carol', decidedBy: 'dave' });

    // Undo of the approval puts both versions and the request back.
    await store.svc.undo(id);
    expect(versionRow(db(store), KC, 4)).toMatchObject({ current_stage: 'None' });
    expect(versionRow(db(store), KC, 2)).toMatchObject({ current_stage: 'Production' });
    const reopened = store.svc.review(id, KC).versions.find((v) => v.version === 4);
    expect(reopened?.requests[0]?.status).toBe('pending');
    expect(reopened?.audit.entries.map((e) => e.action)).toEqual(['request_transition', 'approve_transition', 'undo']);

    await store.svc.reject(id, { name: KC, version: 4, requestId: 1, comment: 'not yet', user: 'dave' });
    expect(store.svc.review(id, KC).versions.find((v) => v.version === 4)?.requests[0]).toMatchObject({ status: 'rejected', decisionComment: 'not yet' });

    // Undo of a delete restores the scrubbed fields and the alias.
    const v2 = versionRow(db(store), KC, 2);
    await store.svc.deleteVersion(id, { name: KC, version: 2 });
    await store.svc.undo(id);
    expect({ ...versionRow(db(store), KC, 2), last_updated_time: 0 }).toEqual({ ...v2, last_updated_time: 0 });
    expect(query(db(store), "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = 'champion'", KC)).toEqual([{ version: 2 }]);
    expect(query(db(store), 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });

  it('refuses a database with an unknown schema revision (READ_ONLY) and leaves it untouched', async () => {
    store = await openCopy('kitchen-sink-sqlite');
    const c = new DatabaseSync(db(store));
    c.exec("UPDATE alembic_version SET version_num = 'ffffffffffff'");
    c.close();
    const rows = () => query(db(store as OpenedStore), 'SELECT * FROM model_versions ORDER BY name, version');
    const before = rows();
    const [cap] = await store.svc.capabilities(store.info.id);
    expect(cap).toMatchObject({ canWrite: false, reason: expect.stringContaining('unknown schema revision (ffffffffffff)') });
    await expect(store.svc.transition(store.info.id, { name: KC, version: 4, stage: 'Staging' })).rejects.toMatchObject({
      code: 'READ_ONLY',
      message: expect.stringContaining('unknown schema revision'),
    });
    expect(rows()).toEqual(before);
  });
});
