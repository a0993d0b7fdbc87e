// Headless Chromium for the formats that need a browser's layout: PDF (print) and the Markdown
// report's chart PNGs. playwright-core drives the system's Chromium (Debian: /usr/bin/chromium) —
// found the way the e2e harness finds it — so no browser is downloaded. Electron hosts use their
// own Chromium instead (electron/app/report-print.ts). The page is loaded from a temp file with
// every request outside it refused, so a report renders exactly as it will on a reader's machine.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EngineError } from '../../errors.ts';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'];

/** RUNSIGHT_CHROMIUM, else the usual install locations; null when none exists. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env.RUNSIGHT_CHROMIUM ?? env.CHROME_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export function chromiumMissing(what: string): EngineError {
  const env = process.env.RUNSIGHT_CHROMIUM ?? process.env.CHROME_PATH;
  const looked = env ? `RUNSIGHT_CHROMIUM=${env} does not exist` : `looked at ${CANDIDATES.slice(0, 4).join(', ')}`;
  return new EngineError('NOT_FOUND', `${what} needs Chromium or Chrome, and none was found (${looked}). Install it (Debian/Ubuntu: apt-get install chromium) or set RUNSIGHT_CHROMIUM to its executable.`);
}

export interface RenderedReport {
  pdf?: Buffer;
  /** Chart PNGs by chart element id. */
  charts?: Record<string, Buffer>;
}

/** Loads the report's HTML in headless Chromium, waits for its charts, and prints / captures. */
export async function renderInChromium(html: string, want: { pdf?: boolean; charts?: boolean; footer?: string }): Promise<RenderedReport> {
  const executablePath = findChromium();
  if (!executablePath) throw chromiumMissing(want.pdf ? 'PDF export' : 'Chart images');
  const { chromium } = await import('playwright-core');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'runsight-report-'));
  const file = path.join(dir, 'report.html');
  const browser = await chromium.launch({ executablePath, args: ['--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'] });
  try {
    await writeFile(file, html);
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1, offline: true });
    const fileUrl = pathToFileURL(file).href;
    await context.route('**/*', (route) => (route.request().url() === fileUrl ? route.continue() : route.abort()));
    const page = await context.newPage();
    await page.goto(fileUrl, { waitUntil: 'load' });
    await page.waitForFunction(() => (window as unknown as { __runsightReady?: Promise<number> }).__runsightReady !== undefined, undefined, { timeout: 60_000 });
    const urls = (await page.evaluate(() => (window as unknown as { __runsightStatic(): Promise<Record<string, string>> }).__runsightStatic())) as Record<string, string>;
    const out: RenderedReport = {};
    if (want.charts) {
      out.charts = Object.fromEntries(Object.entries(urls).map(([id, url]) => [id, Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')]));
    }
    if (want.pdf) {
      await page.emulateMedia({ media: 'print' });
      out.pdf = await page.pdf({
        format: 'A4',
        landscape: true,
        printBackground: true,
        margin: { top: '14mm', bottom: '16mm', left: '10mm', right: '10mm' },
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: pdfFooter(want.footer ?? ''),
      });
    }
    return out;
  } finally {
    await browser.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Page numbers (Chromium fills .pageNumber / .totalPages) and the report's title, escaped. */
export function pdfFooter(title: string): string {
  const t = title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<div style="font-size:8px;width:100%;padding:0 10mm;display:flex;justify-content:space-between;color:#59636e;font-family:system-ui,sans-serif"><span>${t}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}
