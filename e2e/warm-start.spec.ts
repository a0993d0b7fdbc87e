// Reopening a project starts from the index snapshot its last read left (engine/snapshot/): the
// table is there at once, and what training wrote while the app was closed is on screen too — the
// files are checked against the snapshot and what changed is read again. Real engine, real files.
import { appendFile, readdir, rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import { expectedRuns } from './expected.ts';
import { copyFixture, expect, startServe, stopChild, test } from './harness.ts';
import { RunsPage } from './pages/runs-page.ts';

const EXP = '266606262520181169';

/** Files as a store has them between training sessions: written well before the read. */
async function backdate(dir: string): Promise<void> {
  const then = new Date(Date.now() - 3600_000);
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) await utimes(path.join(e.parentPath, e.name), then, then);
}

test('a reopened project shows its runs from the snapshot, with what was written while it was closed', async ({ page, screenshotDir }) => {
  test.setTimeout(90_000);
  const { base, dir } = await copyFixture('seed-rf');
  await backdate(dir);
  const configDir = path.join(base, 'config');
  let serve = await startServe(dir, configDir, { waitIndexed: true });
  try {
    expect(serve.output()).not.toContain('from a snapshot');
    await page.goto(serve.url);
    await expect(page.locator('body[data-ready="true"]')).toHaveCount(1, { timeout: 30_000 });
    const runs = new RunsPage(page);
    const [target] = expectedRuns('seed-rf').filter((r) => r.experiment_id === EXP);
    const before = await runs.rowIds();
    expect(before).toContain(target!.run_id);
    // The snapshot is completed in the background once the store is watched (quitting before
    // that abandons it: the next open would read cold).
    const snapshots = path.join(configDir, 'cache', 'index-snapshots');
    await expect.poll(async () => (await readdir(snapshots).catch(() => [])).filter((f) => f.endsWith('.rsnap')).length, { timeout: 30_000 }).toBe(1);
    await stopChild(serve.child);

    // "Training" while the app is closed: log_metric after end_run appends to a FINISHED run.
    await appendFile(path.join(dir, 'mlruns', EXP, target!.run_id, 'metrics', 'mse'), `${Date.now()} 0.5 99\n`);

    serve = await startServe(dir, configDir, { waitIndexed: true });
    expect(serve.output()).toContain('1 from a snapshot');
    await page.goto(serve.url);
    await expect(page.locator('body[data-ready="true"]')).toHaveCount(1, { timeout: 30_000 });
    await expect(runs.cell(target!.run_id, 'metrics.mse')).toHaveAttribute('data-value', '0.5');
    expect((await runs.rowIds()).sort()).toEqual([...before].sort());
    await runs.screenshot(screenshotDir, 'warm-start');
  } finally {
    await stopChild(serve.child);
    await rm(base, { recursive: true, force: true });
  }
});
