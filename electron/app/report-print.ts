// Reports printed by Electron's own Chromium (printToPDF) — the desktop app needs no other
// browser. A hidden window in its own in-memory session loads the report from a temp file; every
// request other than that file is cancelled, there is no preload and no Node, and the window is
// destroyed afterwards. The report's hooks (__runsightStatic) turn the charts into PNGs first, as
// in headless Chromium (electron/engine/backend/report/chromium.ts).
import type { BrowserWindow, Session } from 'electron';
import type { ReportPrinter } from '../engine/backend/report/export.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pdfFooter, type RenderedReport } from '../engine/backend/report/chromium.ts';

export interface ElectronPrintDeps {
  BrowserWindow: typeof BrowserWindow;
  fromPartition(partition: string, options: { cache: boolean }): Session;
}

export function electronReportPrinter(deps: ElectronPrintDeps): ReportPrinter {
  return (html, want) => printReport(deps, html, want);
}

async function printReport(deps: ElectronPrintDeps, html: string, want: { pdf?: boolean; charts?: boolean; footer?: string }): Promise<RenderedReport> {
  const { BrowserWindow } = deps;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'runsight-print-'));
  const file = path.join(dir, 'report.html');
  await writeFile(file, html);
  const url = pathToFileURL(file).href;
  const ses = deps.fromPartition(`runsight-report-${Date.now()}`, { cache: false });
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: details.url !== url && !details.url.startsWith('blob:') && !details.url.startsWith('data:') }));
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  const win = new BrowserWindow({
    show: false,
    width: 1200,
    height: 900,
    webPreferences: { session: ses, sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: true, offscreen: false },
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  try {
    await win.loadURL(url);
    const urls = (await win.webContents.executeJavaScript('window.__runsightStatic()', true)) as Record<string, string>;
    const out: RenderedReport = {};
    if (want.charts) out.charts = Object.fromEntries(Object.entries(urls).map(([id, u]) => [id, Buffer.from(u.slice(u.indexOf(',') + 1), 'base64')]));
    if (want.pdf) {
      out.pdf = await win.webContents.printToPDF({
        pageSize: 'A4',
        landscape: true,
        printBackground: true,
        margins: { top: 0.55, bottom: 0.65, left: 0.4, right: 0.4 },
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: pdfFooter(want.footer ?? ''),
      });
    }
    return out;
  } finally {
    win.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
