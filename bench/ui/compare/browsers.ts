// The browsers the compare benchmarks run in, and the software rasterizer each one's WebGL uses:
// SwiftShader (headless, --disable-gpu) and Mesa llvmpipe (headed on an X display, an Xvfb started
// here when DISPLAY is unset); the page's main-thread CPU clock; the Chromium version.
import { chromium, type Browser, type Page } from '@playwright/test';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { webglRendererInPage } from './in-page.ts';
import { CHROMIUM } from './settings.ts';

const COMMON_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A browser and the software rasterizer its WebGL runs on. */
export interface Rasterizer {
  /** swiftshader / llvmpipe / other. */
  label: string;
  renderer: string;
  /** How Chromium was started. */
  mode: string;
  browser: Browser;
}

export function labelOf(renderer: string): string {
  if (/swiftshader/i.test(renderer)) return 'swiftshader';
  if (/llvmpipe/i.test(renderer)) return 'llvmpipe';
  return 'other';
}

async function withRenderer(browser: Browser, mode: string): Promise<Rasterizer> {
  const page = await browser.newPage();
  try {
    const renderer = await page.evaluate(webglRendererInPage);
    return { label: labelOf(renderer), renderer, mode, browser };
  } finally {
    await page.close();
  }
}

/** Headless with --disable-gpu: ANGLE on SwiftShader (Vulkan, Subzero JIT), as in the e2e tests. */
export async function launchSwiftShader(): Promise<Rasterizer> {
  const browser = await chromium.launch({ executablePath: existsSync(CHROMIUM) ? CHROMIUM : undefined, args: [...COMMON_ARGS, '--disable-gpu'] });
  return withRenderer(browser, 'headless, --disable-gpu');
}

/** Headed on an X display with ANGLE's GL backend: Mesa's llvmpipe (multi-threaded LLVM JIT). */
export async function launchLlvmpipe(display: string): Promise<Rasterizer> {
  const browser = await chromium.launch({
    headless: false,
    executablePath: existsSync(CHROMIUM) ? CHROMIUM : undefined,
    env: { ...process.env, DISPLAY: display },
    args: [...COMMON_ARGS, '--use-angle=gl', '--ignore-gpu-blocklist', '--window-size=1600,1000'],
  });
  return withRenderer(browser, `headed on X display ${display}, --use-angle=gl --ignore-gpu-blocklist`);
}

/**
 * The X display for headed Chromium: $DISPLAY, or an Xvfb started here on a free display number
 * (Xvfb picks it and reports it on fd 3: -displayfd). `stop` ends only that Xvfb.
 */
export async function xDisplay(): Promise<{ display: string; started: boolean; stop(): Promise<void> }> {
  if (process.env.DISPLAY) return { display: process.env.DISPLAY, started: false, stop: async () => {} };
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1920x1080x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const n = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('Xvfb reported no display within 10 s')), 10_000);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Xvfb exited with ${code}: ${err.trim().split('\n').slice(-2).join(' ')}`));
      });
      (child.stdio[3] as Readable).on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.trim());
        }
      });
    });
    return { display: `:${n}`, started: true, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The page's main-thread CPU clock in ms (CDP Performance.getMetrics ThreadTime). */
export async function cpuClock(page: Page): Promise<() => Promise<number>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const t = metrics.find((m) => m.name === 'ThreadTime');
    if (!t) throw new Error('Performance.getMetrics has no ThreadTime');
    return t.value * 1000;
  };
}

export function chromiumVersion(): string {
  try {
    // (stderr: Debian's launcher script complains about its own memory check.)
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export interface RasterizerInfo {
  label: string;
  renderer: string;
  mode: string;
  parts: string[];
}

