// Metric curves on a kitchen-sink copy, as a user drives them: the 500-step loss, smoothing, wall
// time, runs without the metric, and live growth keeping the zoom (compare.spec.ts has the other
// compare views). Values are read from the app's chart hook and plotly's data; screenshots are
// saved for a human to look at.
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { expectedRuns, fixtureInfo } from './expected.ts';
import { expect, openApp, test, type RunningApp } from './harness.ts';
import { ComparePage } from './pages/compare-page.ts';
import { RunsPage } from './pages/runs-page.ts';

const KS_MAIN = '387161336320449950';
const ZOO = ((fixtureInfo('kitchen-sink') as { runs: Record<string, { run_id: string }> }).runs.metrics_zoo as { run_id: string }).run_id;

let app: RunningApp | null = null;
test.afterEach(async () => {
  await app?.stop();
  app = null;
});

test('kitchen-sink metric curves: the 500-step loss, smoothing, wall time, runs without the metric', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'kitchen-sink');
  const runs = new RunsPage(page);
  await runs.selectExperiment(KS_MAIN);
  const cmp = new ComparePage(page);
  await cmp.open('curves');
  const withLoss = expectedRuns('kitchen-sink').filter((r) => r.experiment_id === KS_MAIN && r.lifecycle_stage === 'active' && 'loss' in r.metrics);
  const without = expectedRuns('kitchen-sink').filter((r) => r.experiment_id === KS_MAIN && r.lifecycle_stage === 'active' && !('loss' in r.metrics));
  await expect(page.getByTestId('curve-metric-loss')).toBeVisible();
  await cmp.waitDrawn('plot-curves-loss');

  await expect.poll(async () => (await cmp.state()).curves?.metrics.loss?.runs.length).toBe(withLoss.length);
  const loss = (await cmp.state()).curves!.metrics.loss!;
  const zoo = loss.runs.find((r) => r.runId === ZOO)!;
  expect(zoo.points).toBe(500);
  const hist = (expectedRuns('kitchen-sink').find((r) => r.run_id === ZOO) as unknown as { metric_history: Record<string, [number, number, number][]> }).metric_history.loss!;
  expect(zoo.last).toBe(hist[hist.length - 1]![2]);
  expect(zoo.min).toBe(Math.min(...hist.map((p) => p[2])));
  // Runs without loss are listed under the chart, by name.
  expect(new Set(loss.missing)).toEqual(new Set(without.map((r) => r.run_id)));
  await expect(page.getByTestId('curves-missing-loss')).toContainText(`No loss in ${without.length} runs`);
  for (const r of without.slice(0, 5)) await expect(page.getByTestId(`curves-missing-run-${r.run_id}`)).toBeVisible();
  // The drawn series is the history itself (500 points fit the plot without thinning here).
  const zooTrace = async () => (await cmp.traces('plot-curves-loss')).filter((t) => t.meta?.runId === ZOO);
  const raw = (await zooTrace())[0]!;
  expect(raw.x).toHaveLength(500);
  expect(raw.y).toEqual(hist.map((p) => p[2]));
  await cmp.screenshot(screenshotDir, 'compare-curves');

  // Smoothing: the legend curve becomes the EMA, the raw one stays underneath, faded.
  await page.getByTestId('curves-smoothing').fill('0.9');
  await expect.poll(async () => (await cmp.state()).curves?.smoothing).toBe(0.9);
  await expect.poll(async () => (await zooTrace()).length).toBe(2);
  const [under, smooth] = await zooTrace();
  expect(under?.meta?.role).toBe('raw');
  expect(smooth?.meta?.role).toBe('smoothed');
  expect(under?.y).toEqual(raw.y);
  expect(smooth?.y).not.toEqual(raw.y);
  expect((smooth!.y as number[]).length).toBe(500);
  // Smoothed values stay within the raw range and the legend numbers do not change.
  const rawY = raw.y as number[];
  expect(Math.min(...(smooth!.y as number[]))).toBeGreaterThanOrEqual(Math.min(...rawY));
  expect((await cmp.state()).curves!.metrics.loss!.runs.find((r) => r.runId === ZOO)!.last).toBe(zoo.last);
  await cmp.screenshot(screenshotDir, 'compare-curves-smoothed');

  // Wall time: a date axis, the points at their logged timestamps.
  await page.getByTestId('curves-x-wall').click();
  await expect.poll(async () => (await cmp.state()).curves?.x).toBe('wall');
  await expect.poll(async () => ((await cmp.layout('plot-curves-loss')).xaxis as { type?: string }).type).toBe('date');
  const wall = (await zooTrace()).find((t) => t.meta?.role === 'raw')!;
  expect(wall.x).toEqual(hist.map((p) => p[1]));
  await cmp.screenshot(screenshotDir, 'compare-curves-wall');

  await page.getByTestId('curves-x-relative').click();
  await expect.poll(async () => ((await zooTrace()).find((t) => t.meta?.role === 'raw')?.x as number[] | undefined)?.[0]).toBeGreaterThanOrEqual(0);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByTestId('curves-x-step').click();
  await cmp.waitDrawn('plot-curves-loss');
  await cmp.screenshot(screenshotDir, 'compare-curves-dark');
});

test('live: appending metric lines extends the curve and keeps the zoom', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'kitchen-sink');
  const runs = new RunsPage(page);
  await runs.selectExperiment(KS_MAIN);
  await runs.cell(ZOO, 'attributes.run_name').click();
  await page.getByTestId('run-detail-close').click();
  const cmp = new ComparePage(page);
  await cmp.open('curves');
  // The selected run's metrics: keep only loss.
  await page.getByTestId('curves-add-metric').selectOption('loss');
  const others = page.locator('[data-testid^="curve-metric-"]:not([data-testid="curve-metric-loss"])');
  while ((await others.count()) > 0) await others.first().getByRole('button').click();
  await expect(page.locator('[data-testid^="curve-metric-"]')).toHaveCount(1);
  await cmp.waitDrawn('plot-curves-loss');
  expect((await cmp.state()).curves?.runIds).toEqual([ZOO]);

  await cmp.zoomX('plot-curves-loss', 0.2, 0.6);
  await expect.poll(async () => ((await cmp.layout('plot-curves-loss')).xaxis as { autorange?: boolean }).autorange).toBe(false);
  const zoomed = ((await cmp.layout('plot-curves-loss')).xaxis as { range: [number, number] }).range;
  expect(zoomed[1]).toBeLessThan(499);

  const file = path.join(app.dir, 'mlruns', KS_MAIN, ZOO, 'metrics', 'loss');
  const t0 = Date.now();
  await appendFile(file, Array.from({ length: 20 }, (_, i) => `${t0 + i} ${0.17 - i * 0.001} ${500 + i}\n`).join(''));

  await expect.poll(async () => (await cmp.state()).curves?.metrics.loss?.runs[0]?.points).toBe(520);
  await expect.poll(async () => Math.max(...((await cmp.traces('plot-curves-loss'))[0]?.x as number[]))).toBe(519);
  const after = ((await cmp.layout('plot-curves-loss')).xaxis as { range: [number, number] }).range;
  expect(after).toEqual(zoomed);
  expect((await cmp.state()).curves?.metrics.loss?.runs[0]?.last).toBeCloseTo(0.17 - 19 * 0.001, 12);
  // The selection survived the live update.
  await expect(runs.row(ZOO)).toHaveAttribute('data-selected', 'true');
  await cmp.screenshot(screenshotDir, 'compare-curves-live');
});
