// Issue 3 acceptance: the runs table on real fixture copies, through the real engine.
import { mkdir } from 'node:fs/promises';
import { expectedRuns, fixtureInfo } from './expected.ts';
import { expect, openApp, test, type RunningApp } from './harness.ts';
import { RunsPage } from './pages/runs-page.ts';

let app: RunningApp | null = null;
test.afterEach(async () => {
  await app?.stop();
  app = null;
});
test.beforeAll(async ({ screenshotDir }) => {
  await mkdir(screenshotDir, { recursive: true });
});

test('seed-rf: 16 runs with the params and metrics MLflow reports', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  const expected = expectedRuns('seed-rf');
  await expect(runs.rows()).toHaveCount(16);
  for (const run of expected) {
    await expect(runs.cell(run.run_id, 'attributes.run_name')).toContainText(run.run_name);
    for (const [k, v] of Object.entries(run.params)) {
      await expect(runs.cell(run.run_id, `params.${k}`)).toHaveAttribute('data-value', v);
    }
    for (const [k, v] of Object.entries(run.metrics)) {
      const shown = Number(await runs.cell(run.run_id, `metrics.${k}`).getAttribute('data-value'));
      expect(shown, `${run.run_name} ${k}`).toBe(v);
    }
  }
  await runs.screenshot(screenshotDir, 'seed-rf-table');
});

test('seed-rf: sorting by r2_score descending puts the best run first', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  await runs.sortBy('metrics.r2_score', 'descending');
  const best = fixtureInfo('seed-rf').best_run_id as string;
  expect((await runs.rowIds())[0]).toBe(best);
  const r2 = expectedRuns('seed-rf')
    .sort((a, b) => Number(b.metrics.r2_score) - Number(a.metrics.r2_score))
    .map((r) => r.run_id);
  expect(await runs.rowIds()).toEqual(r2);
  await runs.screenshot(screenshotDir, 'seed-rf-sorted');
});

test('seed-rf: an MLflow filter shows exactly the matching runs; a bad filter shows an error, not an empty table', async ({
  page,
  screenshotDir,
}) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  await runs.filter("metrics.mse < 3000 and params.max_depth != 'None'");
  const want = expectedRuns('seed-rf')
    .filter((r) => Number(r.metrics.mse) < 3000 && r.params.max_depth !== 'None')
    .map((r) => r.run_id)
    .sort();
  expect(want.length).toBeGreaterThan(0);
  await expect(runs.rows()).toHaveCount(want.length);
  expect((await runs.rowIds()).sort()).toEqual(want);
  await runs.screenshot(screenshotDir, 'seed-rf-filtered');

  await runs.filter('metrics.mse <<< 3000');
  await expect(runs.filterError).toBeVisible();
  await expect(runs.filterError).toContainText(/3000|<|expected/i);
  await expect(runs.rows()).toHaveCount(want.length);
  await runs.screenshot(screenshotDir, 'seed-rf-filter-error');
});

test('kitchen-sink: nested runs, the deleted run behind the toggle, unicode and / keys, no diagnostics', async ({
  page,
  screenshotDir,
}) => {
  app = await openApp(page, 'kitchen-sink');
  const runs = new RunsPage(page);
  const info = fixtureInfo('kitchen-sink') as {
    experiments: { main: { id: string } };
    runs: Record<string, { run_id: string | string[] }>;
  };
  await runs.selectExperiment(info.experiments.main.id);
  const parent = info.runs.nested_parent?.run_id as string;
  const children = info.runs.nested_children?.run_id as string[];
  const deleted = info.runs.deleted?.run_id as string;
  // Children are collapsed under their parent until it is expanded.
  await expect(runs.row(parent)).toBeVisible();
  for (const c of children) await expect(runs.row(c)).toHaveCount(0);
  await page.getByTestId(`expand-${parent}`).click();
  for (const c of children) await expect(runs.row(c)).toHaveAttribute('data-depth', '1');
  await expect(runs.row(deleted)).toHaveCount(0);
  // Unicode and slash keys are columns like any other (the table virtualises columns too, so
  // look at them in the run panel, where every metric of the run is listed).
  const zoo = info.runs.metrics_zoo?.run_id as string;
  await runs.cell(zoo, 'attributes.run_name').click();
  const detail = page.getByTestId('run-detail');
  await expect(detail).toBeVisible();
  await expect(detail.getByTestId('metric-train/loss')).toContainText('0.01');
  await expect(detail.getByTestId('metric-学习曲线')).toContainText('0.5');
  await expect(detail.getByTestId('metric-with space: and colon')).toContainText('1.5');
  await expect(page.getByTestId('diagnostics-count')).toHaveText('0');
  await runs.screenshot(screenshotDir, 'kitchen-sink-nested');

  await runs.showDeleted(true);
  await expect(runs.row(deleted)).toBeVisible();
  await runs.screenshot(screenshotDir, 'kitchen-sink-deleted');
});

test('kitchen-sink-sqlite shows the same runs as the file store', async ({ page }) => {
  app = await openApp(page, 'kitchen-sink-sqlite');
  const runs = new RunsPage(page);
  const info = fixtureInfo('kitchen-sink-sqlite') as { experiments: { main: { id: string } } };
  await runs.selectExperiment(info.experiments.main.id);
  const active = expectedRuns('kitchen-sink-sqlite').filter(
    (r) => r.experiment_id === info.experiments.main.id && r.lifecycle_stage === 'active' && !r.tags['mlflow.parentRunId'],
  );
  await expect(runs.rows()).toHaveCount(active.length);
  for (const r of active) await expect(runs.cell(r.run_id, 'attributes.run_name')).toContainText(r.run_name);
});
