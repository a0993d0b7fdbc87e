// Recent projects: openProject lists the project at once (the backend keeps its settings in
// memory; the file is written behind the answer, so the answer never waits on a watcher's stats
// in the thread pool), and what was written is on disk for the next start once dispose resolves.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
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

describe('recent projects', () => {
  it('are listed as soon as openProject answers, most recent first, and survive a restart', async () => {
    const config = await tempDir();
    const a = await copyFixture('seed-rf');
    const b = await copyFixture('kitchen-sink');
    cleanups.push(config.cleanup, a.cleanup, b.cleanup);
    backend = await createBackend({ host: 'browser', configDir: config.dir, watch: true });
    await ok(backend, 'openProject', { path: a.dir });
    expect((await ok(backend, 'listRecentProjects', {})).paths).toEqual([path.resolve(a.dir)]);
    await ok(backend, 'openProject', { path: b.dir });
    expect((await ok(backend, 'listRecentProjects', {})).paths).toEqual([path.resolve(b.dir), path.resolve(a.dir)]);

    await backend.dispose();
    const onDisk = JSON.parse(await readFile(path.join(config.dir, 'settings.json'), 'utf8')) as { recentProjects: string[] };
    expect(onDisk.recentProjects).toEqual([path.resolve(b.dir), path.resolve(a.dir)]);
    backend = await createBackend({ host: 'browser', configDir: config.dir, watch: false });
    expect((await ok(backend, 'listRecentProjects', {})).paths).toEqual([path.resolve(b.dir), path.resolve(a.dir)]);
  });
});
