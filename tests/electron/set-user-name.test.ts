// setUserName: the audit trail's user comes from the settings once the user names themself, a
// blank name goes back to the OS account, and the name is what the next registry write records.
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../electron/engine/backend/index.ts';
import type { ApiMethod, ApiValue } from '../../preload/api.ts';
import { copyFixture, tempDir } from '../helpers/fixtures.ts';

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

describe('setUserName', () => {
  it('is stored in the settings, used by registry writes, and cleared by a blank name', async () => {
    const config = await tempDir();
    const store = await copyFixture('seed-rf');
    cleanups.push(config.cleanup, store.cleanup);
    backend = await createBackend({ host: 'browser', configDir: config.dir, watch: false });
    expect((await ok(backend, 'getStatus', {})).userName).toBe(os.userInfo().username);

    expect(await ok(backend, 'setUserName', { name: '  Zoë Reviewer ' })).toEqual({ userName: 'Zoë Reviewer' });
    expect((await ok(backend, 'getStatus', {})).userName).toBe('Zoë Reviewer');

    const { stores } = await ok(backend, 'openProject', { path: store.dir });
    const storeId = stores[0]?.id as string;
    await ok(backend, 'setAlias', { storeId, name: 'RandomForestRegressor', alias: 'candidate', version: 4 });
    const review = await ok(backend, 'getRegistryReview', { storeId, name: 'RandomForestRegressor' });
    expect(review.versions.find((v) => v.version === 4)?.audit.entries.at(-1)).toMatchObject({ user: 'Zoë Reviewer', action: 'set_alias' });

    // A restart reads the same settings file.
    await backend.dispose();
    backend = await createBackend({ host: 'browser', configDir: config.dir, watch: false });
    expect((await ok(backend, 'getStatus', {})).userName).toBe('Zoë Reviewer');

    expect(await ok(backend, 'setUserName', { name: '   ' })).toEqual({ userName: os.userInfo().username });
    expect(await ok(backend, 'setUserName', { name: null })).toEqual({ userName: os.userInfo().username });
  });

  it('rejects what is not a name', async () => {
    const config = await tempDir();
    cleanups.push(config.cleanup);
    backend = await createBackend({ host: 'browser', configDir: config.dir, watch: false });
    for (const args of [{}, { name: 42 }, { name: 'x'.repeat(257) }, { name: 'a', extra: 1 }]) {
      const r = await backend.call('setUserName', args);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('INVALID_ARGUMENT');
    }
  });
});
