// Live updates while "training" writes into the store: no reload, selection kept.
// Latency itself is measured by `npm run bench`, not asserted here (tests never time things).
import { appendFile, cp, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expectedRuns } from './expected.ts';
import { expect, openApp, test, type RunningApp } from './harness.ts';
import { RunsPage } from './pages/runs-page.ts';

const EXP = '266606262520181169';
let app: RunningApp | null = null;
test.afterEach(async () => {
  await app?.stop();
  app = null;
});

test('appending a metric line updates the cell in place and keeps the selection', async ({ page, screenshotDir }) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  const [first, second] = expectedRuns('seed-rf').filter((r) => r.experiment_id === EXP);
  const target = first!.run_id;
  await runs.cell(target, 'attributes.run_name').click();
  await runs.cell(second!.run_id, 'attributes.run_name').click({ modifiers: ['ControlOrMeta'] });
  await expect(runs.row(target)).toHaveAttribute('data-selected', 'true');
  await expect(runs.row(second!.run_id)).toHaveAttribute('data-selected', 'true');
  const marker = await page.evaluate(() => {
    (window as unknown as { __noReload: boolean }).__noReload = true;
    return true;
  });
  expect(marker).toBe(true);
  const generation = await runs.generation();

  await appendFile(path.join(app.dir, 'mlruns', EXP, target, 'metrics', 'mse'), `${Date.now()} 1234.5 99\n`);

  await expect(runs.cell(target, 'metrics.mse')).toHaveAttribute('data-value', '1234.5');
  expect(await runs.generation()).toBeGreaterThan(generation);
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await expect(runs.row(target)).toHaveAttribute('data-selected', 'true');
  await expect(runs.row(second!.run_id)).toHaveAttribute('data-selected', 'true');
  await runs.screenshot(screenshotDir, 'live-updated');
});

test('a new run folder appears; a run moved to deleted disappears and shows under the toggle', async ({ page }) => {
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  await expect(runs.rows()).toHaveCount(16);
  const src = expectedRuns('seed-rf').find((r) => r.experiment_id === EXP)!;
  const expDir = path.join(app.dir, 'mlruns', EXP);
  const newId = '0123456789abcdef0123456789abcdef';
  const staging = path.join(app.dir, 'staging');
  await cp(path.join(expDir, src.run_id), staging, { recursive: true });
  const meta = (await readFile(path.join(staging, 'meta.yaml'), 'utf8'))
    .replaceAll(src.run_id, newId)
    .replace(/run_name: .*/, 'run_name: live-arrival');
  await writeFile(path.join(staging, 'meta.yaml'), meta);
  await writeFile(path.join(staging, 'tags', 'mlflow.runName'), 'live-arrival');
  await rename(staging, path.join(expDir, newId));
  await expect(runs.row(newId)).toBeVisible();
  await expect(runs.cell(newId, 'attributes.run_name')).toContainText('live-arrival');
  await expect(runs.rows()).toHaveCount(17);

  const metaPath = path.join(expDir, src.run_id, 'meta.yaml');
  const m = await readFile(metaPath, 'utf8');
  await writeFile(`${metaPath}.new`, m.replace('lifecycle_stage: active', `deleted_time: ${Date.now()}\nlifecycle_stage: deleted`));
  await rename(`${metaPath}.new`, metaPath);
  await expect(runs.row(src.run_id)).toHaveCount(0);
  await expect(runs.rows()).toHaveCount(16);
  await runs.showDeleted(true);
  await expect(runs.row(src.run_id)).toBeVisible();
});
