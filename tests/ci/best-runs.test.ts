// `runsight best` and `runsight runs` against what MLflow's own client reports for the fixtures
// (expected-runs.json), plus the documented edge cases: ties, missing and non-finite values,
// filters that do not parse, nothing matching, unknown experiments and unreadable stores.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/fixtures.ts';
import { loadExpected } from '../helpers/golden.ts';
import { copies, runsight } from './helpers.ts';

interface ExpRun {
  run_id: string;
  run_name: string;
  status: string;
  start_time: number;
  end_time: number | null;
  metrics: Record<string, number>;
  params: Record<string, string>;
}
const SEED = fixturePath('seed-rf');
const EXP_ID = '266606262520181169';
const seedRuns = (loadExpected('seed-rf', 'runs') as unknown as { experiments: { runs: ExpRun[] }[] }).experiments.flatMap((e) => e.runs);
const by = (key: string, dir: 1 | -1) => [...seedRuns].sort((a, b) => dir * ((a.metrics[key] as number) - (b.metrics[key] as number)));

const c = copies();
afterEach(() => c.cleanup());

/** Logs a metric into a run of a file-store copy the way MLflow does (`<ts> <value> <step>`). */
function logMetric(dir: string, runId: string, key: string, value: string): void {
  const metrics = path.join(dir, 'mlruns', EXP_ID, runId, 'metrics');
  mkdirSync(metrics, { recursive: true });
  appendFileSync(path.join(metrics, key), `1795697900000 ${value} 0\n`);
}

describe('runsight best', () => {
  it('returns the run expected-runs.json says is best by r2_score (max) and by mse (min)', async () => {
    const [r2, mse] = await Promise.all([runsight(['best', SEED, '--metric', 'r2_score', '--max']), runsight(['best', SEED, '--metric', 'metrics.mse', '--min'])]);
    const bestR2 = by('r2_score', -1);
    const bestMse = by('mse', 1);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toBe(`${bestR2[0]?.run_id}\n`);
    expect(r2.stderr).toBe('');
    expect(mse.code, mse.stderr).toBe(0);
    expect(mse.stdout).toBe(`${bestMse[0]?.run_id}\n`);

    const json = await runsight(['best', SEED, '--metric', 'r2_score', '--max', '--json', '--experiment', 'RandomForest Experiment']);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out).toMatchObject({
      runId: bestR2[0]?.run_id,
      runName: bestR2[0]?.run_name,
      experimentId: EXP_ID,
      metric: 'r2_score',
      direction: 'max',
      value: bestR2[0]?.metrics.r2_score,
      considered: 16,
      withMetric: 16,
      missing: 0,
      nonFinite: 0,
      runnerUp: { runId: bestR2[1]?.run_id, value: bestR2[1]?.metrics.r2_score },
      tie: false,
    });
    expect(out.gap).toBeCloseTo((bestR2[0]?.metrics.r2_score as number) - (bestR2[1]?.metrics.r2_score as number), 12);
    expect(out.tieRule).toMatch(/ended first wins/);
  });

  it('--filter (with OR and parentheses) and --finished-only narrow the runs that compete', async () => {
    const r = await runsight(['best', SEED, '--metric', 'r2_score', '--max', '--json', '--finished-only', '--filter', "params.max_depth = '10' OR (params.max_depth = '5' AND params.n_estimators = '10')"]);
    expect(r.code, r.stderr).toBe(0);
    const pool = seedRuns.filter((x) => x.params.max_depth === '10' || (x.params.max_depth === '5' && x.params.n_estimators === '10'));
    const best = [...pool].sort((a, b) => (b.metrics.r2_score as number) - (a.metrics.r2_score as number))[0];
    expect(JSON.parse(r.stdout)).toMatchObject({ runId: best?.run_id, considered: pool.length });
  });

  it('ties go to the run that ended first; runs without the metric are counted as missing, NaN as non-finite', async () => {
    const dir = await c.copy('seed-rf');
    const [early, late] = [...seedRuns].sort((a, b) => (a.end_time as number) - (b.end_time as number)).slice(0, 2) as [ExpRun, ExpRun];
    const third = seedRuns.find((x) => x !== early && x !== late) as ExpRun;
    const fourth = seedRuns.find((x) => x !== early && x !== late && x !== third) as ExpRun;
    // The later-ending run is logged first, so listing order would favour it.
    logMetric(dir, late.run_id, 'val_auc', '0.9');
    logMetric(dir, early.run_id, 'val_auc', '0.9');
    logMetric(dir, third.run_id, 'val_auc', '0.7');
    logMetric(dir, fourth.run_id, 'val_auc', 'NaN');
    const r = await runsight(['best', dir, '--metric', 'val_auc', '--max', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      runId: early.run_id,
      value: 0.9,
      considered: 16,
      withMetric: 4,
      missing: 12,
      nonFinite: 1,
      runnerUp: { runId: late.run_id, value: 0.9 },
      gap: 0,
      tie: true,
    });
    const min = await runsight(['best', dir, '--metric', 'val_auc', '--min']);
    expect(min.stdout).toBe(`${third.run_id}\n`);
  });

  it('a metric nobody logged exits 3 and lists the metrics that exist; nothing on stdout', async () => {
    const r = await runsight(['best', SEED, '--metric', 'val_auc', '--max']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('None of the 16 runs considered logged metric "val_auc"');
    expect(r.stderr).toMatch(/\n {2}mse\n {2}r2_score\n/);
    const json = await runsight(['best', SEED, '--metric', 'val_auc', '--max', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { exitCode: 3 } });
  });

  it('bad input: a filter that does not parse (2, with the position), no run matching (3), unknown experiment (3), no store (4), usage (2)', async () => {
    const [parse, none, exp, nostore, usage, both] = await Promise.all([
      runsight(['best', SEED, '--metric', 'mse', '--min', '--filter', 'metrics.mse >> 3']),
      runsight(['best', SEED, '--metric', 'mse', '--min', '--filter', 'metrics.mse < 0']),
      runsight(['best', SEED, '--metric', 'mse', '--min', '--experiment', 'nope']),
      runsight(['best', path.join(SEED, 'mlruns', EXP_ID, 'no-such-folder'), '--metric', 'mse', '--min']),
      runsight(['best', SEED, '--metric', 'mse']),
      runsight(['best', SEED, '--metric', 'mse', '--min', '--max']),
    ]);
    expect(parse.code).toBe(2);
    expect(parse.stderr).toContain('invalid --filter');
    expect(parse.stderr).toContain('  metrics.mse >> 3\n               ^');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('No run matches --filter "metrics.mse < 0"');
    expect(exp.code).toBe(3);
    expect(exp.stderr).toContain('No experiment named "nope"');
    expect(exp.stderr).toContain('RandomForest Experiment (266606262520181169)');
    expect(nostore.code).toBe(4);
    expect(nostore.stderr).toContain('No MLflow store found');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Give --max (higher is better) or --min');
    expect(usage.stderr).toContain('Usage: runsight best');
    expect(both.code).toBe(2);
    for (const r of [parse, none, exp, nostore, usage, both]) expect(r.stdout).toBe('');
  });

  it('a SQLite store of an unknown schema revision exits 4', async () => {
    const dir = await c.copy('kitchen-sink-sqlite');
    const db = new DatabaseSync(path.join(dir, 'mlflow.db'));
    db.exec("UPDATE alembic_version SET version_num = 'ffffffffffff'");
    db.close();
    const r = await runsight(['best', dir, '--metric', 'loss', '--min']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('schema revision ffffffffffff, which Runsight does not know');
  });

  it('--help documents the tie rule and the exit codes', async () => {
    const r = await runsight(['best', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Tie rule: equal values: the run that ended first wins');
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n(.*\n)? {2}4 /);
  });
});

describe('runsight runs', () => {
  it('--format json: filter with OR / parentheses, order-by, max-results, as MLflow orders them', async () => {
    const r = await runsight(['runs', SEED, '--format', 'json', '--filter', "params.max_depth = '3' OR (params.max_depth = '5' AND metrics.r2_score > 0.45)", '--order-by', 'metrics.mse ASC', '--max-results', '4']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { total: number; runs: { runId: string; metrics: Record<string, number>; params: Record<string, string> }[] };
    const pool = seedRuns.filter((x) => x.params.max_depth === '3' || (x.params.max_depth === '5' && (x.metrics.r2_score as number) > 0.45));
    expect(out.total).toBe(pool.length);
    expect(out.runs.map((x) => x.runId)).toEqual([...pool].sort((a, b) => (a.metrics.mse as number) - (b.metrics.mse as number)).slice(0, 4).map((x) => x.run_id));
    const first = seedRuns.find((x) => x.run_id === out.runs[0]?.runId) as ExpRun;
    expect(out.runs[0]?.metrics).toEqual(first.metrics);
    expect(out.runs[0]?.params).toEqual(first.params);
  });

  it('JSON is the default off a terminal; --columns with csv and table formats', async () => {
    const dflt = await runsight(['runs', SEED, '--max-results', '2']);
    expect(JSON.parse(dflt.stdout).runs).toHaveLength(2);
    const csv = await runsight(['runs', SEED, '--format', 'csv', '--columns', 'run_id,metrics.r2_score', '--columns', 'params.max_depth', '--order-by', 'metrics.r2_score DESC']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe('run_id,metrics.r2_score,params.max_depth');
    const top = by('r2_score', -1)[0] as ExpRun;
    expect(lines[1]).toBe(`${top.run_id},${top.metrics.r2_score},${top.params.max_depth}`);
    expect(lines).toHaveLength(18);
    const json = await runsight(['runs', SEED, '--format', 'json', '--columns', 'run_name,metrics.mse', '--max-results', '1', '--order-by', 'metrics.mse']);
    const best = by('mse', 1)[0] as ExpRun;
    expect(JSON.parse(json.stdout).runs).toEqual([{ run_name: best.run_name, 'metrics.mse': best.metrics.mse }]);
    const table = await runsight(['runs', SEED, '--format', 'table', '--columns', 'run_name,metrics.mse', '--order-by', 'metrics.mse', '--max-results', '3']);
    expect(table.stdout.split('\n')[0]).toMatch(/^run_name\s+metrics\.mse$/);
    expect(table.stdout).toContain('3 of 16 runs');
  });

  it('works on a SQLite store, and reports a bad order-by or column as usage (2)', async () => {
    const db = path.join(fixturePath('kitchen-sink-sqlite'), 'mlflow.db');
    const r = await runsight(['runs', db, '--format', 'json', '--filter', "status = 'FAILED' OR status = 'KILLED'"]);
    expect(r.code, r.stderr).toBe(0);
    const statuses = (JSON.parse(r.stdout) as { runs: { status: string }[] }).runs.map((x) => x.status).sort();
    expect(statuses).toEqual(['FAILED', 'KILLED']);
    const [order, col] = await Promise.all([runsight(['runs', db, '--order-by', 'metrics.loss SIDEWAYS']), runsight(['runs', db, '--columns', 'bogus'])]);
    expect(order.code).toBe(2);
    expect(order.stderr).toContain('invalid --order-by');
    expect(col.code).toBe(2);
    expect(col.stderr).toContain('Unknown column "bogus"');
  });
});

