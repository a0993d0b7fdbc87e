// The registry through the contract (preload/api.ts) as the renderer calls it: arguments checked by
// the zod schemas, failures returned as data with their code, the audit user taken from the
// settings, and everything still there after a restart on the same store.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../electron/engine/backend/index.ts';
import type { ApiMethod, ApiValue } from '../../preload/api.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { copyStore } from './helpers.ts';

const RFR = 'RandomForestRegressor';
const BEST_RUN = '187fc5b87fa9498db55f741927fe9ef6';

let backend: Backend | null = null;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await backend?.dispose();
  backend = null;
  for (const c of cleanups.splice(0)) await c();
});

async function ok<M extends ApiMethod>(b: Backend, method: M, args: unknown): Promise<ApiValue<M>> {
  const r = await b.call(method, args);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

describe('registry through the contract', () => {
  it('drag the best run in, promote with archive-existing, move champion, request + approve, restart: all still there', async () => {
    const store = await copyStore('seed-rf');
    const config = await tempDir();
    cleanups.push(store.cleanup, config.cleanup);
    mkdirSync(config.dir, { recursive: true });
    writeFileSync(path.join(config.dir, 'settings.json'), JSON.stringify({ recentProjects: [], userName: 'zoe' }));
    backend = await createBackend({ host: 'browser', configDir: config.dir, watch: false });
    const { stores } = await ok(backend, 'openProject', { path: store.dir });
    const storeId = stores[0]?.id as string;

    const [cap] = await ok(backend, 'getRegistryCapabilities', { storeId });
    expect(cap).toMatchObject({ storeId, kind: 'file', canWrite: true, reason: null, undo: null });

    const candidates = await ok(backend, 'listRunModels', { storeId, runId: BEST_RUN });
    expect(candidates.models).toHaveLength(1);
    const m = candidates.models[0];
    if (m?.kind !== 'logged-model') throw new Error('expected a logged model');
    const reg = await ok(backend, 'registerModel', { storeId, runId: BEST_RUN, modelName: RFR, source: { kind: 'logged-model', modelId: m.modelId } });
    expect(reg.version).toBe(5);
    expect(reg.model?.versions.at(-1)).toMatchObject({ version: 5, currentStage: 'None', runId: BEST_RUN });

    const tr = await ok(backend, 'transitionStage', { storeId, name: RFR, version: 5, stage: 'Production', archiveExisting: true });
    expect(tr.model?.versions.find((v) => v.version === 1)?.currentStage).toBe('Archived');
    const al = await ok(backend, 'setAlias', { storeId, name: RFR, alias: 'champion', version: 5 });
    expect(al.model?.aliases.champion).toBe(5);
    const rq = await ok(backend, 'requestTransition', { storeId, name: RFR, version: 3, stage: 'Production', comment: 'second opinion' });
    expect(rq.requestId).toBe(1);
    await ok(backend, 'approveTransition', { storeId, name: RFR, version: 3, requestId: 1, comment: 'ok' });
    const [after] = await ok(backend, 'getRegistryCapabilities', { storeId });
    expect(after?.undo?.action).toBe('approve_transition');

    await backend.dispose();
    backend = await createBackend({ host: 'browser', configDir: config.dir, watch: false });
    await ok(backend, 'openProject', { path: store.dir });
    const [model] = await ok(backend, 'listRegisteredModels', { storeId });
    expect(model?.aliases).toEqual({ challenger: 3, champion: 5 });
    expect(model?.versions.map((v) => [v.version, v.currentStage])).toEqual([
      [1, 'Archived'],
      [2, 'Archived'],
      [3, 'Production'],
      [4, 'None'],
      [5, 'Production'],
    ]);
    const review = await ok(backend, 'getRegistryReview', { storeId, name: RFR });
    const v3 = review.versions.find((v) => v.version === 3);
    expect(v3?.requests[0]).toMatchObject({ status: 'approved', requestedBy: 'zoe', decidedBy: 'zoe', comment: 'second opinion' });
    expect(v3?.audit.entries.map((e) => [e.user, e.action, e.from, e.to])).toEqual([
      ['zoe', 'request_transition', 'Staging', 'Production'],
      ['zoe', 'approve_transition', 'Staging', 'Production'],
    ]);
    // Undo history is per session: a restarted app has nothing to undo.
    const undo = await backend.call('undoRegistryAction', { storeId });
    expect(undo).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('Nothing to undo') } });
  });

  it('bad arguments and failures come back as data with their code', async () => {
    const store = await copyStore('seed-rf');
    const config = await tempDir();
    cleanups.push(store.cleanup, config.cleanup);
    backend = await createBackend({ host: 'browser', configDir: config.dir, watch: false });
    const { stores } = await ok(backend, 'openProject', { path: store.dir });
    const storeId = stores[0]?.id as string;
    expect(await backend.call('transitionStage', { storeId, name: RFR, version: 0, stage: 'Staging' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await backend.call('registerModel', { storeId, runId: BEST_RUN, modelName: RFR, source: { kind: 'zip' } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await backend.call('setAlias', { storeId, name: 'nope', alias: 'a', version: 1 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await backend.call('deleteModelVersion', { storeId: '/no/such/store', name: RFR, version: 1 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await backend.call('listRunModels', { storeId, runId: 'f'.repeat(32) })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
