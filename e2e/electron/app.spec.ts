// The desktop app itself: the built main process (out/main/main.js) launched by Playwright's
// _electron on a fresh fixture copy, with a throwaway userData folder per test.
import { _electron, expect, test as base, type ElectronApplication, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { copyFixture, type FixtureName } from '../harness.ts';
import { displayProblem, findElectronBinary, repoRoot } from './electron-env.ts';

const binary = findElectronBinary();
const display = displayProblem();

interface Launched {
  app: ElectronApplication;
  page: Page;
  /** The fixture copy the app was opened on. */
  dir: string;
}

async function launch(fixture: FixtureName, cleanups: (() => Promise<void>)[]): Promise<Launched> {
  if (!binary.ok) throw new Error(binary.reason);
  for (const built of ['out/main/main.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
    if (!existsSync(path.join(repoRoot, built))) throw new Error(`${built} is missing: run \`npm run build\` first`);
  }
  const { base: fixtureBase, dir } = await copyFixture(fixture);
  const userData = await mkdtemp(path.join(tmpdir(), 'runsight-electron-userdata-'));
  cleanups.push(() => rm(fixtureBase, { recursive: true, force: true }), () => rm(userData, { recursive: true, force: true }));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  delete env.ELECTRON_RENDERER_URL; // always the built renderer, never a dev server
  env.RUNSIGHT_USER_DATA_DIR = userData;
  const app = await _electron.launch({
    executablePath: binary.executablePath,
    cwd: repoRoot,
    // Chromium refuses to start as root with its OS sandbox (CI containers); the renderer is
    // still sandboxed from Electron's side, which is what these tests check.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), 'out/main/main.js', dir],
    env,
  });
  cleanups.push(() => app.close());
  const page = await app.firstWindow();
  await expect(page.locator('body[data-ready="true"]')).toHaveCount(1, { timeout: 30_000 });
  return { app, page, dir };
}

const test = base.extend<{ cleanups: (() => Promise<void>)[] }>({
  cleanups: async ({}, use) => {
    const cleanups: (() => Promise<void>)[] = [];
    await use(cleanups);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  },
});

test.beforeEach(() => {
  test.skip(!binary.ok, binary.ok ? '' : binary.reason);
  test.skip(display !== null, display ?? '');
});

test('the window is isolated, sandboxed and has no Node', async ({ cleanups }) => {
  const { app, page } = await launch('seed-rf', cleanups);
  const prefs = await app.evaluate(({ BrowserWindow }) => {
    const wins = BrowserWindow.getAllWindows();
    // Undocumented (absent from electron.d.ts) but present: the preferences the renderer actually got.
    const contents = wins[0]!.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> | null };
    const p = contents.getLastWebPreferences();
    return {
      windows: wins.length,
      url: wins[0]!.webContents.getURL(),
      contextIsolation: p?.contextIsolation,
      sandbox: p?.sandbox,
      nodeIntegration: p?.nodeIntegration,
      nodeIntegrationInSubFrames: p?.nodeIntegrationInSubFrames,
      webSecurity: p?.webSecurity,
      webviewTag: p?.webviewTag,
    };
  });
  expect(prefs).toEqual({
    windows: 1,
    url: 'app://runsight/index.html',
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    webviewTag: false,
  });

  const page_ = await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    const bridge = w.runsight as Record<string, unknown>;
    // The CSP (script-src 'self') must stop an injected inline script.
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.append(s);
    return {
      require: typeof w.require,
      process: typeof w.process,
      module: typeof w.module,
      bridgeKeys: Object.keys(bridge).sort(),
      inlineRan: w.__inlineRan === true,
    };
  });
  expect(page_).toEqual({ require: 'undefined', process: 'undefined', module: 'undefined', bridgeKeys: ['call', 'on'], inlineRan: false });
});

test('window.open never opens a window; https links go to the OS browser', async ({ cleanups }) => {
  const { app, page } = await launch('seed-rf', cleanups);
  // Replace shell.openExternal so the test never starts a real browser.
  const stubbed = await app.evaluate(({ shell }) => {
    const g = globalThis as unknown as { __opened: string[] };
    g.__opened = [];
    const stub = async (url: string) => {
      g.__opened.push(url);
    };
    try {
      shell.openExternal = stub;
    } catch {
      return false;
    }
    return shell.openExternal === stub;
  });
  expect(await page.evaluate(() => window.open('http://example.com/') === null)).toBe(true);
  expect(await page.evaluate(() => window.open('app://runsight/index.html') === null)).toBe(true);
  if (stubbed) expect(await page.evaluate(() => window.open('https://mlflow.org/docs/latest/') === null)).toBe(true);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  if (stubbed) {
    await expect.poll(() => app.evaluate(() => (globalThis as unknown as { __opened: string[] }).__opened)).toEqual(['https://mlflow.org/docs/latest/']);
  }
});

test('navigation away from the app is blocked', async ({ cleanups }) => {
  const { app, page } = await launch('seed-rf', cleanups);
  // Registered after the app's own handler, so it sees that handler's decision.
  await app.evaluate(({ BrowserWindow }) => {
    const g = globalThis as unknown as { __nav: { url: string; prevented: boolean }[] };
    g.__nav = [];
    BrowserWindow.getAllWindows()[0]!.webContents.on('will-navigate', (e) => {
      g.__nav.push({ url: e.url, prevented: e.defaultPrevented });
    });
  });
  await page.evaluate(() => {
    location.href = 'https://example.com/';
  });
  await expect
    .poll(() => app.evaluate(() => (globalThis as unknown as { __nav: unknown[] }).__nav))
    .toEqual([{ url: 'https://example.com/', prevented: true }]);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.getURL())).toBe('app://runsight/index.html');
  await expect(page.locator('body[data-ready="true"]')).toHaveCount(1);
});

test('a folder dropped on the window (a file:// navigation) opens as the project', async ({ cleanups }) => {
  const { page } = await launch('seed-rf', cleanups);
  const { base: otherBase, dir: other } = await copyFixture('kitchen-sink');
  cleanups.push(() => rm(otherBase, { recursive: true, force: true }));
  await page.evaluate((url) => {
    location.href = url;
  }, pathToFileURL(other).href + '/');
  // Main opens it and reloads the page, which starts over on the new project.
  await expect(page.getByTestId('project-path')).toContainText(path.basename(other), { timeout: 30_000 });
  await expect(page.locator('body[data-ready="true"]')).toHaveCount(1, { timeout: 30_000 });
  expect(page.url()).toBe('app://runsight/index.html');
});

test('seed-rf: the runs table shows its 16 runs over IPC', async ({ cleanups }) => {
  const { page, dir } = await launch('seed-rf', cleanups);
  const status = await page.evaluate(async () => {
    const bridge = (window as unknown as { runsight: { call(m: string, a: unknown): Promise<{ ok: boolean; value?: { host: string; project: string } }> } }).runsight;
    return bridge.call('getStatus', {});
  });
  expect(status).toMatchObject({ ok: true, value: { host: 'electron', project: dir } });
  await expect(page.getByTestId('run-count')).toHaveAttribute('data-count', '16');
  await expect(page.locator('[data-testid^="run-row-"]')).toHaveCount(16);
  await page.screenshot({ path: path.join(repoRoot, 'test-results/screenshots/electron-seed-rf.png') });
});

test('Export report: the save dialog picks the path, Electron prints the PDF itself', async ({ cleanups }) => {
  const { app, page } = await launch('seed-rf', cleanups);
  const outDir = await mkdtemp(path.join(tmpdir(), 'runsight-electron-export-'));
  cleanups.push(() => rm(outDir, { recursive: true, force: true }));
  const target = path.join(outDir, 'sweep.pdf');
  // The native dialog cannot be driven; answer it from the main process instead.
  await app.evaluate(({ dialog }, file) => {
    dialog.showSaveDialog = (async () => ({ canceled: false, filePath: file })) as typeof dialog.showSaveDialog;
  }, target);
  await page.getByTestId('compare-toggle').click();
  await page.getByTestId('compare-export').click();
  await page.getByTestId('export-format-pdf').click();
  await expect(page.getByTestId('export-save')).toHaveText('Save…');
  await page.getByTestId('export-save').click();
  await expect(page.getByTestId('export-done')).toContainText(`Saved to ${target}`, { timeout: 120_000 });
  expect((await readFile(target)).subarray(0, 5).toString()).toBe('%PDF-');
});
