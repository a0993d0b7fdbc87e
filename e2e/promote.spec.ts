// Promotion from CI, seen by the open app: the app is open on a fixture copy, a CI job runs
// `runsight promote` in another process — the open registry view shows the new stage, the moved
// alias and the promotion's audit entry (gates and decision) without a reload. Browser mode, real
// engine, real CLI; the registry is also checked as a fresh engine reads it from the copy.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, openApp, repoRoot, test, type FixtureName, type RunningApp } from './harness.ts';
import { RegistryPage } from './pages/registry-page.ts';
import { registryOnDisk } from './registry-disk.ts';

const exec = promisify(execFile);

let app: RunningApp | null = null;
test.afterEach(async () => {
  await app?.stop();
  app = null;
});

/** `runsight promote …` as a pipeline step: exit code and stdout. */
async function promote(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [path.join(repoRoot, 'electron/cli/main.ts'), 'promote', ...args], {
      cwd: repoRoot,
      env: { ...process.env, RUNSIGHT_USER: 'ci-bot' },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

interface Case {
  fixture: FixtureName;
  /** What to give the CLI (the app opened the project folder). */
  store: (dir: string) => string;
  model: string;
  candidate: number;
  champion: number;
  metric: string;
}

const cases: Case[] = [
  { fixture: 'seed-rf', store: (d) => d, model: 'RandomForestRegressor', candidate: 3, champion: 1, metric: 'r2_score' },
  { fixture: 'kitchen-sink-sqlite', store: (d) => path.join(d, 'mlflow.db'), model: 'kitchen-classifier', candidate: 1, champion: 2, metric: 'test_accuracy' },
];

for (const c of cases) {
  test(`${c.fixture}: runsight promote from a child process shows up in the open registry view, audit entry included`, async ({ page, screenshotDir }) => {
    test.setTimeout(120_000);
    app = await openApp(page, c.fixture);
    const reg = new RegistryPage(page);
    await reg.open();
    await reg.openModel(c.model);
    await reg.tab('versions');
    await reg.openVersion(c.candidate);
    await expect(reg.versionRow(c.champion)).toHaveAttribute('data-aliases', /(^|,)champion(,|$)/);
    await expect(reg.versionRow(c.candidate)).not.toHaveAttribute('data-stage', 'Production');

    // A failed gate changes nothing, so nothing moves on screen.
    const failed = await promote([c.store(app.dir), '--model', c.model, '--version', String(c.candidate), '--alias', 'champion', '--require', `metrics.${c.metric} >= 1000`]);
    expect(failed.code, failed.stderr).toBe(1);

    const staged = await promote([c.store(app.dir), '--model', c.model, '--version', String(c.candidate), '--stage', 'Production', '--archive-existing', '--require', `metrics.${c.metric} > 0`]);
    expect(staged.code, staged.stderr).toBe(0);
    const aliased = await promote([
      c.store(app.dir),
      '--model',
      c.model,
      '--version',
      String(c.candidate),
      '--alias',
      'champion',
      '--against',
      '@champion',
      '--min-gain',
      `${c.metric}:max=-1`,
      '--comment',
      'nightly promotion',
    ]);
    expect(aliased.code, aliased.stderr).toBe(0);

    // No reload: the open view follows the store.
    await expect(reg.versionRow(c.candidate)).toHaveAttribute('data-stage', 'Production');
    await expect(reg.versionRow(c.champion)).toHaveAttribute('data-stage', 'Archived');
    await expect(reg.versionRow(c.candidate)).toHaveAttribute('data-aliases', /(^|,)champion(,|$)/);
    await expect(reg.versionRow(c.champion)).not.toHaveAttribute('data-aliases', /(^|,)champion(,|$)/);
    const newest = reg.auditEntries().first();
    await expect(newest).toHaveAttribute('data-action', 'promote');
    await expect(newest).toHaveAttribute('data-user', 'ci-bot');
    await expect(newest).toContainText('Promotion gate');
    await expect(newest).toContainText(`passed (applied) · against @champion (v${c.champion})`);
    await expect(newest).toContainText(`✓ --min-gain ${c.metric}:max=-1`);
    await expect(newest).toContainText('nightly promotion');
    const actions = await reg.auditEntries().evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(actions.slice(0, 4)).toEqual(['promote', 'set_alias', 'promote', 'transition']);
    await page.screenshot({ path: `${screenshotDir}/promote-${c.fixture}-live.png` });

    const disk = await registryOnDisk(app.dir, c.model);
    expect(disk.aliases.champion).toBe(c.candidate);
    expect(disk.versions.find((v) => v.version === c.candidate)?.currentStage).toBe('Production');
  });
}
