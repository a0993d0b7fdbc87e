// `runsight registry …` as scripts and CI run it: a real process on temp copies, its stdout,
// stderr and exit code (0 ok, 1 failure with a message, 2 usage).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.ts';
import { copyStore, read } from './helpers.ts';

const CLI = path.join(repoRoot, 'electron/cli/main.ts');
const RFR = 'RandomForestRegressor';
const BEST_RUN = '187fc5b87fa9498db55f741927fe9ef6';
const TRAIN_RUN = 'f4a8ede7a01243d1b58838196305765d';
const CHECKPOINT = 'm-329016fe3d3a4909a010024cb692f7c5';
const LEGACY_RUN = '3d6a269ff1c745408c3445fc15293822';
const METRICS_ZOO_RUN = '5e9eac5ae3de4277a82ad6920479969a';
const SQL_TRAIN_RUN = 'd03d8170adab4dbfa12700a05950372b';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runsight(args: string[], wrap?: (argv: string[]) => string[]): Promise<Ran> {
  const argv = [process.execPath, CLI, ...args];
  const [cmd, ...rest] = wrap ? wrap(argv) : argv;
  return new Promise((resolve) => {
    const child = spawn(cmd as string, rest, { env: { ...process.env, RUNSIGHT_USER: 'ci-bot' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function copy(name: 'seed-rf' | 'kitchen-sink' | 'kitchen-sink-sqlite'): Promise<string> {
  const c = await copyStore(name);
  cleanups.push(c.cleanup);
  return c.dir;
}

describe('runsight registry', () => {
  it('register, transition, alias and list on a file store, in order, with --json', async () => {
    const dir = await copy('seed-rf');
    const reg = await runsight(['registry', 'register', dir, '--run', BEST_RUN, '--model', RFR, '--json']);
    expect(reg.code, reg.stderr).toBe(0);
    expect(JSON.parse(reg.stdout)).toMatchObject({ action: 'register', name: RFR, version: 5, createdModel: false });

    const tr = await runsight(['registry', 'transition', dir, '--model', RFR, '--version', '5', '--stage', 'production', '--archive-existing', '--comment', 'from CI']);
    expect(tr.code, tr.stderr).toBe(0);
    expect(tr.stdout).toBe('Moved RandomForestRegressor v5 from None to Production (archived v1)\n');

    const al = await runsight(['registry', 'alias', dir, '--model', RFR, '--set', 'champion', '--version', '5']);
    expect(al.code, al.stderr).toBe(0);
    expect(al.stdout).toBe('Moved alias @champion of RandomForestRegressor from v1 to v5\n');
    const del = await runsight(['registry', 'alias', dir, '--model', RFR, '--delete', 'challenger', '--json']);
    expect(del.code, del.stderr).toBe(0);
    expect(JSON.parse(del.stdout)).toMatchObject({ action: 'delete_alias', version: 3 });

    const ls = await runsight(['registry', 'list', dir, '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    const listed = JSON.parse(ls.stdout) as { models: { name: string; aliases: Record<string, number>; versions: { version: number; currentStage: string }[] }[] };
    expect(listed.models[0]?.aliases).toEqual({ champion: 5 });
    expect(listed.models[0]?.versions.map((v) => [v.version, v.currentStage])).toEqual([
      [1, 'Archived'],
      [2, 'Archived'],
      [3, 'Staging'],
      [4, 'None'],
      [5, 'Production'],
    ]);
    const human = await runsight(['registry', 'list', dir]);
    expect(human.stdout).toContain('RandomForestRegressor  (5 versions)  @champion→v5\n');
    expect(human.stdout).toMatch(/v5 +Production +run 187fc5b87fa9498db55f741927fe9ef6 +@champion/);
    // The audit trail names the CLI's user and the comment.
    expect(read(dir, 'mlruns/models', RFR, 'version-5/tags/runsight.audit')).toContain('"user":"ci-bot","action":"transition","from":"None","to":"Production","comment":"from CI"');
  });

  it('register picks among a run’s models: refuses when ambiguous, takes --model-id or --artifact-path', async () => {
    const dir = await copy('kitchen-sink');
    const ambiguous = await runsight(['registry', 'register', dir, '--run', TRAIN_RUN]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('has 2 models; choose one with --artifact-path or --model-id');
    expect(ambiguous.stderr).toContain(`--model-id ${CHECKPOINT}`);

    const byId = await runsight(['registry', 'register', dir, '--run', TRAIN_RUN, '--model-id', CHECKPOINT, '--json']);
    expect(byId.code, byId.stderr).toBe(0);
    // Without --model the model is named after the logged model.
    expect(JSON.parse(byId.stdout)).toMatchObject({ name: 'checkpoint', version: 1, createdModel: true });

    const byName = await runsight(['registry', 'register', dir, '--run', TRAIN_RUN, '--artifact-path', 'classifier', '--model', 'kitchen-classifier', '--json']);
    expect(byName.code, byName.stderr).toBe(0);
    expect(JSON.parse(byName.stdout)).toMatchObject({ name: 'kitchen-classifier', version: 6 });

    const legacy = await runsight(['registry', 'register', dir, '--run', LEGACY_RUN, '--artifact-path', 'legacy_model', '--model', 'kitchen-classifier']);
    expect(legacy.code, legacy.stderr).toBe(0);
    expect(legacy.stdout).toBe(`Registered kitchen-classifier version 7 from artifacts/legacy_model of run ${LEGACY_RUN}\n`);
  });

  it('works the same on a SQLite store (given as the project folder)', async () => {
    const dir = await copy('kitchen-sink-sqlite');
    const reg = await runsight(['registry', 'register', dir, '--run', SQL_TRAIN_RUN, '--model-id', 'm-905b60fd443e483099c0b2e8d03b0765', '--model', 'kitchen-classifier', '--json']);
    expect(reg.code, reg.stderr).toBe(0);
    expect(JSON.parse(reg.stdout)).toMatchObject({ version: 6 });
    const tr = await runsight(['registry', 'transition', path.join(dir, 'mlflow.db'), '--model', 'kitchen-classifier', '--version', '6', '--stage', 'Staging']);
    expect(tr.code, tr.stderr).toBe(0);
    const ls = await runsight(['registry', 'list', dir, '--json']);
    const models = (JSON.parse(ls.stdout) as { models: { name: string; versions: { version: number; currentStage: string }[] }[] }).models;
    expect(models.map((m) => m.name)).not.toContain('kitchen-prompt');
    expect(models.find((m) => m.name === 'kitchen-classifier')?.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 6]);
  });

  it('failures exit 1 with a clear message (and a JSON error with --json)', async () => {
    const dir = await copy('kitchen-sink');
    // None of these writes anything, so they run side by side.
    const [unknownModel, noModel, unknownRun, deletedVersion, noStore] = await Promise.all([
      runsight(['registry', 'transition', dir, '--model', 'no-such-model', '--version', '1', '--stage', 'Staging', '--json']),
      runsight(['registry', 'register', dir, '--run', METRICS_ZOO_RUN, '--model', 'x']),
      runsight(['registry', 'register', dir, '--run', 'f'.repeat(32)]),
      runsight(['registry', 'alias', dir, '--model', 'kitchen-classifier', '--set', 'x', '--version', '5']),
      runsight(['registry', 'list', path.join(repoRoot, 'electron')]),
    ]);
    expect(unknownModel.code).toBe(1);
    expect(unknownModel.stderr).toBe('runsight registry: Registered model "no-such-model" not found\n');
    expect(JSON.parse(unknownModel.stdout)).toEqual({ error: { code: 'NOT_FOUND', message: 'Registered model "no-such-model" not found' } });

    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/Run "metrics-zoo" \(5e9eac5ae3de4277a82ad6920479969a\) has no model to register/);

    expect(unknownRun.code).toBe(1);
    expect(unknownRun.stderr).toMatch(/Run f+ not found/);

    expect(deletedVersion.code).toBe(1);
    expect(deletedVersion.stderr).toContain('Model version kitchen-classifier v5 not found');

    expect(noStore.code).toBe(1);
    expect(noStore.stderr).toMatch(/No MLflow store found/);
  });

  it('wrong usage exits 2 with the registry usage', async () => {
    const dir = await copy('kitchen-sink');
    const cases = [
      ['registry'],
      ['registry', 'frobnicate', dir],
      ['registry', 'register', dir],
      ['registry', 'transition', dir, '--model', 'kitchen-classifier', '--stage', 'Staging'],
      ['registry', 'transition', dir, '--model', 'kitchen-classifier', '--version', 'two', '--stage', 'Staging'],
      ['registry', 'transition', dir, '--model', 'kitchen-classifier', '--version', '2', '--stage', 'Live'],
      ['registry', 'alias', dir, '--model', 'kitchen-classifier', '--version', '2'],
      ['registry', 'alias', dir, '--model', 'kitchen-classifier', '--set', 'a', '--delete', 'b'],
      ['registry', 'list', dir, '--bogus'],
    ];
    // Independent processes: run them side by side.
    const results = await Promise.all(cases.map((args) => runsight(args)));
    results.forEach((r, i) => {
      const label = (cases[i] as string[]).join(' ');
      expect(r.code, label).toBe(2);
      expect(r.stderr, label).toContain('Usage: runsight registry <command> <store>');
    });
    const help = await runsight(['registry', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('runsight registry <command> <store>');
  });

  // A store on a read-only mount. Tests run as root, which writes through missing write bits, so
  // the mount must really be read-only: `unshare -rm` gives the CLI process its own mount
  // namespace with a read-only bind of the copy (nothing outside that process is affected).
  // Where user namespaces are not available, a non-root run uses write bits instead; a root run
  // without namespaces cannot make a read-only store at all, and says so.
  const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;
  const isRoot = process.getuid?.() === 0;
  it.skipIf(!canUnshare && isRoot)('a read-only store exits 1 with READ_ONLY and is left untouched (needs `unshare -rm` when run as root)', async () => {
    const dir = await copy('seed-rf');
    const before = read(dir, 'mlruns/models', RFR, 'meta.yaml');
    const wrap = canUnshare
      ? (argv: string[]) => ['unshare', '-rm', 'sh', '-c', `mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"`, dir, ...argv]
      : (argv: string[]) => ['sh', '-c', `chmod -R a-w "$0" && "$@"; s=$?; chmod -R u+w "$0"; exit $s`, dir, ...argv];
    const r = await runsight(['registry', 'alias', dir, '--model', RFR, '--set', 'champion', '--version', '3', '--json'], wrap);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'READ_ONLY' } });
    expect(r.stderr).toMatch(/is (on a read-only file system|not writable for this user).*registry changes cannot be saved/);
    expect(read(dir, 'mlruns/models', RFR, 'meta.yaml')).toBe(before);
  });
});
