// The golden surface: `runsight dump` must reproduce what MLflow's own client reported for every
// fixture (expected-runs.json / expected-registry.json), artifact listings included — which
// needs the URI re-basing, since every fixture was written under /home/alice/projects/.
import { describe, expect, it } from 'vitest';
import { fileStoreInfo, sqliteStoreInfo } from '../electron/engine/store-info.ts';
import { dumpStore } from '../electron/engine/dump-store.ts';
import { diffJson, loadExpected, normaliseActual } from './helpers/golden.ts';
import { fixturePath, type FixtureName } from './helpers/fixtures.ts';
import path from 'node:path';

const STORES: Record<FixtureName, () => ReturnType<typeof fileStoreInfo>> = {
  'seed-rf': () => fileStoreInfo(path.join(fixturePath('seed-rf'), 'mlruns')),
  'kitchen-sink': () => fileStoreInfo(path.join(fixturePath('kitchen-sink'), 'mlruns')),
  'kitchen-sink-sqlite': () => sqliteStoreInfo(path.join(fixturePath('kitchen-sink-sqlite'), 'mlflow.db')),
};

describe.each(Object.keys(STORES) as FixtureName[])('dump of %s equals MLflow', (name) => {
  it('runs, metrics, histories, inputs/outputs, logged models and artifact listings', async () => {
    const out = await dumpStore(STORES[name]());
    expect(diffJson(loadExpected(name, 'runs'), normaliseActual(out.runs, 'runs'))).toEqual([]);
    expect(out.diagnostics).toEqual([]);
  });

  it('registry', async () => {
    const out = await dumpStore(STORES[name]());
    expect(diffJson(loadExpected(name, 'registry'), normaliseActual(out.registry, 'registry'))).toEqual([]);
  });
});
