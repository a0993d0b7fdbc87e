// UI benchmarks of the compare views (`npm run bench:ui`). Not tests: nothing asserts on time;
// every number is printed next to its target and written to bench/results/ui-compare.json.
//
// Two parts, both in Debian's Chromium (the e2e browser, software WebGL):
//  - app: the real app (`runsight serve`) on the 10k-run synthetic store of bench/generate-store.ts
//    (cached in bench/.cache), all 5 experiments selected: opening parallel coordinates on 10k
//    runs (rows over the WebSocket, then the draw), redrawing it, and brushing an axis until the
//    runs table shows the brushed runs (the "brush on 10k runs updates the table").
//  - harness: bench/ui/harness (built here with Vite, served under the app's CSP) feeds synthetic
//    runs through the same builders and <Plot> wrapper: scatter with 100k points and metric curves
//    for 50 runs × 10k steps (no fixture store has those), and parcoords 10k without the fetch.
// Timing is taken inside the page (performance.now / the wrapper's performance marks), from the
// user action to the frame after plotly finished drawing.
//
//   node bench/ui/compare.ts              everything → bench/results/ui-compare.json
//   node bench/ui/compare.ts --quick      1k-run store, fewer repetitions → ui-compare-quick.tmp.json
//   node bench/ui/compare.ts --only app   (or harness)
import { chromium, type Browser, type Page } from '@playwright/test';
import react from '@vitejs/plugin-react';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { startServe, stopChild } from '../../e2e/harness.ts';
import { BENCH_DIR, CACHE_DIR, ensureStore } from '../generate-store.ts';

const TARGETS = { parcoords10k: 1000, scatter100k: 1500, brush10k: 100, curves50x10k: 1000 };
const CHROMIUM = process.env.RUNSIGHT_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(BENCH_DIR, '..', 'test-results', 'screenshots');
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'";

interface Settings {
  quick: boolean;
  parts: Set<'app' | 'harness'>;
  reps: number;
  storeRuns: number;
  out: string;
}

function parseArgs(argv: string[]): Settings {
  let quick = false;
  let parts: ('app' | 'harness')[] = ['app', 'harness'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--only') {
      const v = argv[++i];
      if (v !== 'app' && v !== 'harness') throw new Error('--only app|harness');
      parts = [v];
    } else throw new Error(`unknown argument ${a}`);
  }
  const partial = parts.length !== 2;
  return {
    quick,
    parts: new Set(parts),
    reps: quick ? 2 : 5,
    storeRuns: quick ? 1000 : 10_000,
    out: path.join(BENCH_DIR, 'results', quick || partial ? `ui-compare-${quick ? 'quick' : parts.join('+')}.tmp.json` : 'ui-compare.json'),
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics (same nearest-rank quantiles as bench/run.ts)

interface Dist {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

function dist(xs: number[]): Dist {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, min: r(s[0] ?? NaN), p50: r(q(0.5)), p95: r(q(0.95)), max: r(s[s.length - 1] ?? NaN) };
}

interface Row {
  name: string;
  /** What is timed, from which action to which frame. */
  what: string;
  targetMs: number | null;
  /** The statistic compared with the target. */
  metric: 'p50' | 'p95';
  ms: Dist;
  detail?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// In-page code. These functions run in Chromium; the bench is typechecked as Node code, so the
// few page APIs they touch are described structurally here instead of pulling in the DOM lib.

interface PageEl {
  getAttribute(name: string): string | null;
  dispatchEvent(e: unknown): boolean;
  click(): void;
  value: string;
}
interface PageGlobals {
  document: { querySelector(sel: string): PageEl | null };
  requestAnimationFrame(cb: () => void): number;
  Event: new (type: string, init?: { bubbles?: boolean }) => unknown;
  __runsightCharts?: {
    parcoords?: { runIds: string[]; dimensions: { key: string; type: string; values: number[] }[] };
  };
  __bench?: {
    warm(): Promise<void>;
    scatter(n: number): Promise<HarnessResult>;
    parcoords(n: number): Promise<HarnessResult>;
    curves(runs: number, steps: number, smoothing: number): Promise<HarnessResult>;
  };
}
interface GraphDiv {
  data: { dimensions?: { constraintrange?: number[] }[] }[];
  _fullData: { dimensions?: { constraintrange?: number[] }[] }[];
  emit(event: string, payload: unknown): void;
}
interface HarnessResult {
  buildMs: number;
  drawMs: number;
  totalMs: number;
  drawn: number;
}

/** Opens the compare panel and resolves when parcoords has drawn: {total, rows, draw} in ms. */
function openParcoordsInPage(): Promise<{ totalMs: number; rowsMs: number | null; drawMs: number | null; lines: number }> {
  const g = globalThis as unknown as PageGlobals;
  performance.clearMeasures();
  performance.clearMarks();
  const t0 = performance.now();
  g.document.querySelector('[data-testid=compare-toggle]')?.click();
  return new Promise((resolve) => {
    const check = () => {
      const plot = g.document.querySelector('[data-testid=plot-parcoords]');
      if (plot?.getAttribute('data-plot-state') === 'ready') {
        g.requestAnimationFrame(() => {
          const rows = performance.getEntriesByName('runsight:compare:rows')[0];
          const draws = performance.getEntriesByName('runsight:plot:parcoords');
          resolve({
            totalMs: performance.now() - t0,
            rowsMs: rows ? rows.startTime - t0 : null,
            drawMs: draws.length > 0 ? (draws[draws.length - 1]?.duration ?? null) : null,
            lines: g.__runsightCharts?.parcoords?.runIds.length ?? 0,
          });
        });
      } else g.requestAnimationFrame(check);
    };
    check();
  });
}

/** Changes parcoords' colour-by (a full rebuild + redraw) and times it to the painted frame. */
function recolorInPage(key: string): Promise<number> {
  const g = globalThis as unknown as PageGlobals;
  const plot = g.document.querySelector('[data-testid=plot-parcoords]');
  const select = g.document.querySelector('[data-testid=parcoords-color]');
  if (!plot || !select) throw new Error('parcoords not shown');
  const before = Number(plot.getAttribute('data-render-count'));
  const t0 = performance.now();
  select.value = key;
  select.dispatchEvent(new g.Event('change', { bubbles: true }));
  return new Promise((resolve) => {
    const check = () => {
      if (Number(plot.getAttribute('data-render-count')) > before) resolve(performance.now() - t0);
      else g.requestAnimationFrame(check);
    };
    check();
  });
}

/**
 * Ends a brush on parcoords axis `axis` (or clears it, with `range` null) exactly as plotly's
 * brush does on mouse-up — it writes `constraintrange` into the trace and emits plotly_restyle
 * (plotly.js src/traces/parcoords/plot.js, filterChanged) — and times it until the runs table
 * shows the new query's rows (its run count changed, its rows belong to the current query) and
 * a frame has been painted. The lines themselves were already redrawn by plotly during the drag.
 */
function brushInPage([axis, range]: [number, [number, number] | null]): Promise<{ ms: number; count: number }> {
  const g = globalThis as unknown as PageGlobals;
  const gd = g.document.querySelector('[data-testid=plot-parcoords] .js-plotly-plot') as unknown as GraphDiv | null;
  const count = g.document.querySelector('[data-testid=run-count]');
  const table = g.document.querySelector('[data-testid=runs-table]');
  if (!gd || !count || !table) throw new Error('parcoords or table not shown');
  const before = count.getAttribute('data-count');
  const key = `dimensions[${axis}].constraintrange`;
  const t0 = performance.now();
  for (const dims of [gd.data[0]?.dimensions, gd._fullData[0]?.dimensions]) {
    const d = dims?.[axis];
    if (!d) continue;
    if (range) d.constraintrange = [...range];
    else delete d.constraintrange;
  }
  gd.emit('plotly_restyle', [{ [key]: range ? [range] : null }, [0]]);
  return new Promise((resolve) => {
    const check = () => {
      const now = g.document.querySelector('[data-testid=run-count]')?.getAttribute('data-count');
      if (now !== undefined && now !== null && now !== before && table.getAttribute('data-query-key') === 'current') {
        g.requestAnimationFrame(() => resolve({ ms: performance.now() - t0, count: Number(now) }));
      } else g.requestAnimationFrame(check);
    };
    check();
  });
}

// ---------------------------------------------------------------------------------------------

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: existsSync(CHROMIUM) ? CHROMIUM : undefined,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

async function appPart(settings: Settings, browser: Browser, log: (s: string) => void): Promise<Row[]> {
  const store = await ensureStore('file', settings.storeRuns, { log });
  const base = await mkdtemp(path.join(os.tmpdir(), 'runsight-bench-ui-'));
  const { child, url } = await startServe(store.projectDir, path.join(base, 'config'));
  const rows: Row[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 300_000 });
    const ids = store.experiments.map((e) => e.id);
    await page.getByTestId(`experiment-${ids[0]}`).click();
    for (const id of ids.slice(1)) await page.getByTestId(`experiment-${id}`).click({ modifiers: ['ControlOrMeta'] });
    await page.waitForSelector(`[data-testid=run-count][data-count="${store.runs}"]`, { timeout: 120_000 });
    log(`app: ${store.runs} runs in the table`);

    const opened = await page.evaluate(openParcoordsInPage);
    log(`app: parcoords open ${opened.totalMs.toFixed(0)} ms (${opened.lines} lines)`);
    rows.push({
      name: `parcoords-open-${store.runs}`,
      what: 'Compare button → parcoords painted: fetch every run over the WebSocket, build, draw',
      targetMs: null,
      metric: 'p50',
      ms: dist([opened.totalMs]),
      detail: { rowsLoadedMs: opened.rowsMs, plotlyDrawMs: opened.drawMs, lines: opened.lines },
    });

    // For a human to look at (not part of any number).
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `compare-bench-parcoords-${store.runs}.png`) });

    const metricKeys = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return g.__runsightCharts?.parcoords?.dimensions.filter((d) => d.key.startsWith('metrics.')).map((d) => d.key) ?? [];
    });
    const [c1, c2] = [metricKeys[0] ?? 'metrics.val_loss', metricKeys[1] ?? 'metrics.train_loss'];
    const redraws: number[] = [];
    for (let i = 0; i < settings.reps; i++) {
      redraws.push(await page.evaluate(recolorInPage, i % 2 === 0 ? c1 : c2));
      await page.waitForTimeout(200);
    }
    const draws = await page.evaluate(() => performance.getEntriesByName('runsight:plot:parcoords').map((e) => e.duration));
    rows.push({
      name: `parcoords-${store.runs}`,
      what: `parcoords with ${store.runs} runs: colour-by change → rebuilt and painted (runs already loaded)`,
      targetMs: settings.storeRuns === 10_000 ? TARGETS.parcoords10k : null,
      metric: 'p50',
      ms: dist(redraws),
      detail: { plotlyDrawMs: dist(draws.slice(1)) },
    });
    log(`app: parcoords redraw p50 ${dist(redraws).p50} ms`);

    const axis = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      const dims = g.__runsightCharts?.parcoords?.dimensions ?? [];
      const k = dims.findIndex((d) => d.key.startsWith('metrics.') && d.type === 'numeric');
      const vals = [...(dims[k]?.values ?? [])].sort((a, b) => a - b);
      return { k, vals: [0.1, 0.3, 0.5, 0.7, 0.9].map((q) => vals[Math.floor(q * (vals.length - 1))] as number) };
    });
    const brushMs: number[] = [];
    const clearMs: number[] = [];
    const counts: number[] = [];
    // Brushes are cheap to repeat: enough of them for a p95 that is not just the maximum.
    for (let i = 0; i < settings.reps * 4; i++) {
      const lo = axis.vals[i % 3] as number;
      const hi = axis.vals[(i % 3) + 2] as number;
      const b = await page.evaluate(brushInPage, [axis.k, [lo, hi]] as [number, [number, number]]);
      brushMs.push(b.ms);
      counts.push(b.count);
      await page.waitForTimeout(150);
      const c = await page.evaluate(brushInPage, [axis.k, null] as [number, null]);
      clearMs.push(c.ms);
      await page.waitForTimeout(150);
    }
    rows.push({
      name: `brush-${store.runs}`,
      what: `brush a metric axis on ${store.runs} runs → runs table shows the brushed runs (painted)`,
      targetMs: settings.storeRuns === 10_000 ? TARGETS.brush10k : null,
      metric: 'p95',
      ms: dist(brushMs),
      detail: { clearBrushMs: dist(clearMs), runsInBrush: [...new Set(counts)], samplesMs: brushMs.map((x) => Math.round(x)) },
    });
    log(`app: brush p50 ${dist(brushMs).p50} ms, p95 ${dist(brushMs).p95} ms`);
    await page.getByTestId('compare-tab-scatter').click();
    await page.waitForSelector('[data-testid=plot-scatter][data-plot-state=ready]', { timeout: 120_000 });
    await page.screenshot({ path: path.join(SHOTS, `compare-bench-scatter-${store.runs}.png`) });
    await page.close();
  } finally {
    await stopChild(child);
    await rm(base, { recursive: true, force: true });
  }
  return rows;
}

async function buildHarness(): Promise<string> {
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

async function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
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

async function harnessPart(settings: Settings, browser: Browser, log: (s: string) => void): Promise<Row[]> {
  const dir = await buildHarness();
  const srv = await serveStatic(dir);
  const rows: Row[] = [];
  try {
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(srv.url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await page.evaluate(() => (globalThis as unknown as PageGlobals).__bench?.warm());
    const run = async (name: string, what: string, target: number | null, fn: () => Promise<HarnessResult>) => {
      const res: HarnessResult[] = [];
      for (let i = 0; i < settings.reps; i++) res.push(await fn());
      rows.push({
        name,
        what,
        targetMs: target,
        metric: 'p50',
        ms: dist(res.map((r) => r.totalMs)),
        detail: { buildMs: dist(res.map((r) => r.buildMs)), drawMs: dist(res.map((r) => r.drawMs)), drawnPoints: res[0]?.drawn },
      });
      log(`harness: ${name} p50 ${dist(res.map((r) => r.totalMs)).p50} ms`);
    };
    const scatterN = settings.quick ? 20_000 : 100_000;
    await run(`scatter-${scatterN}`, `scatter (scattergl) of ${scatterN} runs coloured by a metric: build + draw`, settings.quick ? null : TARGETS.scatter100k, () =>
      page.evaluate((n) => (globalThis as unknown as PageGlobals).__bench!.scatter(n), scatterN),
    );
    await run('parcoords-harness-10000', 'parcoords of 10 000 runs × 8 axes: build + draw (no fetch)', TARGETS.parcoords10k, () =>
      page.evaluate((n) => (globalThis as unknown as PageGlobals).__bench!.parcoords(n), 10_000),
    );
    const steps = settings.quick ? 2000 : 10_000;
    await run(`curves-50x${steps}`, `metric curves, 50 runs × ${steps} steps (M4 to 1000 px): build + draw`, settings.quick ? null : TARGETS.curves50x10k, () =>
      page.evaluate((s) => (globalThis as unknown as PageGlobals).__bench!.curves(50, s, 0), steps),
    );
    await run(`curves-50x${steps}-smoothed`, `same with EMA 0.6 (raw curve underneath: twice the traces)`, settings.quick ? null : TARGETS.curves50x10k, () =>
      page.evaluate((s) => (globalThis as unknown as PageGlobals).__bench!.curves(50, s, 0.6), steps),
    );
    if (errors.length > 0) throw new Error(`harness page errors: ${errors.join('; ')}`);
    await page.close();
  } finally {
    await srv.close();
  }
  return rows;
}

function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2));
  const log = (s: string) => console.log(`[bench:ui] ${s}`);
  const started = Date.now();
  // The machine is shared: the load average says how contended the numbers are.
  const loadAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const browser = await launch();
  const rows: Row[] = [];
  try {
    if (settings.parts.has('harness')) rows.push(...(await harnessPart(settings, browser, log)));
    if (settings.parts.has('app')) rows.push(...(await appPart(settings, browser, log)));
  } finally {
    await browser.close();
  }
  const result = {
    date: new Date().toISOString(),
    commit: (() => {
      try {
        return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
      } catch {
        return null;
      }
    })(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30), loadavgAtStart: loadAtStart, loadavgAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    browser: `${chromiumVersion()} (headless, software WebGL: --disable-gpu)`,
    settings: { quick: settings.quick, reps: settings.reps, storeRuns: settings.storeRuns },
    durationS: Math.round((Date.now() - started) / 1000),
    results: rows.map((r) => ({ ...r, pass: r.targetMs === null ? null : r.ms[r.metric] < r.targetMs })),
    note: 'Chromium renders WebGL with SwiftShader here (no GPU): plotly parcoords waits for the GPU after each axis pair (a 1-pixel readPixels), so its draw time is software rasterization; see detail.buildMs for the time in our code.',
  };
  await mkdir(path.dirname(settings.out), { recursive: true });
  await writeFile(settings.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log('');
  console.log('benchmark'.padEnd(30), 'p50 ms'.padStart(9), 'p95 ms'.padStart(9), 'target'.padStart(9), '  result');
  for (const r of result.results) {
    const verdict = r.pass === null ? '' : r.pass ? `pass (${r.metric})` : `MISS (${r.metric})`;
    console.log(r.name.padEnd(30), String(r.ms.p50).padStart(9), String(r.ms.p95).padStart(9), String(r.targetMs ?? '—').padStart(9), ` ${verdict}`);
  }
  console.log(`\nwritten to ${path.relative(process.cwd(), settings.out)}`);
}

await main();
