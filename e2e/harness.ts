// Per-test browser mode: copy a fixture store into a temp dir, start the real `runsight serve`
// on it (port 0, fixed token), open the printed URL. Nothing is mocked.
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const fixturesDir = process.env.RUNSIGHT_FIXTURES ?? path.resolve(repoRoot, '../shared/fixtures');
export type FixtureName = 'seed-rf' | 'kitchen-sink' | 'kitchen-sink-sqlite';

export interface RunningApp {
  /** The temp copy of the fixture (write to it to simulate training). */
  dir: string;
  url: string;
  origin: string;
  token: string;
  page: Page;
  stop(): Promise<void>;
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await makeWritable(p);
    else if (e.isFile()) await chmod(p, 0o644);
  }
}

export async function copyFixture(name: FixtureName): Promise<{ base: string; dir: string }> {
  const base = await mkdtemp(path.join(tmpdir(), `runsight-e2e-${name}-`));
  const dir = path.join(base, name);
  await cp(path.join(fixturesDir, name), dir, { recursive: true });
  await makeWritable(dir);
  return { base, dir };
}

export async function startServe(
  target: string,
  configDir: string,
  /**
   * `cacheDir`: where index snapshots go (default: inside configDir, so a fresh one reads cold).
   * `entry`: the CLI to run (default the sources, electron/cli/main.ts; benchmarks run the built one).
   */
  options: { waitIndexed?: boolean; cacheDir?: string; entry?: string } = {},
): Promise<{ child: ChildProcess; url: string; token: string; output: () => string }> {
  const token = randomBytes(16).toString('hex');
  const entry = options.entry ?? path.join(repoRoot, 'electron/cli/main.ts');
  const child = spawn(process.execPath, [entry, 'serve', target, '--port', '0', '--token', token], {
    cwd: repoRoot,
    env: { ...process.env, RUNSIGHT_CONFIG_DIR: configDir, RUNSIGHT_CACHE_DIR: options.cacheDir ?? path.join(configDir, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runsight serve did not start:\n${out}\n${err}`)), options.waitIndexed ? 60 * 60_000 : 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      // The serve command prints the URL first, then a line once every store is indexed.
      if (m?.[1] && (!options.waitIndexed || /store\(s\) indexed|runsight: /.test(out))) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`runsight serve exited with ${code}:\n${out}\n${err}`));
    });
  });
  return { child, url, token, output: () => out };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Waits for the page's first table paint (the app sets data-ready on body). */
export async function waitReady(page: Page): Promise<void> {
  await expect(page.locator('body[data-ready="true"]')).toHaveCount(1, { timeout: 30_000 });
}

/** Opens browser mode on a fresh copy of `fixture` and waits for the first table paint. */
/** `prepare` edits the fixture copy before the app opens it (e.g. to make a store larger). */
export async function openApp(page: Page, fixture: FixtureName, options: { prepare?: (dir: string) => Promise<void> } = {}): Promise<RunningApp> {
  const { base, dir } = await copyFixture(fixture);
  await options.prepare?.(dir);
  const { child, url, token } = await startServe(dir, path.join(base, 'config'));
  await page.goto(url);
  await waitReady(page);
  return {
    dir,
    url,
    origin: new URL(url).origin,
    token,
    page,
    async stop() {
      await stopChild(child);
      await rm(base, { recursive: true, force: true });
    },
  };
}

export const test = base.extend<{ screenshotDir: string }>({
  screenshotDir: async ({}, use) => {
    await use(path.join(repoRoot, 'test-results/screenshots'));
  },
});
export { expect };
