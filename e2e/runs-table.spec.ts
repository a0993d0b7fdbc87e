// The runs table on real fixture copies, through the real engine, as a user drives it.
import { appendFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expectedRuns, fixtureInfo, type ExpectedRun } from './expected.ts';
import { expect, openApp, test, type RunningApp } from './harness.ts';
import { ComparePage } from './pages/compare-page.ts';
import { RunsPage } from './pages/runs-page.ts';

const RF_EXP = '266606262520181169';

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

test('seed-rf grouped by max_depth in place: group rows with engine aggregates, expand, select, min, Groups tab, live update, reload', async ({
  page,
  screenshotDir,
}) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  const cmp = new ComparePage(page);
  const all = expectedRuns('seed-rf').filter((r) => r.experiment_id === RF_EXP) as (ExpectedRun & { start_time: number })[];
  const of = (depth: string) => all.filter((r) => r.params.max_depth === depth);
  const mse = (r: ExpectedRun) => Number(r.metrics.mse);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const shown = async (label: string, key: string) => Number(await runs.groupAggregate(label, key).getAttribute('data-value'));

  await runs.groupBy('params.max_depth');
  // Four group rows, in value order (numbers numerically, then None), four runs each; collapsed.
  await expect(runs.groupRows()).toHaveCount(4);
  expect(await runs.groupLabels()).toEqual(['3', '5', '10', 'None']);
  for (const v of ['3', '5', '10', 'None']) {
    await expect(runs.groupRow(v)).toHaveAttribute('data-count', '4');
    await expect(runs.groupAggregate(v, 'metrics.mse')).toHaveAttribute('data-aggregate', 'mean');
    // The engine's compensated mean equals the plain mean of the four values to the last bits or so.
    expect(await shown(v, 'metrics.mse')).toBeCloseTo(mean(of(v).map(mse)), 9);
    expect(await shown(v, 'metrics.r2_score')).toBeCloseTo(mean(of(v).map((r) => Number(r.metrics.r2_score))), 12);
  }
  await expect(runs.rows()).toHaveCount(0);
  await expect(page.getByTestId('run-count')).toHaveAttribute('data-count', '16');

  // Expanding one group shows its four runs, in the table's order (newest first), under its row.
  await page.getByTestId('group-toggle-5').click();
  await expect(runs.groupRow('5')).toHaveAttribute('data-expanded', 'true');
  const five = of('5')
    .sort((a, b) => b.start_time - a.start_time)
    .map((r) => r.run_id);
  await expect(runs.rows()).toHaveCount(4);
  expect(await runs.rowIds()).toEqual(five);
  for (const id of five) await expect(runs.cell(id, 'params.max_depth')).toHaveAttribute('data-value', '5');
  const headerTop = await runs.groupRow('5').evaluate((el) => el.getBoundingClientRect().top);
  const firstRunTop = await runs.row(five[0]!).evaluate((el) => el.getBoundingClientRect().top);
  const nextHeaderTop = await runs.groupRow('10').evaluate((el) => el.getBoundingClientRect().top);
  expect(firstRunTop).toBeGreaterThan(headerTop);
  expect(nextHeaderTop).toBeGreaterThan(firstRunTop);

  // Clicking a group row (not its chevron) selects its runs; the compare views follow.
  await runs.groupRow('10').locator('.group-count').click();
  await expect(page.getByTestId('run-count')).toContainText('4 selected');
  await expect(runs.groupRow('10')).toHaveAttribute('data-selected', 'true');
  await expect(runs.groupRow('5')).toHaveAttribute('data-selected', 'false');
  await cmp.open('diff');
  await expect.poll(async () => ((await cmp.state()).diff?.runIds ?? []).slice().sort()).toEqual(of('10').map((r) => r.run_id).sort());
  await page.getByTestId('group-toggle-10').click();
  for (const r of of('10')) await expect(runs.row(r.run_id)).toHaveAttribute('data-selected', 'true');
  for (const id of five) await expect(runs.row(id)).toHaveAttribute('data-selected', 'false');
  await page.getByTestId('group-toggle-10').click();
  await expect(runs.rows()).toHaveCount(4);

  // min instead of mean.
  await page.getByTestId('table-group-aggregate-min').click();
  for (const v of ['3', '5', '10', 'None']) {
    await expect(runs.groupAggregate(v, 'metrics.mse')).toHaveAttribute('data-aggregate', 'min');
    await expect(runs.groupAggregate(v, 'metrics.mse')).toHaveAttribute('data-value', String(Math.min(...of(v).map(mse))));
  }
  // Sorting by a metric orders the groups by its aggregate (min mse: 2774, 2860, 2952, 2974).
  await runs.sortBy('metrics.mse', 'ascending');
  await expect.poll(() => runs.groupLabels()).toEqual(['3', '5', 'None', '10']);
  expect(await runs.rowIds()).toEqual(of('5').map((r) => r.run_id).sort((a, b) => mse(all.find((r) => r.run_id === a)!) - mse(all.find((r) => r.run_id === b)!)));

  // The compare panel's Groups tab shows the same grouping (one shared setting).
  await cmp.tab('groups');
  await expect(page.getByTestId('group-by')).toHaveValue('params.max_depth');
  for (const v of ['3', '5', '10', 'None']) await expect(page.getByTestId(`group-${v}`)).toHaveAttribute('data-count', '4');
  const tab = Number(await page.getByTestId('group-3').locator('.agg-mean').first().getAttribute('data-value'));
  await page.getByTestId('table-group-aggregate-mean').click();
  await expect(runs.groupAggregate('3', 'metrics.mse')).toHaveAttribute('data-aggregate', 'mean');
  expect(await shown('3', 'metrics.mse')).toBeCloseTo(tab, 9);
  await runs.screenshot(screenshotDir, 'runs-grouped');
  await page.emulateMedia({ colorScheme: 'dark' });
  await runs.screenshot(screenshotDir, 'runs-grouped-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // Live: a new mse line for a run of the expanded group changes its aggregate in place; the
  // expansion and the other rows stay.
  const target = of('5')[0]!;
  const generation = await runs.generation();
  await appendFile(path.join(app.dir, 'mlruns', RF_EXP, target.run_id, 'metrics', 'mse'), `${Date.now()} 1000 99\n`);
  const updated = mean(of('5').map((r) => (r.run_id === target.run_id ? 1000 : mse(r))));
  await expect.poll(() => shown('5', 'metrics.mse')).toBeCloseTo(updated, 9);
  await expect(runs.cell(target.run_id, 'metrics.mse')).toHaveAttribute('data-value', '1000');
  await expect(runs.groupRow('5')).toHaveAttribute('data-expanded', 'true');
  await expect(runs.rows()).toHaveCount(4);
  expect(await runs.generation()).toBeGreaterThan(generation);

  // A reload keeps the grouping and the aggregate (persisted per experiment selection).
  await page.reload();
  await runs.waitIdle();
  await expect(runs.table).toHaveAttribute('data-grouped-by', 'params.max_depth');
  await expect(runs.groupRows()).toHaveCount(4);
  await expect(page.getByTestId('table-group-by')).toHaveValue('params.max_depth');
  await expect(page.getByTestId('table-group-aggregate')).toHaveAttribute('data-value', 'mean');

  // No grouping: the flat table again.
  await runs.groupBy(null);
  await expect(runs.rows()).toHaveCount(16);
});

test('kitchen-sink grouped by a param most runs lack: the "(no value)" group comes last', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'kitchen-sink');
  const runs = new RunsPage(page);
  const info = fixtureInfo('kitchen-sink') as { experiments: { main: { id: string } } };
  await runs.selectExperiment(info.experiments.main.id);
  await runs.groupBy('params.lr');
  const active = expectedRuns('kitchen-sink').filter((r) => r.experiment_id === info.experiments.main.id && r.lifecycle_stage === 'active');
  const withLr = active.filter((r) => r.params.lr !== undefined);
  expect(await runs.groupLabels()).toEqual(['0.01', '0.1', '(no value)']);
  await expect(runs.groupRow('(no value)')).toHaveAttribute('data-missing', 'true');
  await expect(runs.groupRow('(no value)')).toHaveAttribute('data-count', String(active.length - withLr.length));
  await expect(page.getByTestId('groups-count')).toHaveAttribute('data-count', '3');
  await page.getByTestId('groups-expand-all').click();
  await expect(runs.table).toHaveAttribute('data-total', String(3 + active.length));
  await runs.screenshot(screenshotDir, 'runs-grouped-no-value');
});

test('grouped table: shift-click across a large group selects every run between, including rows never loaded', async ({ page }) => {
  // seed-rf's max_depth=5 group made 1004 runs long (10 pages) (clones of one of its runs, older than all of
  // them), so the table pages it and a jump to the bottom leaves the middle pages unloaded.
  const CLONES = 1000;
  const src = expectedRuns('seed-rf').find((r) => r.experiment_id === RF_EXP && r.params.max_depth === '5')!;
  const cloneId = (i: number) => `c10e${String(i).padStart(28, '0')}`;
  app = await openApp(page, 'seed-rf', {
    prepare: async (dir) => {
      const expDir = path.join(dir, 'mlruns', RF_EXP);
      const meta = await readFile(path.join(expDir, src.run_id, 'meta.yaml'), 'utf8');
      const start = Number(/start_time: (\d+)/.exec(meta)![1]);
      for (let i = 0; i < CLONES; i++) {
        const runDir = path.join(expDir, cloneId(i));
        await cp(path.join(expDir, src.run_id), runDir, { recursive: true });
        const t = start - 1_000_000 - i * 1000;
        await writeFile(
          path.join(runDir, 'meta.yaml'),
          meta
            .replaceAll(src.run_id, cloneId(i))
            .replace(/run_name: .*/, `run_name: clone-${i}`)
            .replace(/start_time: \d+/, `start_time: ${t}`)
            .replace(/end_time: \d+/, `end_time: ${t + 500}`),
        );
        await writeFile(path.join(runDir, 'tags', 'mlflow.runName'), `clone-${i}`);
      }
    },
  });
  const runs = new RunsPage(page);
  const five = expectedRuns('seed-rf').filter((r) => r.experiment_id === RF_EXP && r.params.max_depth === '5');
  const groupSize = five.length + CLONES;

  await runs.groupBy('params.max_depth');
  await expect(runs.groupRow('5')).toHaveAttribute('data-count', String(groupSize));
  await page.getByTestId('group-toggle-5').click();
  // Newest first: the group's first row is a fixture run, its last the oldest clone.
  const first = (await runs.rowIds())[0]!;
  expect(five.map((r) => r.run_id)).toContain(first);
  await runs.cell(first, 'attributes.run_name').click();
  await expect(page.getByTestId('run-count')).toContainText('1 selected');

  // Straight to the end of the group: only the pages around the viewport get loaded.
  const last = cloneId(CLONES - 1);
  await runs.scrollToEnd();
  await expect(runs.row(last)).toBeVisible();
  await runs.cell(last, 'attributes.run_name').click({ modifiers: ['Shift'] });
  // Exactly the group: the range runs from its first row to its last, no holes where pages were never loaded.
  await expect(page.getByTestId('run-count')).toContainText(`${groupSize} selected`);
  await expect(runs.row(last)).toHaveAttribute('data-selected', 'true');
});

test('keyboard: arrows, Home, End and Shift move the cursor the same way in the flat and the grouped table', async ({ page }) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  await runs.waitIdle();
  const selected = async () => page.locator('[data-testid^="run-row-"][data-selected="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('run-row-'.length)));
  for (const grouped of [false, true]) {
    if (grouped) {
      await runs.groupBy('params.max_depth');
      for (const v of ['3', '5', '10', 'None']) await page.getByTestId(`group-toggle-${v}`).click();
      await expect(runs.rows()).toHaveCount(16);
    }
    const order = await runs.rowIds();
    expect(order).toHaveLength(16);
    await runs.cell(order[0]!, 'attributes.run_name').click();
    await page.keyboard.press('ArrowDown');
    await expect.poll(selected).toEqual([order[1]]);
    await page.keyboard.press('End');
    await expect.poll(selected).toEqual([order[15]]);
    await page.keyboard.press('Home');
    await expect.poll(selected).toEqual([order[0]]);
    await page.keyboard.press('Shift+End');
    await expect.poll(async () => (await selected()).length).toBe(16);
    await page.keyboard.press('Escape');
    await expect.poll(selected).toEqual([]);
  }
});
