import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ArtifactResolver, listArtifactsLevel, listArtifactsLikeMlflow } from '../../electron/engine/artifacts.ts';
import { fileStoreInfo, sqliteStoreInfo } from '../../electron/engine/store-info.ts';
import { isInside, resolveInside, resolveInsideReal } from '../../electron/engine/fs/paths.ts';
import type { Experiment } from '../../electron/engine/model.ts';
import { fixturePath, tempDir } from '../helpers/fixtures.ts';

const exp = (experimentId: string, artifactLocation: string): Experiment => ({
  experimentId,
  name: `e${experimentId}`,
  artifactLocation,
  lifecycleStage: 'active',
  creationTime: null,
  lastUpdateTime: null,
  tags: {},
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('artifact URI resolution on moved stores', () => {
  const seed = path.join(fixturePath('seed-rf'), 'mlruns');
  const seedExperiments = [
    exp('0', 'file:///home/alice/projects/diabetes-rf/mlruns/0'),
    exp('266606262520181169', 'file:///home/alice/projects/diabetes-rf/mlruns/266606262520181169'),
  ];

  it('re-bases a foreign file:// run URI onto the opened store', async () => {
    const r = new ArtifactResolver(fileStoreInfo(seed), seedExperiments);
    const loc = await r.resolve(
      'file:///home/alice/projects/diabetes-rf/mlruns/266606262520181169/60fd641ffeec44cc92a95f9b74c2ff7a/artifacts',
    );
    expect(loc).toEqual({
      available: true,
      rebased: true,
      localPath: path.join(seed, '266606262520181169/60fd641ffeec44cc92a95f9b74c2ff7a/artifacts'),
    });
  });

  it('re-bases plain SQLite paths and explicit locations beside mlruns (common project prefix)', async () => {
    const dir = fixturePath('kitchen-sink-sqlite');
    const r = new ArtifactResolver(sqliteStoreInfo(path.join(dir, 'mlflow.db')), [
      exp('0', '/home/alice/projects/kitchen-sink-sqlite/mlruns/0'),
      exp('3', 'file:///home/alice/projects/kitchen-sink-sqlite/external-artifacts/ext-exp'),
    ]);
    const ext = await r.resolve('file:///home/alice/projects/kitchen-sink-sqlite/model-outside-tracking');
    expect(ext).toMatchObject({ available: true, rebased: true, localPath: path.join(dir, 'model-outside-tracking') });
    const external = await r.resolve('file:///home/alice/projects/kitchen-sink-sqlite/external-artifacts/ext-exp');
    expect(external).toMatchObject({ available: true, localPath: path.join(dir, 'external-artifacts/ext-exp') });
  });

  it('reports remote schemes as unavailable with a reason, never an error', async () => {
    const r = new ArtifactResolver(fileStoreInfo(seed), seedExperiments);
    for (const uri of ['s3://bucket/x', 'gs://b/x', 'wasbs://c@a.blob.core.windows.net/x', 'hdfs://nn/x', 'dbfs:/x']) {
      const loc = await r.resolve(uri);
      expect(loc.available).toBe(false);
      if (!loc.available) {
        expect(loc.remote).toBe(true);
        expect(loc.reason).toMatch(/remotely/);
      }
    }
    expect(await listArtifactsLikeMlflow(r, 's3://bucket/x')).toEqual({ error: expect.stringMatching(/remotely/) });
  });

  it('says "not available locally" for a foreign path with no local counterpart', async () => {
    const r = new ArtifactResolver(fileStoreInfo(seed), seedExperiments);
    const loc = await r.resolve('/somewhere/else/entirely');
    expect(loc).toMatchObject({ available: false, remote: false });
    expect(await listArtifactsLikeMlflow(r, '/somewhere/else/entirely')).toEqual([]);
  });

  it('maps mlflow-artifacts: URIs onto the store artifact root and refuses escapes', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await mkdir(path.join(dir, 'mlruns/1/abc/artifacts'), { recursive: true });
    const r = new ArtifactResolver(fileStoreInfo(path.join(dir, 'mlruns')), []);
    expect(await r.resolve('mlflow-artifacts:/1/abc/artifacts')).toMatchObject({
      available: true,
      localPath: path.join(dir, 'mlruns/1/abc/artifacts'),
    });
    expect(await r.resolve('mlflow-artifacts:/../../etc')).toMatchObject({ available: false });
  });

  it('finds runs of deleted experiments in .trash only when asked (MLflow itself does not)', async () => {
    const ks = path.join(fixturePath('kitchen-sink'), 'mlruns');
    const r = new ArtifactResolver(fileStoreInfo(ks), [exp('0', 'file:///home/alice/projects/kitchen-sink/mlruns/0')]);
    const uri =
      'file:///home/alice/projects/kitchen-sink/mlruns/549616697491748688/45b8b093b6944af9a0039adce665acf8/artifacts';
    expect((await r.resolve(uri)).available).toBe(false);
    expect(await r.resolve(uri, { includeTrash: true })).toMatchObject({ available: true, rebased: true });
  });
});

describe('path containment', () => {
  it('refuses absolute paths, .. escapes and NUL bytes', () => {
    expect(() => resolveInside('/root/store', '../x')).toThrow(/leaves its root/);
    expect(() => resolveInside('/root/store', 'a/../../x')).toThrow();
    expect(() => resolveInside('/root/store', '/etc/passwd')).toThrow();
    expect(() => resolveInside('/root/store', 'a\0b')).toThrow();
    expect(resolveInside('/root/store', 'a/../b')).toBe('/root/store/b');
    expect(isInside('/root/store', '/root/store-other')).toBe(false);
  });

  it('refuses a symlink inside the root that points outside it', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await mkdir(path.join(dir, 'root'));
    await writeFile(path.join(dir, 'secret.txt'), 'x');
    await symlink(path.join(dir, 'secret.txt'), path.join(dir, 'root/link.txt'));
    await expect(resolveInsideReal(path.join(dir, 'root'), 'link.txt')).rejects.toThrow(/leaves its root/);
  });

  it('lists one level, folders first, and refuses traversal in the requested folder', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await mkdir(path.join(dir, 'plots'), { recursive: true });
    await writeFile(path.join(dir, 'model.pkl'), 'abc');
    await writeFile(path.join(dir, 'plots/loss.png'), 'png');
    expect(await listArtifactsLevel(dir, '')).toEqual([
      { path: 'plots', isDir: true, size: null },
      { path: 'model.pkl', isDir: false, size: 3 },
    ]);
    expect(await listArtifactsLevel(dir, 'plots')).toEqual([{ path: 'plots/loss.png', isDir: false, size: 3 }]);
    await expect(listArtifactsLevel(dir, '../')).rejects.toThrow(/leaves its root/);
  });
});
