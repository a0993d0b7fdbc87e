// The harness part: bench/ui/harness (built here with Vite, served under the app's CSP) feeds
// synthetic runs through the app's chart builders and <Plot> wrapper — scatter with 100k points,
// metric curves for 50 runs × 10k steps, parcoords 10k without the fetch (the app's canvas chart
// and plotly's parcoords side by side).
import react from '@vitejs/plugin-react';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { build } from 'vite';
import { BENCH_DIR, CACHE_DIR } from '../../lib/paths.ts';
import type { Dist } from '../../lib/stats.ts';
import { cpuClock, labelOf, type Rasterizer } from './browsers.ts';
import { benchInPage, webglRendererInPage, type BenchCall, type HarnessResult, type PageGlobals } from './in-page.ts';
import { dist, round1, TARGETS, type Row, type Settings } from './settings.ts';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'";
export async function buildHarness(): Promise<string> {
  const outDir = path.join(CACHE_DIR, 'ui-harness');
  await build({
    configFile: false,
    logLevel: 'warn',
    root: path.join(BENCH_DIR, 'ui', 'harness'),
    base: './',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 8000 },
  });
  return outDir;
}

const MIME: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

export async function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.resolve(dir, rel);
    if (!file.startsWith(dir + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}/index.html`, close: () => new Promise((r) => server.close(() => r())) };
}

/** The harness benchmarks in one browser: every row tagged with that browser's rasterizer. */
export async function harnessPart(settings: Settings, rast: Rasterizer, url: string, log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const page: Page = await rast.browser.newPage({ viewport: { width: 1400, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
  const renderer = await page.evaluate(webglRendererInPage);
  const label = labelOf(renderer);
  const cpu = await cpuClock(page);
  await page.evaluate(() => (globalThis as unknown as PageGlobals).__bench?.warm());
  const run = async (bench: string, what: string, target: number | null, input: [number, number], call: (i: number) => BenchCall) => {
    // The synthetic runs are generated before, untimed (not in the CPU counter either).
    await page.evaluate(([n, steps]) => (globalThis as unknown as PageGlobals).__bench?.prepare(n, steps), input);
    const res: (HarnessResult & { gpuTailMs: number; glCanvases: number; cpuMs: number })[] = [];
    for (let i = 0; i < settings.reps; i++) {
      const c0 = await cpu();
      const r = await page.evaluate(benchInPage, call(i));
      res.push({ ...r, cpuMs: (await cpu()) - c0 });
    }
    const d = (f: (r: (typeof res)[number]) => number) => dist(res.map(f));
    const row: Row = {
      name: `${bench} [${label}]`,
      bench,
      rasterizer: label,
      renderer,
      what,
      targetMs: target,
      metric: 'p50',
      ms: d((r) => r.totalMs),
      detail: {
        buildMs: d((r) => r.buildMs),
        drawMs: d((r) => r.drawMs),
        mainThreadCpuMs: d((r) => r.cpuMs),
        plotlyCpuMs: d((r) => r.cpuMs - r.buildMs),
        notOnCpuMs: d((r) => r.totalMs - r.cpuMs),
        gpuTailMs: d((r) => r.gpuTailMs),
        untilGpuIdleMs: d((r) => r.totalMs + r.gpuTailMs),
        samples: res.map((r) => ({ totalMs: round1(r.totalMs), buildMs: round1(r.buildMs), cpuMs: round1(r.cpuMs), gpuTailMs: round1(r.gpuTailMs) })),
        glCanvases: res[0]?.glCanvases,
        drawnPoints: res[0]?.drawn,
        loadavg1: round1(os.loadavg()[0] ?? NaN),
      },
    };
    rows.push(row);
    const x = row.detail as Record<string, Dist>;
    log(
      `harness [${label}]: ${bench} p50 ${row.ms.p50} ms (build ${x.buildMs?.p50}, main-thread CPU ${x.mainThreadCpuMs?.p50}, not on CPU ${x.notOnCpuMs?.p50}; GPU tail ${x.gpuTailMs?.p50})`,
    );
  };
  const scatterN = settings.quick ? 20_000 : 100_000;
  await run(`scatter-${scatterN}`, `scatter (scattergl) of ${scatterN} runs coloured by a metric: build + draw`, settings.quick ? null : TARGETS.scatter100k, [scatterN, 0], () => ({
    kind: 'scatter',
    n: scatterN,
  }));
  // Parallel coordinates: the app's own chart (canvas), then plotly's parcoords (WebGL, what the
  // app drew before) on the same runs, side by side in the same page.
  for (const [lib, kind, what] of [
    ['canvas', 'parcoords-canvas', "the app's chart (charts/ParallelCoordinates.tsx: 2D canvas + SVG axes)"],
    ['plotly', 'parcoords', "plotly's parcoords (WebGL), the reference the app's chart replaced"],
  ] as const) {
    const name = lib === 'canvas' ? 'parcoords-canvas-harness' : 'parcoords-harness';
    await run(`${name}-10000`, `${what}: 10 000 runs × 8 axes, first open (a new chart): build + draw (no fetch)`, lib === 'canvas' ? TARGETS.parcoords10k : null, [10_000, 0], () => ({
      kind,
      n: 10_000,
      fresh: true,
      color: 'metrics.val_loss',
    }));
    // On the chart left by the last first-open repetition (coloured by val_loss): colour-by changes.
    await run(`${name}-10000-update`, `${what}: 10 000 runs × 8 axes, update: colour-by change on the open chart, build + draw`, null, [10_000, 0], (i) => ({
      kind,
      n: 10_000,
      fresh: false,
      color: i % 2 === 0 ? 'metrics.train_loss' : 'metrics.val_loss',
    }));
    await run(`${name}-10`, `${what}: 10 runs × 8 axes, first open: what a new chart costs before any line`, null, [10, 0], () => ({ kind, n: 10, fresh: true, color: 'metrics.val_loss' }));
  }
  const steps = settings.quick ? 2000 : 10_000;
  await run(`curves-50x${steps}`, `metric curves, 50 runs × ${steps} steps (M4 to 1000 px): build + draw`, settings.quick ? null : TARGETS.curves50x10k, [50, steps], () => ({
    kind: 'curves',
    runs: 50,
    steps,
    smoothing: 0,
  }));
  await run(
    `curves-50x${steps}-smoothed`,
    `same with EMA 0.6 (raw curve underneath: twice the traces)`,
    settings.quick ? null : TARGETS.curves50x10k,
    [50, steps],
    () => ({ kind: 'curves', runs: 50, steps, smoothing: 0.6 }),
  );
  if (errors.length > 0) throw new Error(`harness page errors [${label}]: ${errors.join('; ')}`);
  await page.close();
  return rows;
}
