// `runsight promote` as a CI job runs it, on temp copies of the fixtures: gates on logged metrics,
// gains over the incumbent, dry-run, JSON (checked against a schema), the Markdown report, the
// review flow, the audit trail, and every write read back with `runsight dump --registry` against
// what MLflow reported for the fixture (file store and SQLite). A failed gate, a dry run, a locked
// or read-only store leave the store byte-identical.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { diffJson, loadExpected, normaliseActual } from '../helpers/golden.ts';
import { copies, expectedRegistry, runsight, snapshotTree, type DumpRegistry, type DumpVersion } from './helpers.ts';

const RFR = 'RandomForestRegressor';
const KC = 'kitchen-classifier';
const EXP_ID = '266606262520181169';

interface ExpRun {
  run_id: string;
  run_name: string;
  end_time: number;
  metrics: Record<string, number>;
}
const seedRuns = (loadExpected('seed-rf', 'runs') as unknown as { experiments: { runs: ExpRun[] }[] }).experiments.flatMap((e) => e.runs);
const seedRegistry = loadExpected('seed-rf', 'registry') as unknown as DumpRegistry;
const sqliteRegistry = loadExpected('kitchen-sink-sqlite', 'registry') as unknown as DumpRegistry;
const versionRun = (reg: DumpRegistry, model: string, v: number) => reg.registered_models.find((m) => m.name === model)?.versions.find((x) => x.version === v)?.run_id as string;
const metric = (runId: string, key: string) => seedRuns.find((r) => r.run_id === runId)?.metrics[key] as number;

// The decision as --json prints it: the contract a pipeline parses.
const num = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).nullable();
const Decision = z
  .object({
    decision: z.enum(['passed', 'failed']),
    applied: z.boolean(),
    dryRun: z.boolean(),
    requestedApproval: z.boolean(),
    store: z.string(),
    model: z.string(),
    candidate: z.object({ version: z.number().int().positive().nullable(), registered: z.boolean(), runId: z.string(), runName: z.string(), status: z.string() }).strict(),
    target: z.object({ stage: z.enum(['None', 'Staging', 'Production', 'Archived']).nullable(), archiveExisting: z.boolean(), alias: z.string().nullable() }).strict(),
    against: z.object({ ref: z.string(), version: z.number().int(), runId: z.string().nullable() }).strict().nullable(),
    gates: z.array(
      z
        .object({
          kind: z.enum(['require', 'min-gain', 'min-rel-gain']),
          gate: z.string(),
          metric: z.string(),
          direction: z.enum(['max', 'min']).nullable(),
          op: z.string(),
          observed: num,
          candidate: num,
          incumbent: num,
          threshold: z.number(),
          passed: z.boolean(),
          reason: z.string().nullable(),
        })
        .strict(),
    ),
    changes: z.array(z.string()),
    actor: z.string(),
    summary: z.string().nullable(),
    recorded: z.boolean(),
    error: z.object({ exitCode: z.number(), message: z.string() }).strict().optional(),
  })
  .strict();
type Decision = z.infer<typeof Decision>;
const decision = (stdout: string): Decision => Decision.parse(JSON.parse(stdout));

const c = copies();
afterEach(() => c.cleanup());

async function dumpRegistry(store: string): Promise<DumpRegistry> {
  const r = await runsight(['dump', store, '--registry']);
  expect(r.code, r.stderr).toBe(0);
  return normaliseActual(JSON.parse(r.stdout), 'registry') as unknown as DumpRegistry;
}

function auditOf(reg: DumpRegistry, model: string, version: number) {
  const v = reg.registered_models.find((m) => m.name === model)?.versions.find((x) => x.version === version) as DumpVersion;
  return (JSON.parse(v.tags['runsight.audit'] as string) as { entries: Record<string, unknown>[] }).entries;
}

describe('runsight promote on a file store', () => {
  it('--require: an impossible threshold exits 1 and leaves the store byte-identical; a true one moves the alias', async () => {
    const dir = await c.copy('seed-rf');
    const before = snapshotTree(dir);
    const fail = await runsight(['promote', dir, '--model', RFR, '--version', '3', '--alias', 'champion', '--require', 'metrics.r2_score >= 0.99', '--json']);
    expect(fail.code, fail.stderr).toBe(1);
    const d = decision(fail.stdout);
    expect(d).toMatchObject({ decision: 'failed', applied: false, recorded: false, changes: [] });
    expect(d.gates).toEqual([
      expect.objectContaining({ kind: 'require', metric: 'r2_score', op: '>=', threshold: 0.99, observed: metric(versionRun(seedRegistry, RFR, 3), 'r2_score'), passed: false }),
    ]);
    expect(fail.stderr).toContain('gate failed: metrics.r2_score >= 0.99; nothing was written');
    expect(snapshotTree(dir)).toEqual(before);

    const pass = await runsight(['promote', dir, '--model', RFR, '--version', '3', '--alias', 'champion', '--require', 'metrics.r2_score >= 0.4', '--require', 'metrics.mse < 3000', '--actor', 'release-bot', '--json']);
    expect(pass.code, pass.stderr).toBe(0);
    expect(decision(pass.stdout)).toMatchObject({ decision: 'passed', applied: true, recorded: true, actor: 'release-bot', candidate: { version: 3 } });
    const after = await dumpRegistry(dir);
    const exp = expectedRegistry(seedRegistry, after, RFR, [1, 3], (m) => {
      m.aliases = { ...m.aliases, champion: 3 };
    });
    expect(diffJson(exp as never, after as never)).toEqual([]);
    const entry = auditOf(after, RFR, 3).at(-1);
    expect(entry).toMatchObject({
      user: 'release-bot',
      action: 'promote',
      alias: 'champion',
      decision: 'passed',
      outcome: 'applied',
      gates: [
        { gate: 'metrics.r2_score >= 0.4', passed: true, threshold: 0.4 },
        { gate: 'metrics.mse < 3000', passed: true, threshold: 3000 },
      ],
    });
    expect(auditOf(after, RFR, 1).at(-1)).toMatchObject({ action: 'move_alias', alias: 'champion', otherVersion: 3 });
  });

  it('--against @champion --min-gain / --min-rel-gain pass and fail as the numbers say', async () => {
    const dir = await c.copy('seed-rf');
    // v1 (the champion, best run) against v2 (the baseline): r2 higher, mse lower.
    const r2Gain = metric(versionRun(seedRegistry, RFR, 1), 'r2_score') - metric(versionRun(seedRegistry, RFR, 2), 'r2_score');
    const mseBase = metric(versionRun(seedRegistry, RFR, 2), 'mse');
    const mseRel = (mseBase - metric(versionRun(seedRegistry, RFR, 1), 'mse')) / mseBase;
    expect(r2Gain).toBeGreaterThan(0);
    const gate = (r2: number, relPercent: number) =>
      runsight(['promote', dir, '--model', RFR, '--version', '1', '--stage', 'Staging', '--against', '2', '--min-gain', `r2_score:max=${r2}`, '--min-rel-gain', `mse:min=${relPercent}%`, '--dry-run', '--json']);
    const [ok, r2Short, relShort] = await Promise.all([gate(r2Gain * 0.99, mseRel * 99), gate(r2Gain * 1.01, mseRel * 99), gate(r2Gain * 0.99, mseRel * 101)]);
    expect(ok.code, ok.stderr).toBe(0);
    const d = decision(ok.stdout);
    expect(d.gates.map((g) => [g.kind, g.passed])).toEqual([
      ['min-gain', true],
      ['min-rel-gain', true],
    ]);
    expect(d.gates[0]?.observed).toBeCloseTo(r2Gain, 12);
    expect(d.gates[1]?.observed).toBeCloseTo(mseRel, 12);
    expect(d.against).toEqual({ ref: '2', version: 2, runId: versionRun(seedRegistry, RFR, 2) });
    expect(r2Short.code).toBe(1);
    expect(decision(r2Short.stdout).gates.map((g) => g.passed)).toEqual([false, true]);
    expect(relShort.code).toBe(1);
    expect(decision(relShort.stdout).gates.map((g) => g.passed)).toEqual([true, false]);

    // The challenger (v3) is worse than @champion (v1): no gain, exit 1, nothing written.
    const before = snapshotTree(dir);
    const worse = await runsight(['promote', dir, '--model', RFR, '--version', '3', '--stage', 'Production', '--archive-existing', '--against', '@champion', '--min-gain', 'r2_score=0', '--max']);
    expect(worse.code).toBe(1);
    expect(worse.stdout).toMatch(/FAIL {2}--min-gain r2_score=0: gain -/);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('--dry-run prints exactly what would change and writes nothing; the same run applies it', async () => {
    const dir = await c.copy('seed-rf');
    const before = snapshotTree(dir);
    const args = ['promote', dir, '--model', RFR, '--version', '3', '--stage', 'Production', '--archive-existing', '--require', 'metrics.r2_score > 0.4'];
    const dry = await runsight([...args, '--dry-run', '--json', '--report', path.join(dir, '..', 'dry.md')]);
    expect(dry.code, dry.stderr).toBe(0);
    const d = decision(dry.stdout);
    expect(d).toMatchObject({ decision: 'passed', dryRun: true, applied: false, recorded: false });
    expect(d.changes).toEqual([
      'move RandomForestRegressor v3 from Staging to Production',
      'archive RandomForestRegressor v1 (was Production)',
      'append the decision to the audit trail of RandomForestRegressor v3 (tag runsight.audit)',
    ]);
    expect(snapshotTree(dir)).toEqual(before);
    expect(readFileSync(path.join(dir, '..', 'dry.md'), 'utf8')).toContain('**Would change (dry run):**');

    const real = await runsight([...args, '--report', path.join(dir, '..', 'real.md')]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain('Decision: passed — applied');
    const md = readFileSync(path.join(dir, '..', 'real.md'), 'utf8');
    expect(md).toContain('### Runsight promotion gate: passed ✅ — `RandomForestRegressor`');
    expect(md).toMatch(/\| `metrics\.r2_score > 0\.4` \| 0\.469104 \| {2}\| 0\.469104 \| > 0\.4 \| ✅ pass \|/);
    const after = await dumpRegistry(dir);
    const exp = expectedRegistry(seedRegistry, after, RFR, [1, 3], (m) => {
      for (const v of m.versions) if (v.version === 1) v.current_stage = 'Archived';
      for (const v of m.versions) if (v.version === 3) v.current_stage = 'Production';
    });
    expect(diffJson(exp as never, after as never)).toEqual([]);
    expect(auditOf(after, RFR, 3).map((e) => e.action).slice(-2)).toEqual(['transition', 'promote']);
    expect(auditOf(after, RFR, 1).at(-1)).toMatchObject({ action: 'transition', from: 'Production', to: 'Archived', otherVersion: 3 });
  });

  it('--best registers the best unregistered run as a new version and promotes it; --run of a run that is not FINISHED exits 3', async () => {
    const dir = await c.copy('seed-rf');
    const registered = new Set(seedRegistry.registered_models[0]?.versions.map((v) => v.run_id));
    const pool = seedRuns.filter((r) => !registered.has(r.run_id)).sort((a, b) => (b.metrics.r2_score as number) - (a.metrics.r2_score as number));
    const best = pool[0] as ExpRun;
    const filter = `attributes.run_id IN (${pool.map((r) => `'${r.run_id}'`).join(', ')})`;
    const r = await runsight(['promote', dir, '--model', RFR, '--best', 'r2_score', '--max', '--filter', filter, '--stage', 'Staging', '--against', 'Production', '--min-gain', 'mse:min=-1000', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = decision(r.stdout);
    expect(d).toMatchObject({ decision: 'passed', applied: true, candidate: { runId: best.run_id, version: 5, registered: false } });
    expect(d.changes[0]).toMatch(/^register logged model "random_forest_model" \(m-[0-9a-f]+\) of run [0-9a-f]+ as RandomForestRegressor v5$/);
    const after = await dumpRegistry(dir);
    const v5 = after.registered_models[0]?.versions.find((v) => v.version === 5) as DumpVersion;
    expect(v5).toMatchObject({ current_stage: 'Staging', run_id: best.run_id, status: 'READY', source: expect.stringMatching(/^models:\/m-/) });
    const exp = expectedRegistry(seedRegistry, after, RFR, [5], (m) => {
      m.versions.push(structuredClone(v5));
    });
    expect(diffJson(exp as never, after as never)).toEqual([]);
    expect(auditOf(after, RFR, 5).map((e) => e.action)).toEqual(['register', 'transition', 'promote']);

    // A run still RUNNING is not a candidate (unless --allow-unfinished).
    const other = pool[1] as ExpRun;
    const meta = path.join(dir, 'mlruns', EXP_ID, other.run_id, 'meta.yaml');
    writeFileSync(meta, readFileSync(meta, 'utf8').replace('status: 3', 'status: 1'));
    const running = await runsight(['promote', dir, '--model', RFR, '--run', other.run_id, '--alias', 'candidate']);
    expect(running.code).toBe(3);
    expect(running.stderr).toContain('is RUNNING, not FINISHED');
    const allowed = await runsight(['promote', dir, '--model', RFR, '--run', other.run_id, '--alias', 'candidate', '--allow-unfinished', '--json']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(decision(allowed.stdout).candidate).toMatchObject({ version: 6, status: 'RUNNING' });
  });

  it('--require-approval requests the transition through the review flow; --audit-failures records a failed decision only', async () => {
    const dir = await c.copy('seed-rf');
    const r = await runsight(['promote', dir, '--model', RFR, '--version', '4', '--stage', 'Production', '--require-approval', '--require', 'metrics.r2_score > 0', '--comment', 'nightly']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Decision: passed — transition requested for review');
    const after = await dumpRegistry(dir);
    const v4 = after.registered_models[0]?.versions.find((v) => v.version === 4) as DumpVersion;
    expect(v4.current_stage).toBe('None');
    expect(JSON.parse(v4.tags['runsight.review'] as string).requests).toEqual([
      expect.objectContaining({ id: 1, stage: 'Production', status: 'pending', requestedBy: 'ci-bot', comment: 'nightly' }),
    ]);
    expect(auditOf(after, RFR, 4).slice(-1)[0]).toMatchObject({ action: 'promote', outcome: 'requested', decision: 'passed' });

    const failed = await runsight(['promote', dir, '--model', RFR, '--version', '2', '--alias', 'champion', '--require', 'metrics.r2_score > 0.9', '--audit-failures']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('decision recorded in the audit trail');
    const again = await dumpRegistry(dir);
    const exp = expectedRegistry(after, again, RFR, [2], () => {});
    expect(diffJson(exp as never, again as never)).toEqual([]);
    expect(auditOf(again, RFR, 2).at(-1)).toMatchObject({ action: 'promote', decision: 'failed', outcome: 'not_applied', gates: [{ passed: false }] });
  });

  it('bad input: unknown model, version or alias (3), unknown stage, a --require that does not parse, missing direction (2)', async () => {
    const dir = await c.copy('seed-rf');
    const before = snapshotTree(dir);
    const [model, version, alias, stage, req, dir2, none] = await Promise.all([
      runsight(['promote', dir, '--model', 'Nope', '--version', '1', '--alias', 'champion']),
      runsight(['promote', dir, '--model', RFR, '--version', '9', '--alias', 'champion']),
      runsight(['promote', dir, '--model', RFR, '--version', '3', '--alias', 'champion', '--against', '@gold', '--min-gain', 'r2_score:max=0']),
      runsight(['promote', dir, '--model', RFR, '--version', '3', '--stage', 'Live']),
      runsight(['promote', dir, '--model', RFR, '--version', '3', '--alias', 'champion', '--require', 'metrics.r2_score >= ']),
      runsight(['promote', dir, '--model', RFR, '--version', '3', '--alias', 'champion', '--against', '@champion', '--min-gain', 'r2_score=0.1']),
      runsight(['promote', dir, '--model', RFR, '--alias', 'champion']),
    ]);
    expect([model.code, version.code, alias.code]).toEqual([3, 3, 3]);
    expect(model.stderr).toContain('Registered model "Nope" not found');
    expect(version.stderr).toContain('RandomForestRegressor has no version 9; its versions: v1, v2, v3, v4');
    expect(alias.stderr).toContain('has no alias @gold; its aliases: @challenger, @champion');
    expect([stage.code, req.code, dir2.code, none.code]).toEqual([2, 2, 2, 2]);
    expect(stage.stderr).toContain('Invalid --stage "Live"');
    expect(req.stderr).toContain('invalid --require');
    expect(req.stderr).toMatch(/\n {2}metrics\.r2_score >= \n {2}\s+\^/);
    expect(dir2.stderr).toContain('is higher or lower better?');
    expect(none.stderr).toContain('Give exactly one candidate');
    expect(snapshotTree(dir)).toEqual(before);
    const help = await runsight(['promote', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
  });

  // A store on a read-only mount. Tests run as root, which writes through missing write bits, so
  // the mount must really be read-only: `unshare -rm` gives the CLI its own mount namespace with a
  // read-only bind of the copy (as tests/registry/cli.test.ts does).
  const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;
  const isRoot = process.getuid?.() === 0;
  it.skipIf(!canUnshare && isRoot)('a read-only store exits 4 and nothing is half-written', async () => {
    const dir = await c.copy('seed-rf');
    const before = snapshotTree(dir);
    const wrap = canUnshare
      ? (argv: string[]) => ['unshare', '-rm', 'sh', '-c', `mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"`, dir, ...argv]
      : (argv: string[]) => ['sh', '-c', `chmod -R a-w "$0" && "$@"; s=$?; chmod -R u+w "$0"; exit $s`, dir, ...argv];
    const r = await runsight(['promote', dir, '--model', RFR, '--best', 'r2_score', '--max', '--filter', "params.max_depth = '10'", '--alias', 'champion', '--json'], { wrap });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/read-only|not writable/);
    expect(decision(r.stdout)).toMatchObject({ decision: 'passed', applied: false, recorded: false, error: { exitCode: 4 } });
    expect(snapshotTree(dir)).toEqual(before);
  });
});

describe('runsight promote on a SQLite store', () => {
  it('passes and moves @champion, read back as MLflow reported the store; a failed gate leaves mlflow.db byte-identical', async () => {
    const dir = await c.copy('kitchen-sink-sqlite');
    const db = path.join(dir, 'mlflow.db');
    const bytes = readFileSync(db);
    const fail = await runsight(['promote', dir, '--model', KC, '--version', '1', '--alias', 'champion', '--require', 'metrics.test_accuracy >= 0.99']);
    expect(fail.code).toBe(1);
    expect(readFileSync(db).equals(bytes)).toBe(true);

    const pass = await runsight(['promote', db, '--model', KC, '--version', '1', '--alias', 'champion', '--require', 'metrics.test_accuracy >= 0.95', '--against', '@champion', '--min-gain', 'test_accuracy:max=0', '--json']);
    expect(pass.code, pass.stderr).toBe(0);
    expect(decision(pass.stdout)).toMatchObject({ decision: 'passed', applied: true, against: { ref: '@champion', version: 2 } });
    const after = await dumpRegistry(db);
    const exp = expectedRegistry(sqliteRegistry, after, KC, [1, 2], (m) => {
      m.aliases = { ...m.aliases, champion: 1 };
    });
    expect(diffJson(exp as never, after as never)).toEqual([]);
    expect(auditOf(after, KC, 1).at(-1)).toMatchObject({ action: 'promote', against: '@champion (v2)', decision: 'passed' });
  });

  it('a database locked by another writer: BEGIN IMMEDIATE waits the busy timeout, then exit 4 with nothing written', async () => {
    const dir = await c.copy('kitchen-sink-sqlite');
    const db = path.join(dir, 'mlflow.db');
    const bytes = readFileSync(db);
    // Another process (training, say) holds the write lock until told to stop.
    const holder = spawn(process.execPath, ['-e', `const { DatabaseSync } = require('node:sqlite'); const db = new DatabaseSync(process.argv[1]); db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n'); process.stdin.on('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });`, db]);
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    try {
      const r = await runsight(['promote', db, '--model', KC, '--version', '3', '--stage', 'Production', '--busy-timeout', '300']);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toContain('mlflow.db is locked by another writer (waited 0.3 s); nothing was changed');
    } finally {
      holder.stdin.write('stop\n');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    expect(readFileSync(db).equals(bytes)).toBe(true);
  });
});
