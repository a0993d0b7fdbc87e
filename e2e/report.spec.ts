// Export a comparison report from the compare view, in browser mode on a
// copy of seed-rf: select 4 runs → Compare → Export. The HTML file is then opened from file://
// with every request blocked: the three charts draw (plotly's data read from the page), the table
// holds the runs' exact values from expected-runs.json, and a param holding markup shows as text.
// The PDF is checked with poppler (pdftotext / pdftoppm). `runsight report` for the same runs must
// give the same manifest and table.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import { expectedRuns, type ExpectedRun } from './expected.ts';
import { expect, openApp, repoRoot, test, type RunningApp } from './harness.ts';
import { ComparePage } from './pages/compare-page.ts';
import { RunsPage } from './pages/runs-page.ts';

const RF_EXP = '266606262520181169';
const XSS = '<img src=x onerror=alert(1)>';

// An export builds the report and (PDF) starts a headless Chromium: slow on a loaded 2-core box.
test.describe.configure({ timeout: 180_000 });

let app: RunningApp | null = null;
let out: string | null = null;
test.afterEach(async () => {
  await app?.stop();
  app = null;
  if (out) await rm(out, { recursive: true, force: true });
  out = null;
});

function seedRuns(): ExpectedRun[] {
  return expectedRuns('seed-rf').filter((r) => r.experiment_id === RF_EXP);
}

/** Four runs, the first with a param that is markup; their ids and the app opened on them. */
async function openWithFour(page: Page): Promise<{ picked: ExpectedRun[] }> {
  const picked = seedRuns().slice(0, 4);
  app = await openApp(page, 'seed-rf', {
    prepare: (dir) => writeFile(path.join(dir, 'mlruns', RF_EXP, (picked[0] as ExpectedRun).run_id, 'params', 'note'), XSS),
  });
  const runs = new RunsPage(page);
  await runs.waitIdle();
  await runs.cell((picked[0] as ExpectedRun).run_id, 'attributes.run_name').click();
  for (const r of picked.slice(1)) await runs.cell(r.run_id, 'attributes.run_name').click({ modifiers: ['ControlOrMeta'] });
  const cmp = new ComparePage(page);
  await cmp.open('parallel');
  await page.getByTestId('compare-set-selected').click();
  await cmp.setBestBy('r2_score', 'max');
  return { picked };
}

async function exportAs(page: Page, format: 'html' | 'pdf', title: string): Promise<string> {
  await page.getByTestId('compare-export').click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toBeVisible();
  await page.getByTestId(`export-format-${format}`).click();
  await page.getByTestId('export-title').fill(title);
  await page.getByTestId('export-notes').fill('Chosen for the PR: <b>not bold</b>');
  // The live preview shows the report (static markup in an empty sandbox).
  const preview = page.frameLocator('[data-testid="export-preview"]');
  await expect(preview.locator('h1')).toHaveText(title, { timeout: 30_000 });
  await expect(preview.locator('#runs-table tbody tr')).toHaveCount(4);
  out = await mkdtemp(path.join(tmpdir(), 'runsight-export-'));
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('export-save').click()]);
  const file = path.join(out, download.suggestedFilename());
  await download.saveAs(file);
  await expect(page.getByTestId('export-done')).toBeVisible();
  return file;
}

test('Export HTML: opens offline, three charts with plotly data, exact values, markup as text; the CLI writes the same report', async ({ page, browser, screenshotDir }) => {
  const { picked } = await openWithFour(page);
  await page.screenshot({ path: `${screenshotDir}/report-dialog-before.png` });
  const file = await exportAs(page, 'html', 'Four forests');
  expect(file.endsWith('.html')).toBe(true);
  await page.screenshot({ path: `${screenshotDir}/report-dialog.png` });

  // Open the saved file with the network off and every request but the file itself refused.
  const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(file).href;
  const refused: string[] = [];
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    refused.push(route.request().url());
    return route.abort();
  });
  const report = await context.newPage();
  const errors: string[] = [];
  report.on('pageerror', (e) => errors.push(e.message));
  await report.goto(url);
  const charts = await report.evaluate(() => (window as unknown as { __runsightReady: Promise<number> }).__runsightReady);
  expect(charts).toBe(3);
  const traces = await report.evaluate(() =>
    ['chart-0', 'chart-1', 'chart-2-0'].map((id) => {
      const el = document.getElementById(id) as (HTMLElement & { data?: { type: string; dimensions?: { values: number[] }[]; x?: unknown[] }[] }) | null;
      return (el?.data ?? []).map((t) => ({ type: t.type, dims: t.dimensions?.map((d) => d.values.length) ?? null, points: t.x?.length ?? null }));
    }),
  );
  expect(traces[0]?.[0]?.type).toBe('parcoords');
  expect(traces[0]?.[0]?.dims?.every((n) => n === 4)).toBe(true);
  expect(traces[1]?.[0]).toMatchObject({ type: 'scatter', points: 4 });
  expect(traces[2]?.length).toBe(4); // one curve per run
  // The table: each run's exact logged values.
  for (const r of picked) {
    const row = report.locator(`#runs-table tr[data-run-id="${r.run_id}"]`);
    await expect(row).toHaveCount(1);
    const text = await row.innerText();
    expect(text).toContain(r.run_name);
    for (const [k, v] of Object.entries(r.metrics)) expect(text, `metrics.${k}`).toContain(String(v));
    for (const [k, v] of Object.entries(r.params)) expect(text, `params.${k}`).toContain(v);
  }
  // Markup from the store and from the notes is text.
  await expect(report.locator('img[src="x"]')).toHaveCount(0);
  await expect(report.locator('#runs-table')).toContainText(XSS);
  await expect(report.locator('.notes')).toHaveText('Chosen for the PR: <b>not bold</b>');
  await expect(report.locator('.rationale')).toContainText('best of 4 runs by `r2_score` (max)');
  expect(refused).toEqual([]);
  expect(errors).toEqual([]);
  await report.screenshot({ path: `${screenshotDir}/report-html.png`, fullPage: true });
  await context.close();

  // The CLI, on the same store and runs, writes the same report.
  const html = await readFile(file, 'utf8');
  const cliOut = path.join(out as string, 'cli.html');
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'electron/cli/main.ts'), 'report', (app as RunningApp).dir, '--runs', picked.map((p) => p.run_id).join(','), '--best', 'r2_score', '--max', '--title', 'Four forests', '--format', 'html', '--out', cliOut, '--json'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const cli = await readFile(cliOut, 'utf8');
  const manifest = (s: string) => JSON.parse(/<script type="application\/json" id="runsight-manifest">(.*?)<\/script>/s.exec(s)?.[1] ?? 'null') as { runIds: string[]; dataSha256: string };
  expect(manifest(cli).runIds).toEqual(manifest(html).runIds);
  expect(manifest(cli).dataSha256).toBe(manifest(html).dataSha256);
  const table = (s: string) => /<table id="runs-table"[\s\S]*?<\/table>/.exec(s)?.[0];
  expect(table(cli)).toBe(table(html));
  const sections = (s: string) => [...s.matchAll(/<section id="([a-z]+)">/g)].map((m) => m[1]);
  expect(sections(cli)).toEqual(sections(html));
});

test('Export PDF: run names and the rationale on page 1, every page renders', async ({ page, screenshotDir }) => {
  test.skip(!existsSync('/usr/bin/pdftotext'), 'poppler-utils (pdftotext, pdftoppm) is not installed; .ci/run installs it');
  const { picked } = await openWithFour(page);
  const file = await exportAs(page, 'pdf', 'Four forests, printed');
  expect(file.endsWith('.pdf')).toBe(true);
  expect((await readFile(file)).subarray(0, 5).toString()).toBe('%PDF-');
  const first = spawnSync('pdftotext', ['-f', '1', '-l', '1', '-layout', file, '-'], { encoding: 'utf8' });
  expect(first.status).toBe(0);
  const text = first.stdout.replace(/\s+/g, ' ');
  for (const r of picked) expect(text).toContain(r.run_name);
  expect(text).toContain('best of 4 runs by `r2_score` (max)');
  expect(text).toMatch(/page 1 of \d+/);
  const pngDir = path.join(out as string, 'pages');
  await (await import('node:fs/promises')).mkdir(pngDir);
  const ppm = spawnSync('pdftoppm', ['-r', '60', '-png', file, path.join(pngDir, 'page')], { encoding: 'utf8' });
  expect(ppm.status).toBe(0);
  const pages = (await readdir(pngDir)).sort();
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  const count = Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1]);
  expect(pages.length).toBe(count);
  for (const p of pages) {
    expect((await stat(path.join(pngDir, p))).size).toBeGreaterThan(2000);
    await (await import('node:fs/promises')).copyFile(path.join(pngDir, p), path.join(screenshotDir, `report-pdf-${p}`));
  }
});

test('Export from a table selection: CSV of exactly the selected runs, values as logged', async ({ page }) => {
  const picked = seedRuns().slice(5, 7);
  app = await openApp(page, 'seed-rf');
  const runs = new RunsPage(page);
  await runs.waitIdle();
  await runs.cell((picked[0] as ExpectedRun).run_id, 'attributes.run_name').click();
  await runs.cell((picked[1] as ExpectedRun).run_id, 'attributes.run_name').click({ modifiers: ['ControlOrMeta'] });
  await expect(page.getByTestId('selection-export')).toHaveText(/Export 2/);
  await page.getByTestId('selection-export').click();
  await page.getByTestId('export-format-csv').click();
  out = await mkdtemp(path.join(tmpdir(), 'runsight-export-'));
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('export-save').click()]);
  const file = path.join(out, download.suggestedFilename());
  await download.saveAs(file);
  const lines = (await readFile(file, 'utf8')).trim().split(/\r?\n/);
  expect(lines).toHaveLength(3);
  const header = (lines[0] as string).split(',');
  for (const r of picked) {
    const row = lines.find((l) => l.startsWith(`${r.run_id},`))?.split(',') ?? [];
    expect(row[header.indexOf('run_name')]).toBe(r.run_name);
    for (const [k, v] of Object.entries(r.metrics)) expect(Number(row[header.indexOf(`metrics.${k}`)])).toBe(Number(v));
    for (const [k, v] of Object.entries(r.params)) expect(row[header.indexOf(`params.${k}`)]).toBe(v);
  }
});
