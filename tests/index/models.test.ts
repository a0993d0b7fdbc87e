// Logged models and the model registry: listing round-trips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunIndex, type RunIndex } from '../../electron/engine/index/index.ts';
import type { StoreSnapshot } from '../../electron/engine/model.ts';
import { fixtureSnapshot, loggedModel, registeredModel, snapshot } from './model-builders.ts';

let ix: RunIndex;
let seed: StoreSnapshot;
let ks: StoreSnapshot;

beforeAll(async () => {
  ix = await createRunIndex();
  seed = fixtureSnapshot('seed-rf', '/seed');
  ks = fixtureSnapshot('kitchen-sink', '/ks');
  ix.applySnapshot(seed);
  ix.applySnapshot(ks);
  ix.applySnapshot(
    snapshot('/hand', {
      loggedModels: [
        loggedModel('m-old', { creationTimestamp: 1, sourceRunId: 'r1' }),
        loggedModel('m-new', { creationTimestamp: 3, sourceRunId: 'r1', metrics: [{ key: 'loss', value: NaN, step: 0, timestamp: 1, runId: 'r1', datasetName: null, datasetDigest: null }] }),
        loggedModel('m-gone', { creationTimestamp: 2, sourceRunId: 'r1', lifecycleStage: 'deleted' }),
        loggedModel('m-null', { creationTimestamp: null }),
      ],
      registry: [
        registeredModel('b-model'),
        registeredModel('a-prompt', { isPrompt: true }),
        registeredModel('A-model'),
      ],
    }),
  );
});
afterAll(() => ix.close());

describe('logged models', () => {
  it('round-trips every logged model of the fixtures', () => {
    for (const snap of [seed, ks]) {
      const listed = ix.listLoggedModels({ storeId: snap.info.id, includeDeleted: true });
      expect(listed).toHaveLength(snap.loggedModels.length);
      for (const m of snap.loggedModels) expect(listed.find((x) => x.modelId === m.modelId)).toEqual(m);
    }
  });

  it('filters by experiment and by run (source run or run output)', () => {
    const exp = '266606262520181169';
    expect(ix.listLoggedModels({ storeId: '/seed', experimentId: exp })).toHaveLength(16);
    expect(ix.listLoggedModels({ storeId: '/seed', experimentId: '0' })).toEqual([]);
    const best = '187fc5b87fa9498db55f741927fe9ef6';
    expect(ix.listLoggedModels({ storeId: '/seed', runId: best }).map((m) => m.modelId)).toEqual([
      'm-a7eaf8ebc4e44e64a3ea1ec57833e589',
    ]);
    // kitchen-sink: each training run logged a checkpoint and a final model.
    const trainer = ks.runs.find((r) => r.runName === 'train-classifier')!;
    const outputs = trainer.outputs.models.map((o) => o.modelId).sort();
    expect(ix.listLoggedModels({ storeId: '/ks', runId: trainer.runId }).map((m) => m.modelId).sort()).toEqual(
      [...new Set([...outputs, ...ks.loggedModels.filter((m) => m.sourceRunId === trainer.runId).map((m) => m.modelId)])].sort(),
    );
    expect(ix.listLoggedModels({ storeId: '/ks', runId: 'no-such-run' })).toEqual([]);
  });

  it('orders oldest first, hides deleted models unless asked, keeps NaN metrics', () => {
    expect(ix.listLoggedModels({ storeId: '/hand' }).map((m) => m.modelId)).toEqual(['m-old', 'm-new', 'm-null']);
    expect(ix.listLoggedModels({ storeId: '/hand', includeDeleted: true }).map((m) => m.modelId)).toEqual([
      'm-old',
      'm-gone',
      'm-new',
      'm-null',
    ]);
    expect(ix.listLoggedModels({ storeId: '/hand', runId: 'r1' }).map((m) => m.modelId)).toEqual(['m-old', 'm-new']);
    const [nan] = ix.listLoggedModels({ storeId: '/hand' }).filter((m) => m.modelId === 'm-new');
    expect(nan!.metrics[0]!.value).toBeNaN();
    expect(ix.listLoggedModels({ storeId: '/nope' })).toEqual([]);
  });
});

describe('registered models', () => {
  it('round-trips the seed-rf registry', () => {
    const [rf] = ix.listRegisteredModels({ storeId: '/seed' });
    expect(rf).toEqual({ ...seed.registry[0], storeId: '/seed' });
    expect(rf!.aliases).toEqual({ champion: 1, challenger: 3 });
    expect(rf!.versions.map((v) => [v.version, v.currentStage])).toEqual([
      [1, 'Production'],
      [2, 'Archived'],
      [3, 'Staging'],
      [4, 'None'],
    ]);
    expect(ix.getRegisteredModel({ storeId: '/seed', name: 'RandomForestRegressor' })).toEqual(seed.registry[0]);
  });

  it('round-trips the kitchen-sink registry and hides prompts unless asked', () => {
    const models = ix.listRegisteredModels({ storeId: '/ks' });
    expect(models.map((m) => m.name)).toEqual(['Modèle spécial ✨', 'empty-model', 'kitchen-classifier', 'kitchen-regressor', 'renamed-model']);
    for (const m of models) expect(m).toEqual({ ...ks.registry.find((x) => x.name === m.name), storeId: '/ks' });
    const withPrompts = ix.listRegisteredModels({ storeId: '/ks', includePrompts: true });
    expect(withPrompts.map((m) => m.name)).toContain('kitchen-prompt');
    expect(ix.getRegisteredModel({ storeId: '/ks', name: 'kitchen-prompt' })?.isPrompt).toBe(true);
    expect(ix.getRegisteredModel({ storeId: '/ks', name: 'nope' })).toBeNull();
    expect(ix.getRegisteredModel({ storeId: '/nope', name: 'kitchen-prompt' })).toBeNull();
  });

  it('sorts by name (code point order) across stores', () => {
    expect(ix.listRegisteredModels({ storeId: '/hand' }).map((m) => m.name)).toEqual(['A-model', 'b-model']);
    expect(ix.listRegisteredModels({ storeId: '/hand', includePrompts: true }).map((m) => m.name)).toEqual([
      'A-model',
      'a-prompt',
      'b-model',
    ]);
    const all = ix.listRegisteredModels({});
    expect(all.map((m) => m.name)).toEqual([...all.map((m) => m.name)].sort());
    expect(new Set(all.map((m) => m.storeId))).toEqual(new Set(['/seed', '/ks', '/hand']));
    expect(ix.listRegisteredModels({ storeId: '/nope' })).toEqual([]);
  });
});
