// Compare views on a seed-rf copy, as a user drives them: parallel coordinates with brushing that
// filters the table, scatter click-to-select, box / lasso and "best by", the diff, groups, and the
// best run dragged into the registry (compare-curves.spec.ts has the metric curves). Values are
// read from the app's chart hook and plotly's data; screenshots are saved for a human to look at.
import { expectedRuns, fixtureInfo, type ExpectedRun } from './expected.ts';
import { expect, openApp, test, type RunningApp } from './harness.ts';
import { ComparePage } from './pages/compare-page.ts';
import { RegistryPage } from './pages/registry-page.ts';
import { RunsPage } from './pages/runs-page.ts';
import { registryOnDisk } from './registry-disk.ts';

const RF_EXP = '266606262520181169';
const BEST = (fixtureInfo('seed-rf') as { best_run_id: string }).best_run_id;

let app: RunningApp | null = null;
test.afterEach(async () => {
  await app?.stop();
  app = null;
});

function seedRuns(): ExpectedRun[] {
  return expectedRuns('seed-rf').filter((r) => r.experiment_id === RF_EXP);
}

const num = (v: number | string | undefined): number => (typeof v === 'number' ? v : Number(v));

test('seed-rf parallel coordinates: all 16 runs, None as a category; brushing mse filters the table', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  const cmp = new ComparePage(page);
  await cmp.open('parallel');
  await cmp.waitDrawn('plot-parcoords');

  const st = await cmp.state();
  const pc = st.parcoords!;
  expect(pc.runIds).toHaveLength(16);
  expect(new Set(pc.runIds)).toEqual(new Set(seedRuns().map((r) => r.run_id)));
  expect(new Set(pc.dimensions.map((d) => d.key))).toEqual(new Set(['params.n_estimators', 'params.max_depth', 'metrics.mse', 'metrics.r2_score']));
  const depth = pc.dimensions.find((d) => d.key === 'params.max_depth')!;
  expect(depth.type).toBe('categorical');
  expect(depth.ticktext).toEqual(['3', '5', '10', 'None']);
  // Every run is drawn on every axis (none dropped), and the None runs sit on the None tick.
  for (const d of pc.dimensions) expect(d.values.every((v) => Number.isFinite(v))).toBe(true);
  const noneTick = depth.tickvals![depth.ticktext!.indexOf('None')];
  const noneRuns = pc.runIds.filter((_, i) => depth.values[i] === noneTick);
  expect(new Set(noneRuns)).toEqual(new Set(seedRuns().filter((r) => r.params.max_depth === 'None').map((r) => r.run_id)));
  // The chart drew them: 4 axes, a canvas of lines.
  await expect(page.locator('[data-testid^=pc-axis-]')).toHaveCount(4);
  await expect(page.getByTestId('plot-parcoords-lines')).toBeVisible();
  // Drawn by the drawing worker (an OffscreenCanvas), not on the page's main thread.
  await expect(page.getByTestId('plot-parcoords-lines')).toHaveAttribute('data-drawn-by', 'worker');
  await cmp.screenshot(screenshotDir, 'compare-parcoords');

  // Brush the mse axis with the mouse, then read the range the chart recorded.
  const mseIndex = pc.dimensions.findIndex((d) => d.key === 'metrics.mse');
  const renders = await cmp.renderCount('plot-parcoords');
  await cmp.brushAxis(mseIndex, 0.12, 0.5);
  await expect.poll(async () => (await cmp.state()).parcoords?.dimensions[mseIndex]?.constraintrange ?? null).not.toBeNull();
  const cr = (await cmp.state()).parcoords?.dimensions[mseIndex]?.constraintrange as number[] | number[][];
  const [lo, hi] = (Array.isArray(cr[0]) ? cr[0] : cr) as [number, number];
  const inRange = seedRuns()
    .filter((r) => num(r.metrics.mse) >= lo && num(r.metrics.mse) <= hi)
    .map((r) => r.run_id)
    .sort();
  expect(inRange.length).toBeGreaterThan(0);
  expect(inRange.length).toBeLessThan(16);
  await expect(page.getByTestId('brush-chip-metrics.mse')).toBeVisible();
  await expect.poll(async () => (await runs.rowIds()).sort()).toEqual(inRange);
  await expect(page.getByTestId('run-count')).toHaveAttribute('data-count', String(inRange.length));
  // The filter box still holds what the user typed (nothing); the brush is its own chip.
  await expect(runs.filterInput).toHaveValue('');
  // The brush is drawn by the chart while dragging; its data is not rebuilt for it.
  expect(await cmp.renderCount('plot-parcoords')).toBe(renders);
  await cmp.screenshot(screenshotDir, 'compare-parcoords-brushed');

  // Removing the chip gives the whole table back and clears the brush on the chart.
  await page.getByTestId('brush-chip-remove-metrics.mse').click();
  await expect(runs.rows()).toHaveCount(16);
  await expect.poll(async () => (await cmp.state()).parcoords?.dimensions[mseIndex]?.constraintrange ?? null).toBeNull();

  await page.emulateMedia({ colorScheme: 'dark' });
  await cmp.waitDrawn('plot-parcoords');
  await cmp.setBestBy('mse', 'min');
  await expect.poll(async () => (await cmp.state()).parcoords?.runIds.at(-1)).toBe(BEST);
  await cmp.screenshot(screenshotDir, 'compare-parcoords-dark');
});

test('seed-rf parallel coordinates with the mouse: two ranges on one axis, a click removes one, a click on a line selects its run, a title dragged reorders the axes', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  const cmp = new ComparePage(page);
  await cmp.open('parallel');
  await cmp.waitDrawn('plot-parcoords');
  const pc = (await cmp.state()).parcoords!;
  const mse = pc.dimensions.findIndex((d) => d.key === 'metrics.mse');
  const ranges = async () => {
    const cr = (await cmp.state()).parcoords?.dimensions[mse]?.constraintrange as number[] | number[][] | null;
    return cr === null || cr === undefined ? [] : ((Array.isArray(cr[0]) ? cr : [cr]) as [number, number][]);
  };
  const inAny = (rs: [number, number][]) =>
    seedRuns()
      .filter((r) => rs.some(([lo, hi]) => num(r.metrics.mse) >= lo && num(r.metrics.mse) <= hi))
      .map((r) => r.run_id)
      .sort();

  // Two ranges on the mse axis: the table shows the runs in either.
  await cmp.brushAxis(mse, 0.05, 0.3);
  await expect.poll(async () => (await ranges()).length).toBe(1);
  await cmp.brushAxis(mse, 0.6, 0.95);
  await expect.poll(async () => (await ranges()).length).toBe(2);
  const two = await ranges();
  expect(two[0]![1]).toBeLessThan(two[1]![0]);
  await expect.poll(async () => (await runs.rowIds()).sort()).toEqual(inAny(two));
  await expect(page.locator('[data-testid^=pc-brush-range-]')).toHaveCount(2);
  await cmp.screenshot(screenshotDir, 'compare-parcoords-two-ranges');

  // A click inside the upper range removes just it; a click elsewhere on the axis clears it.
  await cmp.clickAxis(mse, 0.8);
  await expect.poll(ranges).toEqual([two[0]]);
  await expect.poll(async () => (await runs.rowIds()).sort()).toEqual(inAny([two[0]!]));
  await cmp.clickAxis(mse, 0.5);
  await expect.poll(ranges).toEqual([]);
  await expect(runs.rows()).toHaveCount(16);

  // A click on a line selects its run: take the run whose line is farthest from every other one
  // halfway between the first two axes, and click there.
  const boxes = await Promise.all([0, 1].map((i) => page.getByTestId(`pc-brush-${i}`).boundingBox()));
  const geo = await Promise.all([0, 1].map(async (i) => [Number(await page.getByTestId(`pc-brush-${i}`).getAttribute('data-lo')), Number(await page.getByTestId(`pc-brush-${i}`).getAttribute('data-hi'))] as const));
  const yAt = (axis: number, v: number) => {
    const b = boxes[axis]!;
    const [lo, hi] = geo[axis]!;
    return b.y + b.height - ((v - lo) / (hi - lo)) * b.height;
  };
  const mids = pc.runIds.map((id, i) => ({ id, y: (yAt(0, pc.dimensions[0]!.values[i]!) + yAt(1, pc.dimensions[1]!.values[i]!)) / 2 }));
  const lonely = mids.map((m) => ({ ...m, gap: Math.min(...mids.filter((o) => o.id !== m.id).map((o) => Math.abs(o.y - m.y))) })).sort((a, b) => b.gap - a.gap)[0]!;
  expect(lonely.gap).toBeGreaterThan(4);
  const x = (boxes[0]!.x + boxes[0]!.width / 2 + boxes[1]!.x + boxes[1]!.width / 2) / 2;
  await page.mouse.move(x, lonely.y - 8);
  await page.mouse.move(x, lonely.y, { steps: 3 });
  await expect(runs.row(lonely.id)).toHaveClass(/chart-hover/);
  await page.mouse.click(x, lonely.y);
  await expect(runs.row(lonely.id)).toHaveAttribute('data-selected', 'true');
  await expect(page.locator('[data-testid^="run-row-"][data-selected="true"]')).toHaveCount(1);
  // The selected run is drawn last (on top).
  await expect.poll(async () => (await cmp.state()).parcoords?.runIds.at(-1)).toBe(lonely.id);

  // Dragging the first axis' title onto the last one's place moves it there.
  const before = (await cmp.state()).parcoords!.dimensions.map((d) => d.key);
  await cmp.dragAxis(0, before.length - 1);
  await expect.poll(async () => (await cmp.state()).parcoords?.dimensions.map((d) => d.key)).toEqual([...before.slice(1), before[0]]);
  await expect(page.getByTestId('parcoords-axes').locator('.axis-chip').last()).toHaveAttribute('data-testid', `axis-${before[0]}`);
  await cmp.screenshot(screenshotDir, 'compare-parcoords-reordered');
});

test('scatter n_estimators × r2_score: clicking the highest point selects the best run; best by mse (min) marks it everywhere', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  const cmp = new ComparePage(page);
  await cmp.open('scatter');
  await cmp.scatterAxes('params.n_estimators', 'metrics.r2_score');

  const sc = (await cmp.state()).scatter!;
  expect(sc.points).toHaveLength(16);
  const top = [...sc.points].sort((a, b) => b.y - a.y)[0]!;
  // The plotted values are the runs' own.
  const byId = new Map(seedRuns().map((r) => [r.run_id, r]));
  for (const p of sc.points) {
    expect(p.x).toBe(Number(byId.get(p.runId)!.params.n_estimators));
    expect(p.y).toBe(num(byId.get(p.runId)!.metrics.r2_score));
  }
  const at = await cmp.pointOnPage('plot-scatter', top.x, top.y);
  await page.mouse.move(at.x, at.y);
  await page.mouse.click(at.x, at.y);
  await expect(runs.row(BEST)).toHaveAttribute('data-selected', 'true');
  expect(top.runId).toBe(BEST);
  await expect(page.locator('[data-testid^="run-row-"][data-selected="true"]')).toHaveCount(1);
  await expect(page.getByTestId('run-detail')).toHaveAttribute('data-run-id', BEST);
  // Hover links the views: the point under the pointer marks its table row, and a table row under
  // the pointer rings its point in the chart.
  // (The detail panel that opened narrows the chart: find the point again once it has resized.)
  await expect(async () => {
    const again = await cmp.pointOnPage('plot-scatter', top.x, top.y);
    await page.mouse.move(again.x - 3, again.y - 3);
    await page.mouse.move(again.x, again.y, { steps: 3 });
    await expect(runs.row(BEST)).toHaveClass(/chart-hover/, { timeout: 1000 });
  }).toPass();
  await cmp.screenshot(screenshotDir, 'compare-scatter-selected');
  const hovered = sc.points.find((p) => p.runId !== BEST)!.runId;
  await runs.row(hovered).hover();
  await expect
    .poll(async () => ((await cmp.traces('plot-scatter')).find((t) => t.name === 'hover')?.customdata?.[0] as string[] | undefined)?.[0])
    .toBe(hovered);
  await page.getByTestId('run-detail-close').click();

  await cmp.setBestBy('mse', 'min');
  await expect.poll(async () => (await cmp.state()).best?.runId).toBe(BEST);
  // The table's row badge, the scatter's star, and the parallel coordinates' top line.
  await expect(page.getByTestId(`best-badge-${BEST}`)).toBeVisible();
  await expect(page.locator('[data-testid^="best-badge-"]')).toHaveCount(1);
  await expect
    .poll(async () => {
      const star = (await cmp.traces('plot-scatter')).find((t) => t.name === 'best');
      return (star?.customdata?.[0] as string[] | undefined)?.[0];
    })
    .toBe(BEST);
  await cmp.screenshot(screenshotDir, 'compare-scatter-best');
  await cmp.tab('parallel');
  await cmp.waitDrawn('plot-parcoords');
  await expect.poll(async () => (await cmp.state()).parcoords?.runIds.at(-1)).toBe(BEST);

  // The choice is remembered for this experiment: after a reload it is still there.
  await page.reload();
  await runs.waitIdle();
  await expect(page.getByTestId('best-metric')).toHaveValue('mse');
  await expect(page.getByTestId(`best-badge-${BEST}`)).toBeVisible();
  // Star a run: it stays in the comparison even when the filter excludes it.
  const other = seedRuns().find((r) => r.params.max_depth === 'None')!.run_id;
  await runs.row(other).hover();
  await page.getByTestId(`pin-${other}`).click();
  await runs.filter("params.max_depth = '3'");
  await expect(runs.rows()).toHaveCount(4);
  await expect.poll(async () => (await cmp.state()).set?.runIds.includes(other)).toBe(true);
  await expect.poll(async () => (await cmp.state()).set?.runIds.length).toBe(5);
  // With the panel closed the badge stays (the engine is asked for the winner).
  await page.getByTestId('compare-close').click();
  await expect(cmp.panel).toHaveCount(0);
  await expect(page.getByTestId(`best-badge-${BEST}`)).toBeVisible();
  await runs.filter("params.max_depth = '5'");
  const bestOf5 = seedRuns()
    .filter((r) => r.params.max_depth === '5')
    .sort((a, b) => num(a.metrics.mse) - num(b.metrics.mse))[0]!.run_id;
  await expect(page.getByTestId(`best-badge-${bestOf5}`)).toBeVisible();
  await expect(page.locator('[data-testid^="best-badge-"]')).toHaveCount(1);
});

test('scatter box and lasso select exactly the runs they enclose', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  const cmp = new ComparePage(page);
  await cmp.open('scatter');
  await cmp.scatterAxes('params.n_estimators', 'metrics.r2_score');
  const sc = (await cmp.state()).scatter!;
  const ys = sc.points.map((p) => p.y);
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  const pad = (hi - lo) * 0.02;
  const selectedIds = async () =>
    page.locator('[data-testid^="run-row-"][data-selected="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('run-row-'.length)).sort());
  const runsWith = (n: string) =>
    seedRuns()
      .filter((r) => r.params.n_estimators === n)
      .map((r) => r.run_id)
      .sort();

  // Box: a rectangle around the n_estimators = 200 column, top to bottom.
  await page.getByTestId('scatter-drag').getByText('Box', { exact: true }).click();
  const a = await cmp.pointOnPage('plot-scatter', 180, hi + pad);
  const b = await cmp.pointOnPage('plot-scatter', 220, lo - pad);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 4 });
  await page.mouse.up();
  await expect.poll(selectedIds).toEqual(runsWith('200'));
  expect(runsWith('200')).toHaveLength(4);
  await cmp.screenshot(screenshotDir, 'compare-scatter-box');

  // Lasso: a loop around the n_estimators = 10 column replaces the selection.
  await page.getByTestId('scatter-drag').getByText('Lasso', { exact: true }).click();
  const loop = [
    [5, hi + pad],
    [15, hi + pad],
    [15, lo - pad],
    [5, lo - pad],
    [5, hi + pad],
  ] as const;
  const first = await cmp.pointOnPage('plot-scatter', loop[0][0], loop[0][1]);
  await page.mouse.move(first.x, first.y);
  await page.mouse.down();
  for (const [x, y] of loop.slice(1)) {
    const p = await cmp.pointOnPage('plot-scatter', x, y);
    await page.mouse.move(p.x, p.y, { steps: 5 });
  }
  await page.mouse.up();
  await expect.poll(selectedIds).toEqual(runsWith('10'));
  expect(runsWith('10')).toHaveLength(4);
  // The selected runs are what the diff compares.
  await cmp.tab('diff');
  await expect.poll(async () => (await cmp.state()).diff?.runIds.slice().sort()).toEqual(runsWith('10'));
  await expect(runs.rows()).toHaveCount(16);
});

test('diff of two seed-rf runs, differences only: n_estimators, max_depth and the metrics', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  const all = seedRuns();
  const a = all.find((r) => r.params.n_estimators === '10' && r.params.max_depth === '3')!;
  const b = all.find((r) => r.params.n_estimators === '100' && r.params.max_depth === 'None')!;
  await runs.cell(a.run_id, 'attributes.run_name').click();
  await runs.cell(b.run_id, 'attributes.run_name').click({ modifiers: ['ControlOrMeta'] });
  await page.getByTestId('run-detail-close').click();
  const cmp = new ComparePage(page);
  await cmp.open('diff');
  await expect(page.getByTestId(`diff-col-${a.run_id}`)).toBeVisible();
  await expect(page.getByTestId(`diff-col-${b.run_id}`)).toBeVisible();
  await page.getByTestId('diff-only').check();
  await expect.poll(async () => (await cmp.state()).diff?.onlyDiff).toBe(true);

  const diff = (await cmp.state()).diff!;
  expect(diff.runIds).toEqual([a.run_id, b.run_id]);
  expect(diff.sections).toEqual({ params: ['max_depth', 'n_estimators'], metrics: ['mse', 'r2_score'], tags: [], system: [] });
  const shown = await page.locator('[data-testid^="diff-row-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('diff-row-'.length)));
  expect(shown.sort()).toEqual(['metrics.mse', 'metrics.r2_score', 'params.max_depth', 'params.n_estimators']);
  const cells = page.getByTestId('diff-row-params.max_depth').locator('td');
  await expect(cells).toHaveText(['3', 'None']);
  await expect(page.getByTestId('diff-row-metrics.mse').locator('td').first()).toHaveAttribute('data-value', String(num(a.metrics.mse)));
  await cmp.screenshot(screenshotDir, 'compare-diff');

  await page.getByTestId('diff-only').uncheck();
  await expect(page.getByTestId('diff-row-tags.mlflow.source.name')).toHaveAttribute('data-differs', 'false');

  // The chosen runs stay selected — and compared — when a filter no longer matches one of them.
  await runs.filter("params.max_depth = 'None'");
  await expect(runs.rows()).toHaveCount(4);
  await expect(page.getByTestId('run-count')).toContainText('2 selected');
  await expect(page.getByTestId(`diff-col-${a.run_id}`)).toBeVisible();
  await expect(page.getByTestId(`diff-col-${b.run_id}`)).toBeVisible();
  await runs.filter('');
  await expect(runs.rows()).toHaveCount(16);

  // Groups by max_depth: four groups of four with the mse aggregates.
  await cmp.tab('groups');
  await page.getByTestId('group-by').selectOption('params.max_depth');
  for (const v of ['3', '5', '10', 'None']) await expect(page.getByTestId(`group-${v}`)).toHaveAttribute('data-count', '4');
  const three = all.filter((r) => r.params.max_depth === '3').map((r) => num(r.metrics.mse));
  await expect(page.getByTestId('group-3').locator('.agg-mean').first()).toHaveAttribute('data-value', String(three.reduce((x, y) => x + y) / 4));
  await page.getByTestId('group-None').click();
  // "Group by" is the runs table's setting too: the table is now grouped (collapsed), and its
  // None row shows that all of its runs are selected.
  await expect(page.getByTestId('runs-table')).toHaveAttribute('data-grouped-by', 'params.max_depth');
  await expect(page.getByTestId('run-count')).toContainText('4 selected');
  await expect(page.getByTestId('group-row-None')).toHaveAttribute('data-selected', 'true');
  await cmp.screenshot(screenshotDir, 'compare-groups');

  // Grouped curves: one band per max_depth value.
  await page.getByTestId('group-curves').check();
  await page.getByTestId('run-detail-close').click();
  await cmp.tab('curves');
  await expect.poll(async () => (await cmp.state()).curves?.runIds.length).toBe(4);
  await expect.poll(async () => (await cmp.state()).curves?.grouped).toBe(true);
  await cmp.waitDrawn('plot-curves-mse');
  const bands = await cmp.traces('plot-curves-mse');
  expect(bands.map((t) => t.name)).toEqual(['None min', 'None max', 'None (4 runs)']);
  expect((bands[1] as { fill?: string }).fill).toBe('tonexty');
  await cmp.screenshot(screenshotDir, 'compare-curves-grouped');
});

test('pick the best run and drag it into the registry: the best-by chip names the winner, selects it, and registers it', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  const cmp = new ComparePage(page);
  const reg = new RegistryPage(page);
  const best = seedRuns().find((r) => r.run_id === BEST)!;
  const model = (fixtureInfo('seed-rf') as { registered_model: string }).registered_model;
  await cmp.open('parallel');
  await cmp.setBestBy('mse', 'min');
  const chip = page.getByTestId('best-run-chip');
  await expect(chip).toHaveAttribute('data-run-id', BEST);
  await expect(chip).toContainText(best.run_name);
  await expect(chip).toContainText(String(Math.round(num(best.metrics.mse) * 10) / 10));

  // Click: the winner becomes the selection (table row, detail panel).
  await chip.click();
  await expect(runs.row(BEST)).toHaveAttribute('data-selected', 'true');
  await expect(page.locator('[data-testid^="run-row-"][data-selected="true"]')).toHaveCount(1);
  await expect(page.getByTestId('run-detail')).toHaveAttribute('data-run-id', BEST);
  await page.getByTestId('run-detail-close').click();

  // Drag: onto the model in the registry dock — a new version from the best run, on disk.
  const before = (await registryOnDisk(app.dir, model)).versions.length;
  await reg.openDock();
  await chip.dragTo(reg.dockModel(model));
  await expect(reg.toast(`Registered ${model} v${before + 1}`)).toBeVisible();
  await cmp.screenshot(screenshotDir, 'compare-best-registered');
  const disk = await registryOnDisk(app.dir, model);
  const added = disk.versions.find((v) => v.version === before + 1);
  expect(added).toMatchObject({ runId: BEST, currentStage: 'None' });
});
