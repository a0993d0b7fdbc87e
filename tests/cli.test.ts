// The `runsight` CLI as a user runs it: a real process, its stdout, stderr and exit code.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffJson, loadExpected, normaliseActual } from './helpers/golden.ts';
import { fixturePath, fixturesDir, repoRoot } from './helpers/fixtures.ts';

function runsight(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'electron/cli/main.ts'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('runsight CLI', () => {
  it('dump prints the store in exactly the shape of expected-runs.json, -0.0 included', () => {
    const r = runsight('dump', fixturePath('kitchen-sink'), '--json');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"weird/neg_zero": -0.0');
    expect(diffJson(loadExpected('kitchen-sink', 'runs'), normaliseActual(JSON.parse(r.stdout), 'runs'))).toEqual([]);
  });

  it('dump --registry prints the registry in the shape of expected-registry.json', () => {
    const r = runsight('dump', path.join(fixturePath('kitchen-sink-sqlite'), 'mlflow.db'), '--registry');
    expect(r.code).toBe(0);
    expect(diffJson(loadExpected('kitchen-sink-sqlite', 'registry'), normaliseActual(JSON.parse(r.stdout), 'registry'))).toEqual([]);
  });

  it('inspect lists every store of a folder with experiments and run counts', () => {
    const r = runsight('inspect', fixturesDir, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { stores: { kind: string; path: string; experiments: { name: string; runs: { active: number } }[] }[]; diagnostics: unknown[] };
    expect(out.stores.map((s) => [s.kind, path.basename(path.dirname(s.path))]).sort()).toEqual([
      ['file', 'kitchen-sink'],
      ['file', 'seed-rf'],
      ['sqlite', 'kitchen-sink-sqlite'],
    ]);
    const seed = out.stores.find((s) => s.path.includes('seed-rf'));
    expect(seed?.experiments.find((e) => e.name === 'RandomForest Experiment')?.runs.active).toBe(16);
    expect(out.diagnostics).toEqual([]);
    const human = runsight('inspect', fixturePath('seed-rf'));
    expect(human.stdout).toMatch(/RandomForest Experiment\s+—\s+16 runs/);
  });

  it('fails with a clear message and exit 1 when a folder holds several stores or none', () => {
    const several = runsight('dump', fixturesDir);
    expect(several.code).toBe(1);
    expect(several.stderr).toMatch(/3 stores found/);
    const none = runsight('dump', path.join(repoRoot, 'electron'));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/No MLflow store found/);
  });

  it('exits 2 with usage on a wrong command or option', () => {
    expect(runsight('frobnicate').code).toBe(2);
    const bad = runsight('inspect', '.', '--nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Usage: runsight/);
  });
});
