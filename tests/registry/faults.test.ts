// What happens when things go wrong: a crash between writing a temp file and renaming it, another
// writer registering at the same moment, a SQLite write lock held by someone else, a read-only
// store. Every case must leave a store that both our reader and MLflow's rules accept.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryWriter, nodeFs, type RegistryFs } from '../../electron/engine/registry/index.ts';
import { repoRoot } from '../helpers/fixtures.ts';
import { copyStore, openCopy, read, reread, tree, type OpenedStore } from './helpers.ts';

const RFR = 'RandomForestRegressor';
const BEST_RUN = '187fc5b87fa9498db55f741927fe9ef6';
const BEST_MODEL = 'm-a7eaf8ebc4e44e64a3ea1ec57833e589';
const KC = 'kitchen-classifier';
const SQL_TRAIN_RUN = 'd03d8170adab4dbfa12700a05950372b';
const SQL_CLASSIFIER = 'm-905b60fd443e483099c0b2e8d03b0765';

let store: OpenedStore | null = null;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await store?.cleanup();
  store = null;
  for (const c of cleanups.splice(0)) await c();
});

/** A crash at the first matching rename: the hook throws, and so does every later one (the process is gone). */
function crashAt(match: (tmp: string, target: string) => boolean) {
  let dead = false;
  return {
    get crashed() {
      return dead;
    },
    beforeRename: (tmp: string, target: string) => {
      if (dead || match(tmp, target)) {
        dead = true;
        throw new Error(`simulated crash before renaming ${path.basename(tmp)}`);
      }
    },
  };
}

function registerBest(s: OpenedStore) {
  return s.svc.register(s.info.id, { runId: BEST_RUN, modelName: RFR, source: { kind: 'logged-model', modelId: BEST_MODEL } });
}

function hidden(dir: string): string[] {
  return readdirSync(dir).filter((n) => /^\..*\.tmp-\d+-[0-9a-f]+$/.test(n));
}

describe('crash between writing a temp file and renaming it', () => {
  it('while claiming a new version: no version-5, a hidden temp folder, no diagnostics; the next try succeeds', async () => {
    const hook = crashAt((tmp) => path.basename(tmp).startsWith('.version.tmp-'));
    store = await openCopy('seed-rf', { hooks: hook });
    const modelDir = path.join(store.dir, 'mlruns/models', RFR);
    const before = tree(modelDir);
    await expect(registerBest(store)).rejects.toThrow(/simulated crash/);
    expect(hook.crashed).toBe(true);
    expect(existsSync(path.join(modelDir, 'version-5'))).toBe(false);
    expect(hidden(modelDir)).toHaveLength(1);
    const again = await reread(store.info);
    expect(again.diagnostics).toEqual([]);
    expect(again.registry[0]?.versions).toHaveLength(4);
    // The left-over temp folder changes nothing MLflow or we read.
    const visible = Object.fromEntries(Object.entries(tree(modelDir)).filter(([k]) => !k.startsWith('.')));
    expect(visible).toEqual(before);

    const fresh = createRegistryWriter(store.info);
    const r = await fresh.registerRunModel({ runId: BEST_RUN, modelName: RFR, source: { kind: 'logged-model', modelId: BEST_MODEL }, user: 'alice' });
    expect(r.version).toBe(5);
    expect((await reread(store.info)).diagnostics).toEqual([]);
  });

  it('while rewriting the model’s meta.yaml, a tag, an alias, or creating a model: always a readable store', async () => {
    const cases: [string, (tmp: string, target: string) => boolean, (s: OpenedStore) => Promise<unknown>][] = [
      ['model meta.yaml', (_t, target) => target.endsWith(`${RFR}${path.sep}meta.yaml`), registerBest],
      ['audit tag', (_t, target) => target.endsWith('runsight.audit'), (s) => s.svc.transition(s.info.id, { name: RFR, version: 4, stage: 'Staging' })],
      ['alias file', (_t, target) => target.includes(`${path.sep}aliases${path.sep}`), (s) => s.svc.setAlias(s.info.id, { name: RFR, alias: 'champion', version: 3 })],
      ['new model', (_t, target) => target.includes(`${path.sep}brand-new${path.sep}`), (s) => s.svc.register(s.info.id, { runId: BEST_RUN, modelName: 'brand-new', source: { kind: 'logged-model', modelId: BEST_MODEL } })],
    ];
    for (const [what, match, act] of cases) {
      const hook = crashAt(match);
      const s = await openCopy('seed-rf', { hooks: hook });
      cleanups.push(s.cleanup);
      await expect(act(s), what).rejects.toThrow(/simulated crash/);
      expect(hook.crashed, what).toBe(true);
      const again = await reread(s.info);
      expect(again.diagnostics, what).toEqual([]);
      // The engine's index (refreshed with whatever was written) agrees with a fresh read.
      expect(s.engine.index.listRegisteredModels({ storeId: s.info.id }).map((m) => [m.name, m.versions.length])).toEqual(
        again.registry.map((m) => [m.name, m.versions.length]),
      );
      expect(existsSync(path.join(s.dir, 'mlruns/models/brand-new')), what).toBe(false);
    }
  });
});

describe('two writers at once', () => {
  it('a version folder created meanwhile (a concurrent MLflow register_model) makes us take the next number', async () => {
    let injected = false;
    store = await openCopy('seed-rf', {
      hooks: {
        beforeRename: (tmp, target) => {
          if (injected || !path.basename(tmp).startsWith('.version.tmp-')) return;
          injected = true;
          // MLflow wins the race for version-5 just before our rename.
          const dir = path.dirname(target);
          cpSync(path.join(dir, 'version-4'), path.join(dir, 'version-5'), { recursive: true });
          const meta = read(dir, 'version-5/meta.yaml').replace('version: 4', 'version: 5');
          writeFileSync(path.join(dir, 'version-5/meta.yaml'), meta);
        },
      },
    });
    const r = await registerBest(store);
    expect(injected).toBe(true);
    expect(r.version).toBe(6);
    const again = await reread(store.info);
    expect(again.diagnostics).toEqual([]);
    expect(again.registry[0]?.versions.map((v) => [v.version, v.runId])).toEqual([
      [1, BEST_RUN],
      [2, '60fd641ffeec44cc92a95f9b74c2ff7a'],
      [3, '96e636eaf3844a07ab23a6d489298ae2'],
      [4, '6979d36c75c14566ae0329de536707cb'],
      [5, '6979d36c75c14566ae0329de536707cb'],
      [6, BEST_RUN],
    ]);
  });

  it('two writer instances registering concurrently get two distinct versions', async () => {
    store = await openCopy('seed-rf');
    const a = createRegistryWriter(store.info);
    const b = createRegistryWriter(store.info);
    const input = { runId: BEST_RUN, modelName: RFR, source: { kind: 'logged-model' as const, modelId: BEST_MODEL }, user: 'x' };
    const [ra, rb] = await Promise.all([a.registerRunModel(input), b.registerRunModel(input)]);
    expect([ra.version, rb.version].sort()).toEqual([5, 6]);
    const again = await reread(store.info);
    expect(again.diagnostics).toEqual([]);
    expect(read(store.dir, 'mlruns/266606262520181169/models', BEST_MODEL, 'tags/mlflow.modelVersions')).toBe(
      '[{"name": "RandomForestRegressor", "version": 1}, {"name": "RandomForestRegressor", "version": 5}, {"name": "RandomForestRegressor", "version": 6}]',
    );
  });

  it('two processes registering into the same store at once get two distinct versions (file store and SQLite)', async () => {
    for (const fixture of ['seed-rf', 'kitchen-sink-sqlite'] as const) {
      const copy = await copyStore(fixture);
      cleanups.push(copy.cleanup);
      const target = fixture === 'seed-rf' ? path.join(copy.dir, 'mlruns') : path.join(copy.dir, 'mlflow.db');
      const args =
        fixture === 'seed-rf'
          ? ['--run', BEST_RUN, '--model', RFR, '--model-id', BEST_MODEL]
          : ['--run', SQL_TRAIN_RUN, '--model', KC, '--model-id', SQL_CLASSIFIER];
      const results = await Promise.all([cli(['registry', 'register', target, ...args, '--json']), cli(['registry', 'register', target, ...args, '--json'])]);
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const versions = results.map((r) => (JSON.parse(r.stdout) as { version: number }).version).sort();
      expect(versions).toEqual(fixture === 'seed-rf' ? [5, 6] : [6, 7]);
      const info =
        fixture === 'seed-rf'
          ? { id: target, kind: 'file' as const, path: target, artifactRoot: target }
          : { id: target, kind: 'sqlite' as const, path: target, artifactRoot: path.join(copy.dir, 'mlruns') };
      expect((await reread(info)).diagnostics).toEqual([]);
    }
  });
});

describe('SQLite write locks', () => {
  it('fails cleanly with WRITE_CONFLICT while another connection holds BEGIN IMMEDIATE, and succeeds once it is released', async () => {
    store = await openCopy('kitchen-sink-sqlite', { busyTimeoutMs: 200 });
    const file = store.info.path;
    const holder = new DatabaseSync(file);
    holder.exec('BEGIN IMMEDIATE');
    holder.exec("UPDATE registered_models SET description = 'held' WHERE name = 'empty-model'");
    try {
      await expect(store.svc.transition(store.info.id, { name: KC, version: 4, stage: 'Staging' })).rejects.toMatchObject({
        code: 'WRITE_CONFLICT',
        message: expect.stringContaining('locked by another writer'),
      });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const check = new DatabaseSync(file, { readOnly: true });
    expect(check.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    expect(check.prepare("SELECT current_stage FROM model_versions WHERE name = ? AND version = 4").get(KC)).toEqual({ current_stage: 'None' });
    check.close();
    const r = await store.svc.transition(store.info.id, { name: KC, version: 4, stage: 'Staging' });
    expect(r.model?.versions.find((v) => v.version === 4)?.currentStage).toBe('Staging');
  });

  it('waits without blocking the process: a lock released by a timer of this same process lets the write through', async () => {
    // node:sqlite is synchronous; if the writer waited inside SQLite's busy handler, this timer
    // could not run before the wait ran out and the write would fail.
    store = await openCopy('kitchen-sink-sqlite', { busyTimeoutMs: 20_000 });
    const holder = new DatabaseSync(store.info.path);
    holder.exec('BEGIN IMMEDIATE');
    let released = false;
    setTimeout(() => {
      holder.exec('ROLLBACK');
      holder.close();
      released = true;
    }, 300);
    const r = await store.svc.transition(store.info.id, { name: KC, version: 4, stage: 'Staging' });
    expect(released).toBe(true);
    expect(r.model?.versions.find((v) => v.version === 4)?.currentStage).toBe('Staging');
  });

  it('waits for a lock another process holds briefly (busy timeout) and then writes', async () => {
    store = await openCopy('kitchen-sink-sqlite', { busyTimeoutMs: 20_000 });
    const file = store.info.path;
    const script = `
      const { DatabaseSync } = require('node:sqlite');
      const db = new DatabaseSync(process.argv[1]);
      db.exec('BEGIN IMMEDIATE');
      process.stdout.write('locked\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 700);
      db.exec('COMMIT');
      db.close();`;
    const child = spawn(process.execPath, ['-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()));
    const r = await store.svc.transition(store.info.id, { name: KC, version: 4, stage: 'Staging' });
    expect(r.model?.versions.find((v) => v.version === 4)?.currentStage).toBe('Staging');
    expect(await exited).toBe(0);
  });
});

describe('read-only stores', () => {
  // Tests run as root, and root writes through chmod'ed files and folders, so "remove the write
  // bits" cannot make a store read-only here. The writer's permission probe goes through its
  // injected fs: an fs that answers EACCES / EROFS is what a non-root user or a read-only mount
  // produces (the CLI test also uses a real read-only bind mount where the system allows one).
  const denying = (code: 'EACCES' | 'EROFS', what: (keyof RegistryFs)[]): RegistryFs => {
    const fail = async () => {
      throw Object.assign(new Error(`${code}: simulated`), { code });
    };
    return { ...nodeFs, ...Object.fromEntries(what.map((k) => [k, fail])) } as RegistryFs;
  };

  it('file store without write permission: capabilities say why, every action is READ_ONLY, nothing changes', async () => {
    store = await openCopy('seed-rf', { fs: denying('EACCES', ['accessWrite']) });
    const before = tree(path.join(store.dir, 'mlruns/models'));
    const [cap] = await store.svc.capabilities(store.info.id);
    expect(cap).toMatchObject({ canWrite: false, reason: expect.stringMatching(/not writable for this user \(EACCES\)/) });
    for (const act of [
      () => registerBest(store as OpenedStore),
      () => (store as OpenedStore).svc.transition((store as OpenedStore).info.id, { name: RFR, version: 4, stage: 'Staging' }),
      () => (store as OpenedStore).svc.setAlias((store as OpenedStore).info.id, { name: RFR, alias: 'champion', version: 3 }),
    ]) {
      await expect(act()).rejects.toMatchObject({ code: 'READ_ONLY', message: expect.stringContaining('registry changes cannot be saved') });
    }
    expect(tree(path.join(store.dir, 'mlruns/models'))).toEqual(before);
  });

  it('a mount that turns read-only under us (EROFS on write) gives READ_ONLY and a readable store', async () => {
    store = await openCopy('seed-rf', { fs: denying('EROFS', ['writeFile', 'rename', 'mkdir']) });
    await expect(store.svc.transition(store.info.id, { name: RFR, version: 4, stage: 'Staging' })).rejects.toMatchObject({
      code: 'READ_ONLY',
      message: expect.stringContaining('read-only file system'),
    });
    expect((await reread(store.info)).diagnostics).toEqual([]);
  });

  it('SQLite database without write permission: READ_ONLY, rows unchanged', async () => {
    store = await openCopy('kitchen-sink-sqlite', { fs: denying('EACCES', ['accessWrite']) });
    const [cap] = await store.svc.capabilities(store.info.id);
    expect(cap?.canWrite).toBe(false);
    await expect(store.svc.setAlias(store.info.id, { name: KC, alias: 'champion', version: 3 })).rejects.toMatchObject({ code: 'READ_ONLY' });
    const check = new DatabaseSync(store.info.path, { readOnly: true });
    expect(check.prepare("SELECT version FROM registered_model_aliases WHERE name = ? AND alias = 'champion'").get(KC)).toEqual({ version: 2 });
    check.close();
  });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'electron/cli/main.ts'), ...args], { env: { ...process.env, RUNSIGHT_USER: 'ci' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
