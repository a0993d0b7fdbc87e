// The file-store reader against MLflow's own dumps of the fixture stores (expected-*.json).
// Artifact listings are another module's job (URI re-basing): both sides drop `artifacts` here.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { dumpRegistry, dumpRuns, type DumpSources } from '../../electron/engine/mlflow-dump.ts';
import { FileStoreReader, createFileStoreReader, looksLikeFileStore } from '../../electron/engine/stores/mlflow-file/index.ts';
import { fixturePath, type FixtureName } from '../helpers/fixtures.ts';
import { diffJson, loadExpected, normaliseActual } from '../helpers/golden.ts';
import { fileStoreInfo, stripArtifacts } from '../helpers/file-store.ts';

for (const name of ['seed-rf', 'kitchen-sink'] as FixtureName[]) {
  describe(`file store golden: ${name}`, () => {
    const mlruns = path.join(fixturePath(name), 'mlruns');

    it('is recognised as a file store', async () => {
      expect(await looksLikeFileStore(mlruns)).toBe(true);
    });

    it('reads runs, experiments and logged models exactly as MLflow reports them', async () => {
      const reader = createFileStoreReader(fileStoreInfo(mlruns));
      const snap = await reader.load();
      const sources: DumpSources = {
        getMetricHistory: (runId, key) => reader.getMetricHistory(runId, key),
        listRunArtifacts: async () => [],
        listModelArtifacts: async () => [],
      };
      const actual = stripArtifacts(normaliseActual(await dumpRuns(snap, sources), 'runs'));
      const expected = stripArtifacts(loadExpected(name, 'runs'));
      expect(diffJson(expected, actual)).toEqual([]);
      // The fixtures are clean stores: nothing to report.
      expect(snap.diagnostics).toEqual([]);
      await reader.close();
    });

    it('reads the same through the asynchronous I/O back end (slow storage)', async () => {
      const fast = createFileStoreReader(fileStoreInfo(mlruns));
      const slow = new FileStoreReader(fileStoreInfo(mlruns), { io: 'async' });
      const a = await fast.load();
      const b = await slow.load();
      const byId = <T,>(xs: T[], id: (x: T) => string) => [...xs].sort((p, q) => (id(p) < id(q) ? -1 : 1));
      expect(byId(b.runs, (r) => r.runId)).toEqual(byId(a.runs, (r) => r.runId));
      expect(byId(b.experiments, (e) => e.experimentId)).toEqual(byId(a.experiments, (e) => e.experimentId));
      expect(byId(b.loggedModels, (m) => m.modelId)).toEqual(byId(a.loggedModels, (m) => m.modelId));
      expect(byId(b.registry, (m) => m.name)).toEqual(byId(a.registry, (m) => m.name));
    });

    it('reads the model registry exactly as MLflow reports it', async () => {
      const reader = createFileStoreReader(fileStoreInfo(mlruns));
      const snap = await reader.load();
      const actual = normaliseActual(dumpRegistry(snap.registry), 'registry');
      expect(diffJson(loadExpected(name, 'registry'), actual)).toEqual([]);
      await reader.close();
    });
  });
}

describe('file store detection', () => {
  it('does not take the SQLite artifact root for a file store', async () => {
    expect(await looksLikeFileStore(path.join(fixturePath('kitchen-sink-sqlite'), 'mlruns'))).toBe(false);
  });
});
