// The registry views' pure logic: what is shown (prompts, deleted versions), latest version per
// stage, board columns, what typing an alias does, drag payloads, what a dropped run leads to,
// the approval rule, audit rows and toasts.
import { describe, expect, it } from 'vitest';
import type { AuditEntry, RegisteredModel, RunModelCandidate, RunModels, TransitionRequest } from '../../preload/api.ts';
import {
  actionLabel,
  aliasIntent,
  auditDetail,
  auditRows,
  boardColumns,
  canArchiveExisting,
  canonicalStage,
  capToasts,
  defaultCandidate,
  latestPerStage,
  liveVersionCount,
  needsApproval,
  policyOn,
  registerStep,
  undoStoreId,
  visibleModels,
  visibleVersions,
  type ModelVersion,
  type RegistryModel,
} from '../../renderer/src/features/registry/registry-logic.ts';
import { decodeRunDrag, decodeVersionDrag, encodeDrag } from '../../renderer/src/core/drag-data.ts';

function version(n: number, stage: string, extra: Partial<ModelVersion> = {}): ModelVersion {
  return {
    name: 'M',
    version: n,
    creationTimestamp: n * 1000,
    lastUpdatedTimestamp: n * 1000,
    currentStage: stage,
    description: null,
    userId: null,
    source: `models:/m-${n}`,
    runId: `run${n}`,
    runLink: null,
    status: 'READY',
    statusMessage: null,
    storageLocation: null,
    modelId: `m-${n}`,
    tags: {},
    aliases: [],
    ...extra,
  };
}

function model(name: string, versions: ModelVersion[], extra: Partial<RegisteredModel> = {}, storeId = 's1'): RegistryModel {
  return { name, creationTimestamp: 0, lastUpdatedTimestamp: 0, description: null, tags: {}, aliases: {}, isPrompt: false, versions, storeId, ...extra };
}

// seed-rf's registry as MLflow left it (fixture-info.json), plus a deleted v5.
const rf = model(
  'RandomForestRegressor',
  [version(1, 'Production', { aliases: ['champion'] }), version(2, 'Archived'), version(3, 'Staging', { aliases: ['challenger'] }), version(4, 'None'), version(5, 'Deleted_Internal')],
  { aliases: { champion: 1, challenger: 3 } },
);

function logged(name: string, step: number | null, created: number, extra: Partial<Extract<RunModelCandidate, { kind: 'logged-model' }>> = {}): RunModelCandidate {
  return { kind: 'logged-model', modelId: `m-${name}`, name, status: 'READY', step, creationTimestamp: created, source: `models:/m-${name}`, registrable: true, reason: null, registeredAs: [], ...extra };
}

function runModels(models: RunModelCandidate[], reason: string | null = null): RunModels {
  return { storeId: 's1', runId: 'r1', runName: 'train-classifier', models, reason };
}

describe('stages', () => {
  it('canonicalises case-insensitively, as MLflow accepts stages', () => {
    expect(canonicalStage('production')).toBe('Production');
    expect(canonicalStage('NONE')).toBe('None');
    expect(canonicalStage('deleted_internal')).toBe('Deleted_Internal');
    expect(canonicalStage('Weird')).toBe('Weird');
  });

  it('offers archive-existing only for Staging and Production', () => {
    expect(['None', 'Staging', 'Production', 'Archived'].map(canArchiveExisting)).toEqual([false, true, true, false]);
  });

  it('latest per stage ignores deleted versions; the board has one column per stage, newest first', () => {
    const m = model('M', [version(1, 'Staging'), version(2, 'staging'), version(3, 'Deleted_Internal'), version(4, 'None')]);
    expect(latestPerStage(m)).toEqual({ Staging: 2, None: 4 });
    const cols = boardColumns(m);
    expect(cols.Staging.map((v) => v.version)).toEqual([2, 1]);
    expect(cols.None.map((v) => v.version)).toEqual([4]);
    expect(cols.Production).toEqual([]);
    expect(cols.Archived).toEqual([]);
    expect(liveVersionCount(m)).toBe(3);
  });

  it('hides Deleted_Internal versions unless asked, newest first', () => {
    expect(visibleVersions(rf, false).map((v) => v.version)).toEqual([4, 3, 2, 1]);
    expect(visibleVersions(rf, true).map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);
  });
});

describe('models', () => {
  it('hides prompts unless asked, filters by store and search, sorts by name', () => {
    const list = [model('b-model', []), model('a-prompt', [], { isPrompt: true }), model('c-other', [], {}, 's2'), model('A-model', [], { description: 'Iris classifier' })];
    expect(visibleModels(list, { showPrompts: false }).map((m) => m.name)).toEqual(['A-model', 'b-model', 'c-other']);
    expect(visibleModels(list, { showPrompts: true }).map((m) => m.name)).toEqual(['A-model', 'a-prompt', 'b-model', 'c-other']);
    expect(visibleModels(list, { showPrompts: false, storeId: 's2' }).map((m) => m.name)).toEqual(['c-other']);
    expect(visibleModels(list, { showPrompts: false, search: 'iris' }).map((m) => m.name)).toEqual(['A-model']);
  });

  it('reads the approval rule from its tag, case-insensitively', () => {
    expect(policyOn(model('M', [], { tags: { 'runsight.policy.production_requires_approval': 'True' } }))).toBe(true);
    expect(policyOn(model('M', [], { tags: { 'runsight.policy.production_requires_approval': 'false' } }))).toBe(false);
    expect(policyOn(model('M', []))).toBe(false);
  });
});

describe('aliases', () => {
  it('says when typing an alias held by another version moves it', () => {
    expect(aliasIntent(rf, 5, 'champion')).toEqual({ kind: 'move', alias: 'champion', from: 1 });
    expect(aliasIntent(rf, 1, ' champion ')).toEqual({ kind: 'unchanged', alias: 'champion' });
    expect(aliasIntent(rf, 4, 'shadow')).toEqual({ kind: 'new', alias: 'shadow' });
    expect(aliasIntent(rf, 4, '  ')).toEqual({ kind: 'empty' });
  });

  it("refuses MLflow's reserved aliases while typing", () => {
    expect(aliasIntent(rf, 4, 'latest').kind).toBe('invalid');
    expect(aliasIntent(rf, 4, 'v12').kind).toBe('invalid');
    expect(aliasIntent(rf, 4, 'v12b').kind).toBe('new');
  });
});

describe('drag payloads', () => {
  it('round-trip, and anything else decodes to null', () => {
    const run = { storeId: '/x/mlruns', runId: 'abc', runName: 'n' };
    expect(decodeRunDrag(encodeDrag(run))).toEqual(run);
    const v = { storeId: '/x/mlflow.db', name: 'M', version: 3, stage: 'Staging' };
    expect(decodeVersionDrag(encodeDrag(v))).toEqual(v);
    for (const bad of ['', null, undefined, 'not json', '[1]', '{"storeId":"s"}', '{"storeId":"s","runId":""}']) expect(decodeRunDrag(bad)).toBeNull();
    expect(decodeVersionDrag('{"storeId":"s","name":"M","version":1.5}')).toBeNull();
    expect(decodeVersionDrag(encodeDrag(run))).toBeNull();
  });
});

describe('registering a dropped run', () => {
  it("refuses a run without a model with the engine's reason", () => {
    const reason = 'Run "metrics-zoo" (6d56) has no model to register: no MLflow 3 logged model and no folder with an MLmodel file in its artifacts';
    expect(registerStep(runModels([], reason), { kind: 'model', storeId: 's1', name: 'M' }, 's1')).toEqual({ kind: 'refuse', message: reason });
  });

  it('refuses a run whose only models cannot be registered, naming why', () => {
    const step = registerStep(runModels([logged('pending', null, 1, { status: 'PENDING', registrable: false, reason: 'status PENDING' })]), { kind: 'new' }, 's1');
    expect(step.kind).toBe('refuse');
    if (step.kind === 'refuse') expect(step.message).toContain('pending (status PENDING)');
  });

  it('refuses a drop on a model of another store', () => {
    const step = registerStep(runModels([logged('a', 0, 1)]), { kind: 'model', storeId: 's2', name: 'M' }, 's1');
    expect(step.kind).toBe('refuse');
  });

  it('registers at once when one model is dropped on an existing model', () => {
    const a = logged('a', 0, 1);
    expect(registerStep(runModels([a]), { kind: 'model', storeId: 's1', name: 'RandomForestRegressor' }, 's1')).toEqual({ kind: 'register', candidate: a, modelName: 'RandomForestRegressor' });
  });

  it('asks which model when the run has several, preselecting the last one it logged', () => {
    const checkpoint = logged('checkpoint', 2, 100);
    const classifier = logged('classifier', 4, 200);
    const step = registerStep(runModels([checkpoint, classifier]), { kind: 'model', storeId: 's1', name: 'kitchen-classifier' }, 's1');
    expect(step).toMatchObject({ kind: 'dialog', chosen: 1, modelName: 'kitchen-classifier', askName: false });
  });

  it('asks the name for "new model" (suggesting the logged name) and for the menu (suggesting where it went before)', () => {
    const a = logged('random_forest_model', 0, 1, { registeredAs: [{ name: 'RandomForestRegressor', version: 1, stage: 'Production' }] });
    expect(registerStep(runModels([a]), { kind: 'new' }, 's1')).toMatchObject({ kind: 'dialog', modelName: 'random_forest_model', askName: true });
    expect(registerStep(runModels([a]), { kind: 'choose' }, 's1')).toMatchObject({ kind: 'dialog', modelName: 'RandomForestRegressor', askName: true });
  });

  it('preselects by output step, then by time; artifact folders keep the engine order', () => {
    const art1: RunModelCandidate = { kind: 'artifact', artifactPath: 'model', name: 'model', source: 'file:///a/model', registrable: true, reason: null, registeredAs: [] };
    const art2: RunModelCandidate = { ...art1, artifactPath: 'other', name: 'other' };
    expect(defaultCandidate([art1, art2])).toBe(art1);
    const late = logged('late', null, 300);
    const early = logged('early', null, 100);
    expect(defaultCandidate([early, late])).toBe(late);
    expect(defaultCandidate([art1, early])).toBe(early);
  });
});

describe('review flow', () => {
  const req = (status: TransitionRequest['status'], stage = 'Production'): TransitionRequest => ({
    id: 1,
    stage,
    archiveExisting: false,
    requestedBy: 'a',
    requestedAt: 1,
    comment: null,
    status,
    decidedBy: null,
    decidedAt: null,
    decisionComment: null,
  });

  it('a direct move to Production needs an approved request only when the rule is on', () => {
    expect(needsApproval(false, 'Production', [])).toBe(false);
    expect(needsApproval(true, 'Staging', [])).toBe(false);
    expect(needsApproval(true, 'production', [])).toBe(true);
    expect(needsApproval(true, 'Production', [req('pending'), req('rejected')])).toBe(true);
    expect(needsApproval(true, 'Production', [req('approved', 'Staging')])).toBe(true);
    expect(needsApproval(true, 'Production', [req('approved')])).toBe(false);
  });

  it('audit rows are newest first in the order written (same-millisecond entries too)', () => {
    const entries: AuditEntry[] = [
      { at: 5, user: 'a', action: 'register', to: 'None' },
      { at: 9, user: 'a', action: 'transition', from: 'None', to: 'Production' },
      { at: 9, user: 'a', action: 'set_alias', alias: 'champion', otherVersion: 1 },
    ];
    expect(auditRows(entries).map((e) => e.action)).toEqual(['set_alias', 'transition', 'register']);
    expect(entries[0]?.action).toBe('register');
  });

  it('describes each entry', () => {
    expect(auditDetail({ at: 1, user: 'a', action: 'approve_transition', from: 'None', to: 'Staging', request: 1 })).toBe('None → Staging · request #1');
    expect(auditDetail({ at: 1, user: 'a', action: 'register', to: 'None', source: 'models:/m-1' })).toBe('→ None · models:/m-1');
    expect(auditDetail({ at: 1, user: 'a', action: 'set_alias', alias: 'champion', otherVersion: 1 })).toBe('@champion (from v1)');
    expect(auditDetail({ at: 1, user: 'a', action: 'move_alias', alias: 'champion', otherVersion: 5 })).toBe('@champion moved to v5');
    expect(auditDetail({ at: 1, user: 'a', action: 'transition', from: 'Production', to: 'Archived', otherVersion: 5 })).toBe('Production → Archived · archived by v5');
    expect(auditDetail({ at: 1, user: 'a', action: 'set_tag', key: 'oops' })).toBe('oops');
    expect(auditDetail({ at: 1, user: 'a', action: 'undo', undoOf: 'set_tag' })).toBe('of tag set');
    // runsight promote: verdict, outcome, incumbent and each gate with its observed value.
    expect(
      auditDetail({
        at: 1,
        user: 'ci',
        action: 'promote',
        alias: 'champion',
        decision: 'passed',
        outcome: 'applied',
        against: '@champion (v1)',
        gates: [
          { gate: 'metrics.r2_score >= 0.4', observed: 0.47636582730311, threshold: 0.4, passed: true },
          { gate: '--min-gain mse:min=1', observed: null, threshold: 1, passed: false },
        ],
      }),
    ).toBe('@champion · passed (applied) · against @champion (v1) · ✓ metrics.r2_score >= 0.4 = 0.476366 · ✗ --min-gain mse:min=1 (missing)');
    expect(actionLabel('promote')).toBe('Promotion gate');
  });
});

describe('toasts and undo', () => {
  it('drops the oldest non-error toasts first', () => {
    const t = (id: number, kind: string) => ({ id, kind });
    expect(capToasts([t(1, 'error'), t(2, 'success'), t(3, 'success'), t(4, 'success')], 3).map((x) => x.id)).toEqual([1, 3, 4]);
    expect(capToasts([t(1, 'error'), t(2, 'error'), t(3, 'error'), t(4, 'error')], 3).map((x) => x.id)).toEqual([2, 3, 4]);
  });

  it("undo acts on the open model's store, else on the store of the last action", () => {
    const caps = { s1: { storeId: 's1', undo: { summary: 'x' } }, s2: { storeId: 's2', undo: { summary: 'y' } }, s3: { storeId: 's3', undo: null } };
    expect(undoStoreId({ selected: { storeId: 's2' }, capabilities: caps, lastActionStoreId: 's1' })).toBe('s2');
    expect(undoStoreId({ selected: { storeId: 's3' }, capabilities: caps, lastActionStoreId: 's1' })).toBe('s1');
    expect(undoStoreId({ selected: null, capabilities: caps, lastActionStoreId: null })).toBeNull();
    expect(undoStoreId({ selected: null, capabilities: { s1: caps.s1, s3: caps.s3 }, lastActionStoreId: null })).toBe('s1');
  });
});
