// Registry writes into file stores (temp copies of seed-rf and kitchen-sink), compared with the
// files real MLflow 3.5 wrote for the same operations in the fixtures (format doc 2.12, 2.13),
// then re-read by the engine's own reader: the intended state, no diagnostics.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_TAG, POLICY_PRODUCTION_APPROVAL_TAG, REVIEW_TAG, parseAudit, parseReview } from '../../electron/engine/registry/index.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { T0, keysOf, openCopy, read, reread, tree, withKeys, type OpenedStore } from './helpers.ts';

const SEED_EXP = '266606262520181169';
const BEST_RUN = '187fc5b87fa9498db55f741927fe9ef6';
const BEST_MODEL = 'm-a7eaf8ebc4e44e64a3ea1ec57833e589';
const OTHER_RUN = '0d202591143f42f2b13f37b9a3b71c85';
const OTHER_MODEL = 'm-af6daf08af394603be6306b439fb89fa';
const RFR = 'RandomForestRegressor';

const KS_EXP = '387161336320449950';
const TRAIN_RUN = 'f4a8ede7a01243d1b58838196305765d';
const CLASSIFIER = 'm-3a74452680ce4871940237b65cadee40';
const LEGACY_RUN = '3d6a269ff1c745408c3445fc15293822';
const KC = 'kitchen-classifier';

let store: OpenedStore | null = null;
afterEach(async () => {
  await store?.cleanup();
  store = null;
});

function models(s: OpenedStore): string {
  return path.join(s.dir, 'mlruns', 'models');
}

describe('file store: register', () => {
  it('an MLflow 3 logged model gives version-5/meta.yaml in exactly the form of MLflow’s version-1', async () => {
    store = await openCopy('seed-rf');
    const modelMetaBefore = read(models(store), RFR, 'meta.yaml');
    const r = await store.svc.register(store.info.id, { runId: BEST_RUN, modelName: RFR, source: { kind: 'logged-model', modelId: BEST_MODEL } });
    expect(r.version).toBe(5);
    expect(r.createdModel).toBe(false);

    // Same logged model as v1, so the file is v1's file with the fields of a fresh version.
    const fixtureV1 = read(fixturePath('seed-rf'), 'mlruns/models', RFR, 'version-1/meta.yaml');
    expect(read(models(store), RFR, 'version-5/meta.yaml')).toBe(
      withKeys(fixtureV1, {
        creation_timestamp: String(T0),
        current_stage: 'None',
        description: 'null',
        last_updated_timestamp: String(T0),
        version: '5',
      }),
    );
    // The registered model: only its timestamp moves; the alias snapshot is unchanged.
    expect(read(models(store), RFR, 'meta.yaml')).toBe(withKeys(modelMetaBefore, { last_updated_timestamp: String(T0) }));
    // MLflow appends to the logged model's mlflow.modelVersions (Python json.dumps format).
    expect(read(store.dir, 'mlruns', SEED_EXP, 'models', BEST_MODEL, 'tags/mlflow.modelVersions')).toBe(
      '[{"name": "RandomForestRegressor", "version": 1}, {"name": "RandomForestRegressor", "version": 5}]',
    );
    // The only other file in the new version is the audit trail.
    expect(Object.keys(tree(path.join(models(store), RFR, 'version-5')))).toEqual(['meta.yaml', `tags/${AUDIT_TAG}`]);
    expect(parseAudit(read(models(store), RFR, 'version-5/tags', AUDIT_TAG)).entries).toEqual([
      { at: T0, user: 'alice', action: 'register', to: 'None', source: `models:/${BEST_MODEL}` },
    ]);

    // The index shows it at once, and a fresh reader (a restart) agrees, without diagnostics.
    const indexed = store.engine.index.getRegisteredModel({ storeId: store.info.id, name: RFR });
    expect(indexed?.versions.map((v) => [v.version, v.currentStage])).toEqual([[1, 'Production'], [2, 'Archived'], [3, 'Staging'], [4, 'None'], [5, 'None']]);
    const again = await reread(store.info);
    expect(again.diagnostics).toEqual([]);
    const v5 = again.registry.find((m) => m.name === RFR)?.versions.find((v) => v.version === 5);
    expect(v5).toMatchObject({ modelId: BEST_MODEL, runId: BEST_RUN, source: `models:/${BEST_MODEL}`, status: 'READY', currentStage: 'None' });
    expect(again.loggedModels.find((m) => m.modelId === BEST_MODEL)?.tags['mlflow.modelVersions']).toContain('"version": 5');
  });

  it('an MLflow 2 artifact model records the resolved runs:/ URI like MLflow’s kitchen-classifier v3', async () => {
    store = await openCopy('kitchen-sink');
    const r = await store.svc.register(store.info.id, { runId: LEGACY_RUN, modelName: KC, source: { kind: 'artifact', artifactPath: 'legacy_model' } });
    // v5 is Deleted_Internal: its number stays used (format doc 2.12).
    expect(r.version).toBe(6);
    const fixtureV3 = read(fixturePath('kitchen-sink'), 'mlruns/models', KC, 'version-3/meta.yaml');
    expect(read(models(store), KC, 'version-6/meta.yaml')).toBe(
      withKeys(fixtureV3, { creation_timestamp: String(T0), current_stage: 'None', last_updated_timestamp: String(T0), version: '6' }),
    );
    const again = await reread(store.info);
    expect(again.diagnostics).toEqual([]);
    expect(again.registry.find((m) => m.name === KC)?.versions.find((v) => v.version === 6)?.modelId).toBeNull();
  });

  it('a new model with a Unicode name is created as MLflow creates one (aliases: {}, MLflow 3 keys)', async () => {
    store = await openCopy('kitchen-sink');
    const name = 'Modèle neuf ✨';
    const r = await store.svc.register(store.info.id, {
      runId: TRAIN_RUN,
      modelName: name,
      source: { kind: 'logged-model', modelId: CLASSIFIER },
      description: 'first one',
      tags: { 'domain/area': 'vision' },
    });
    expect(r).toMatchObject({ version: 1, createdModel: true });
    const meta = read(models(store), name, 'meta.yaml');
    // Key set and order of MLflow's own file for a model created by registration.
    expect(keysOf(meta)).toEqual(keysOf(read(fixturePath('kitchen-sink'), 'mlruns/models/Modèle spécial ✨/meta.yaml')));
    expect(meta).toBe(
      [
        'aliases: {}',
        `creation_timestamp: ${T0}`,
        'deployment_job_id: null',
        'deployment_job_state: null',
        'description: null',
        `last_updated_timestamp: ${T0}`,
        `name: ${name}`,
        '',
      ].join('\n'),
    );
    expect(read(models(store), name, 'version-1/tags/domain/area')).toBe('vision');
    expect(read(models(store), name, 'version-1/meta.yaml')).toContain('description: first one\n');
    // ensure_ascii, as MLflow wrote for "Modèle spécial ✨".
    expect(read(store.dir, 'mlruns', KS_EXP, 'models', CLASSIFIER, 'tags/mlflow.modelVersions')).toBe(
      '[{"name": "kitchen-classifier", "version": 1}, {"name": "Mod\\u00e8le neuf \\u2728", "version": 1}]',
    );
    expect((await reread(store.info)).diagnostics).toEqual([]);
  });

  it('refuses runs without that model, models that are not READY, and invalid names, writing nothing', async () => {
    store = await openCopy('kitchen-sink');
    const before = tree(models(store));
    const id = store.info.id;
    await expect(store.svc.register(id, { runId: LEGACY_RUN, modelName: KC, source: { kind: 'artifact', artifactPath: 'nope' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('no MLflow model at artifacts/nope'),
    });
    await expect(store.svc.register(id, { runId: LEGACY_RUN, modelName: KC, source: { kind: 'logged-model', modelId: CLASSIFIER } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('was not produced by run'),
    });
    await expect(
      store.svc.register(id, { runId: TRAIN_RUN, modelName: KC, source: { kind: 'logged-model', modelId: 'm-c1237cd6f2f141428805c91fc7453efb' } }),
    ).rejects.toMatchObject({ message: expect.stringContaining('PENDING, not READY') });
    await expect(store.svc.register(id, { runId: 'f'.repeat(32), modelName: KC, source: { kind: 'artifact', artifactPath: 'm' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(store.svc.register(id, { runId: TRAIN_RUN, modelName: 'a/b', source: { kind: 'logged-model', modelId: CLASSIFIER } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      store.svc.register(id, { runId: TRAIN_RUN, modelName: 'kitchen-prompt', source: { kind: 'logged-model', modelId: CLASSIFIER } }),
    ).rejects.toMatchObject({ message: expect.stringContaining('is a prompt') });
    expect(tree(models(store))).toEqual(before);
  });

  it('lists what a run can register, with a reason when there is nothing', async () => {
    store = await openCopy('kitchen-sink');
    const train = await store.svc.listRunModels(store.info.id, TRAIN_RUN);
    expect(train.models.map((m) => [m.kind, m.name, m.registrable])).toEqual([
      ['logged-model', 'checkpoint', true],
      ['logged-model', 'classifier', true],
    ]);
    expect(train.models[1]?.registeredAs).toEqual([{ name: KC, version: 1, stage: 'Archived' }]);
    const legacy = await store.svc.listRunModels(store.info.id, LEGACY_RUN);
    expect(legacy.models).toMatchObject([{ kind: 'artifact', artifactPath: 'legacy_model', registeredAs: [{ name: KC, version: 3 }] }]);
    const none = await store.svc.listRunModels(store.info.id, '5e9eac5ae3de4277a82ad6920479969a');
    expect(none.models).toEqual([]);
    expect(none.reason).toMatch(/has no model to register/);
  });
});

describe('file store: stages, aliases, descriptions, tags, delete', () => {
  it('transition without archive-existing rewrites only that version (stage + timestamp) and the model timestamp', async () => {
    store = await openCopy('seed-rf');
    const before = tree(models(store));
    await store.svc.transition(store.info.id, { name: RFR, version: 4, stage: 'staging' });
    const after = tree(models(store));
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed.sort()).toEqual([`${RFR}/meta.yaml`, `${RFR}/version-4/meta.yaml`, `${RFR}/version-4/tags/${AUDIT_TAG}`]);
    expect(after[`${RFR}/version-4/meta.yaml`]).toBe(withKeys(before[`${RFR}/version-4/meta.yaml`] as string, { current_stage: 'Staging', last_updated_timestamp: String(T0) }));
    const reg = (await reread(store.info)).registry[0];
    expect(reg?.versions.map((v) => v.currentStage)).toEqual(['Production', 'Archived', 'Staging', 'Staging']);
  });

  it('transition with archive-existing archives the version in the target stage with the same timestamp, as seed-rf v2 was', async () => {
    store = await openCopy('seed-rf');
    // What MLflow left: v2 archived by v1's promotion carries v1's promotion time.
    const fx = (v: number) => read(fixturePath('seed-rf'), 'mlruns/models', RFR, `version-${v}/meta.yaml`);
    expect(/last_updated_timestamp: (\d+)/.exec(fx(1))?.[1]).toBe(/last_updated_timestamp: (\d+)/.exec(fx(2))?.[1]);
    const r = await store.svc.transition(store.info.id, { name: RFR, version: 3, stage: 'Production', archiveExisting: true, comment: 'better mse' });
    expect(r.summary).toBe('Moved RandomForestRegressor v3 from Staging to Production (archived v1)');
    expect(read(models(store), RFR, 'version-1/meta.yaml')).toBe(withKeys(fx(1), { current_stage: 'Archived', last_updated_timestamp: String(T0) }));
    expect(read(models(store), RFR, 'version-3/meta.yaml')).toBe(withKeys(fx(3), { current_stage: 'Production', last_updated_timestamp: String(T0) }));
    expect(read(models(store), RFR, 'version-2/meta.yaml')).toBe(fx(2));
    const audit1 = parseAudit(read(models(store), RFR, 'version-1/tags', AUDIT_TAG)).entries;
    expect(audit1).toEqual([{ at: T0, user: 'alice', action: 'transition', from: 'Production', to: 'Archived', otherVersion: 3, comment: 'archived: v3 moved to Production' }]);
    expect(parseAudit(read(models(store), RFR, 'version-3/tags', AUDIT_TAG)).entries).toEqual([
      { at: T0, user: 'alice', action: 'transition', from: 'Staging', to: 'Production', comment: 'better mse' },
    ]);
    await expect(store.svc.transition(store.info.id, { name: RFR, version: 4, stage: 'Archived', archiveExisting: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.svc.transition(store.info.id, { name: RFR, version: 4, stage: 'Live' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('moving an alias is one write: aliases/<alias> and the meta.yaml snapshot change together', async () => {
    store = await openCopy('seed-rf');
    const metaBefore = read(models(store), RFR, 'meta.yaml');
    const r = await store.svc.setAlias(store.info.id, { name: RFR, alias: 'champion', version: 3 });
    expect(r.summary).toBe('Moved alias @champion of RandomForestRegressor from v1 to v3');
    expect(read(models(store), RFR, 'aliases/champion')).toBe('3');
    expect(read(models(store), RFR, 'meta.yaml')).toBe(
      metaBefore.replace("  champion: '1'", "  champion: '3'").replace(/last_updated_timestamp: \d+/, `last_updated_timestamp: ${T0}`),
    );
    expect(r.model?.aliases).toEqual({ challenger: 3, champion: 3 });
    expect(r.model?.versions.find((v) => v.version === 3)?.aliases).toEqual(['challenger', 'champion']);
    // Both ends of the move are in the audit trail.
    expect(parseAudit(read(models(store), RFR, 'version-1/tags', AUDIT_TAG)).entries[0]).toMatchObject({ action: 'move_alias', alias: 'champion', otherVersion: 3 });

    await store.svc.deleteAlias(store.info.id, { name: RFR, alias: 'challenger' });
    expect(existsSync(path.join(models(store), RFR, 'aliases/challenger'))).toBe(false);
    expect(read(models(store), RFR, 'meta.yaml')).toContain("aliases:\n  champion: '3'\ncreation_timestamp");
    await expect(store.svc.setAlias(store.info.id, { name: RFR, alias: 'latest', version: 3 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.svc.setAlias(store.info.id, { name: RFR, alias: 'v2', version: 3 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.svc.deleteAlias(store.info.id, { name: RFR, alias: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const again = await reread(store.info);
    expect(again.diagnostics).toEqual([]);
    expect(again.registry[0]?.aliases).toEqual({ champion: 3 });
  });

  it('descriptions and tags are written as MLflow writes them (PyYAML quoting, slash keys as folders)', async () => {
    store = await openCopy('seed-rf');
    const multi = 'Iris classifier.\n\n**Multi-line** markdown description.\n';
    await store.svc.setDescription(store.info.id, { name: RFR, description: multi });
    // kitchen-classifier's description is this text, written by MLflow: same YAML lines.
    const fixtureKc = read(fixturePath('kitchen-sink'), 'mlruns/models', KC, 'meta.yaml');
    const descLines = (t: string) => t.slice(t.indexOf('description:'), t.indexOf('last_updated_timestamp:'));
    expect(descLines(read(models(store), RFR, 'meta.yaml'))).toBe(descLines(fixtureKc));

    await store.svc.setDescription(store.info.id, { name: RFR, version: 4, description: 'Third best.' });
    expect(read(models(store), RFR, 'version-4/meta.yaml')).toContain('description: Third best.\n');
    expect(read(models(store), RFR, 'version-4/meta.yaml')).toContain(`last_updated_timestamp: ${T0 + 1000}\n`);

    await store.svc.setTag(store.info.id, { name: RFR, key: 'domain/area', value: 'health' });
    await store.svc.setTag(store.info.id, { name: RFR, version: 4, key: 'metrics/accuracy', value: '0.96' });
    // Unicode keys and aliases, as MLflow's (Python, Unicode \w) rules allow [seen: tag 説明].
    await store.svc.setTag(store.info.id, { name: RFR, version: 4, key: '説明', value: '分類器' });
    await store.svc.setAlias(store.info.id, { name: RFR, alias: 'último', version: 4 });
    expect(read(models(store), RFR, 'version-4/tags/説明')).toBe('分類器');
    expect(read(models(store), RFR, 'aliases/último')).toBe('4');
    expect(read(models(store), RFR, 'tags/domain/area')).toBe('health');
    expect(read(models(store), RFR, 'version-4/tags/metrics/accuracy')).toBe('0.96');
    await store.svc.deleteTag(store.info.id, { name: RFR, key: 'task' });
    await store.svc.deleteTag(store.info.id, { name: RFR, version: 1, key: 'validation_status' });
    expect(existsSync(path.join(models(store), RFR, 'tags/task'))).toBe(false);
    expect(existsSync(path.join(models(store), RFR, 'version-1/tags/validation_status'))).toBe(false);

    await expect(store.svc.setTag(store.info.id, { name: RFR, version: 4, key: AUDIT_TAG, value: 'x' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.svc.setTag(store.info.id, { name: RFR, key: '../escape', value: 'x' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

    const again = await reread(store.info);
    expect(again.diagnostics).toEqual([]);
    const m = again.registry[0];
    expect(m?.description).toBe(multi);
    expect(m?.tags).toMatchObject({ 'domain/area': 'health', dataset: 'sklearn.datasets.load_diabetes' });
    expect(m?.tags.task).toBeUndefined();
    expect(m?.versions.find((v) => v.version === 4)?.tags['metrics/accuracy']).toBe('0.96');
    // The model-level audit trail names every model-level action.
    expect(m?.aliases['último']).toBe(4);
    expect(parseAudit(m?.tags[AUDIT_TAG]).entries.map((e) => [e.action, e.key ?? null])).toEqual([
      ['set_description', null],
      ['set_tag', 'domain/area'],
      ['delete_tag', 'task'],
    ]);
  });

  it('delete keeps the folder as Deleted_Internal (data kept, aliases removed), like kitchen-classifier v5', async () => {
    store = await openCopy('kitchen-sink');
    const v2Before = read(models(store), KC, 'version-2/meta.yaml');
    await store.svc.deleteVersion(store.info.id, { name: KC, version: 2, comment: 'superseded' });
    expect(read(models(store), KC, 'version-2/meta.yaml')).toBe(withKeys(v2Before, { current_stage: 'Deleted_Internal', last_updated_timestamp: String(T0) }));
    expect(existsSync(path.join(models(store), KC, 'aliases/champion'))).toBe(false);
    expect(read(models(store), KC, 'meta.yaml')).toContain("aliases:\n  challenger: '3'\n  legacy: '3'\ncreation_timestamp");
    await expect(store.svc.transition(store.info.id, { name: KC, version: 2, stage: 'Staging' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Never reused: the next registration is v6 (after the fixture's deleted v5).
    const r = await store.svc.register(store.info.id, { runId: TRAIN_RUN, modelName: KC, source: { kind: 'logged-model', modelId: CLASSIFIER } });
    expect(r.version).toBe(6);
    const again = await reread(store.info);
    expect(again.diagnostics).toEqual([]);
    expect(again.registry.find((m) => m.name === KC)?.versions.find((v) => v.version === 2)?.currentStage).toBe('Deleted_Internal');
  });
});

describe('file store: review flow, policy and undo', () => {
  it('request → approve performs the transition; reject records the decision; both in review and audit tags', async () => {
    store = await openCopy('seed-rf');
    const id = store.info.id;
    const req = await store.svc.requestTransition(id, { name: RFR, version: 4, stage: 'Production', archiveExisting: true, comment: 'ready', user: 'carol' });
    expect(req.requestId).toBe(1);
    await expect(store.svc.requestTransition(id, { name: RFR, version: 4, stage: 'production' })).rejects.toMatchObject({ message: expect.stringContaining('already pending') });
    const ok = await store.svc.approve(id, { name: RFR, version: 4, requestId: 1, comment: 'lgtm', user: 'dave' });
    expect(ok.summary).toBe('Approved request #1: Moved RandomForestRegressor v4 from None to Production (archived v1)');
    expect(ok.model?.versions.map((v) => v.currentStage)).toEqual(['Archived', 'Archived', 'Staging', 'Production']);
    await expect(store.svc.approve(id, { name: RFR, version: 4, requestId: 1 })).rejects.toMatchObject({ message: expect.stringContaining('already approved') });

    const review = parseReview(read(models(store), RFR, 'version-4/tags', REVIEW_TAG));
    expect(review.requests).toEqual([
      {
        id: 1,
        stage: 'Production',
        archiveExisting: true,
        requestedBy: 'carol',
        requestedAt: T0,
        comment: 'ready',
        status: 'approved',
        decidedBy: 'dave',
        // T0 + 1 s was read by the refused duplicate request.
        decidedAt: T0 + 2000,
        decisionComment: 'lgtm',
      },
    ]);
    await store.svc.requestTransition(id, { name: RFR, version: 3, stage: 'Archived', user: 'carol' });
    await store.svc.reject(id, { name: RFR, version: 3, requestId: 1, comment: 'keep it', user: 'dave' });

    const rv = store.svc.review(id, RFR);
    expect(rv.versions.find((v) => v.version === 3)?.requests[0]).toMatchObject({ status: 'rejected', decisionComment: 'keep it' });
    expect(rv.versions.find((v) => v.version === 3)?.stage).toBe('Staging');
    expect(rv.versions.find((v) => v.version === 4)?.audit.entries.map((e) => [e.user, e.action, e.from, e.to])).toEqual([
      ['carol', 'request_transition', 'None', 'Production'],
      ['dave', 'approve_transition', 'None', 'Production'],
    ]);
    expect((await reread(store.info)).diagnostics).toEqual([]);
  });

  it('the production policy refuses a direct promotion until a request is approved', async () => {
    store = await openCopy('seed-rf');
    const id = store.info.id;
    await store.svc.setTag(id, { name: RFR, key: POLICY_PRODUCTION_APPROVAL_TAG, value: 'true' });
    await expect(store.svc.transition(id, { name: RFR, version: 3, stage: 'Production' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('needs an approved transition request'),
    });
    await store.svc.transition(id, { name: RFR, version: 3, stage: 'Archived' });
    await store.svc.requestTransition(id, { name: RFR, version: 3, stage: 'Production' });
    await store.svc.approve(id, { name: RFR, version: 3, requestId: 1 });
    expect(store.svc.review(id, RFR).policy.productionRequiresApproval).toBe(true);
    expect(store.engine.index.getRegisteredModel({ storeId: id, name: RFR })?.versions[2]?.currentStage).toBe('Production');
  });

  it('undo restores what the last action changed, records itself, and refuses when the store changed since', async () => {
    store = await openCopy('seed-rf');
    const id = store.info.id;
    const pristine = tree(models(store));
    const moved = await store.svc.setAlias(id, { name: RFR, alias: 'champion', version: 4 });
    expect(moved.undo?.summary).toBe('Undo: Moved alias @champion of RandomForestRegressor from v4 to v4'.replace('from v4', 'from v1'));
    const u = await store.svc.undo(id);
    expect(u.model?.aliases).toEqual({ challenger: 3, champion: 1 });
    expect(read(models(store), RFR, 'aliases/champion')).toBe('1');
    expect(read(models(store), RFR, 'meta.yaml')).toBe((pristine[`${RFR}/meta.yaml`] as string).replace(/last_updated_timestamp: \d+/, `last_updated_timestamp: ${T0 + 1000}`));
    expect(parseAudit(read(models(store), RFR, 'version-4/tags', AUDIT_TAG)).entries.map((e) => e.action)).toEqual(['set_alias', 'undo']);
    await expect(store.svc.undo(id)).rejects.toMatchObject({ message: expect.stringContaining('Nothing to undo') });

    // Undo of a transition with archive-existing puts both versions back.
    await store.svc.transition(id, { name: RFR, version: 3, stage: 'Production', archiveExisting: true });
    await store.svc.undo(id);
    expect(store.engine.index.getRegisteredModel({ storeId: id, name: RFR })?.versions.map((v) => v.currentStage)).toEqual(['Production', 'Archived', 'Staging', 'None']);

    // Undo of a registration into a new model removes the model and restores the logged model tag.
    const tagFile = path.join(store.dir, 'mlruns', SEED_EXP, 'models', OTHER_MODEL, 'tags/mlflow.modelVersions');
    const tagBefore = existsSync(tagFile) ? read(tagFile) : null;
    await store.svc.register(id, { runId: OTHER_RUN, modelName: 'scratch', source: { kind: 'logged-model', modelId: OTHER_MODEL } });
    expect(existsSync(path.join(models(store), 'scratch/version-1/meta.yaml'))).toBe(true);
    await store.svc.undo(id);
    expect(existsSync(path.join(models(store), 'scratch'))).toBe(false);
    expect(existsSync(tagFile) ? read(tagFile) : null).toBe(tagBefore);

    // Undo of a registration into an existing model deletes the version the MLflow way.
    await store.svc.register(id, { runId: BEST_RUN, modelName: RFR, source: { kind: 'logged-model', modelId: BEST_MODEL } });
    await store.svc.undo(id);
    expect(read(models(store), RFR, 'version-5/meta.yaml')).toContain('current_stage: Deleted_Internal\n');
    expect(read(store.dir, 'mlruns', SEED_EXP, 'models', BEST_MODEL, 'tags/mlflow.modelVersions')).toBe('[{"name": "RandomForestRegressor", "version": 1}]');

    // Changed meanwhile (another client): the undo refuses and writes nothing.
    await store.svc.setDescription(id, { name: RFR, version: 4, description: 'mine' });
    const { createRegistryWriter } = await import('../../electron/engine/registry/index.ts');
    await createRegistryWriter(store.info).setVersionDescription({ name: RFR, version: 4, description: 'theirs', user: 'mallory' });
    const snapshot = tree(models(store));
    await expect(store.svc.undo(id)).rejects.toMatchObject({ code: 'WRITE_CONFLICT', message: expect.stringContaining('changed since') });
    expect(tree(models(store))).toEqual(snapshot);
    expect((await reread(store.info)).diagnostics).toEqual([]);
  });
});
