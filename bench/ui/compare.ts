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
// user action to the frame after plotly finished drawing ("painted", what the targets are
// compared with). Around it:
//  - main-thread CPU time: the renderer main thread's CPU clock (CDP Performance.getMetrics
//    `ThreadTime`) read before and after each repetition. It counts what that thread computed —
//    our build, React, plotly's JavaScript, encoding the WebGL commands, style/layout/paint — and
//    not the time it was blocked on the GPU process (readPixels, shader linking, a full command
//    buffer) or idle until the next frame. Unlike a sampling profile it does not depend on which
//    functions the time is attributed to. This is the hardware-independent part: a machine with
//    a GPU would see about this much (plus a frame or two).
//  - not on CPU = painted − main-thread CPU: waiting for the software rasterizer (or, on a loaded
//    machine, for a core).
//  - GPU tail: after the painted frame, a 1-pixel readPixels on every WebGL canvas of the chart
//    waits until the rasterizer has executed everything queued; the compositor shows those pixels
//    only then. It also keeps repetitions from queueing behind each other.
// Every result records which WebGL renderer was active (WEBGL_debug_renderer_info). The harness
// runs under two rasterizers when it can: SwiftShader (headless, --disable-gpu; Vulkan, Subzero
// JIT) and Mesa llvmpipe (headed Chromium on an X display, --use-angle=gl; Xvfb is started here
// when DISPLAY is unset). The app part runs under SwiftShader only.
//
//   node bench/ui/compare.ts              everything → bench/results/ui-compare.json
//   node bench/ui/compare.ts --quick      1k-run store, fewer repetitions → ui-compare-quick.tmp.json
//   node bench/ui/compare.ts --only app   (or harness)
import { chromium, type Browser, type Page } from '@playwright/test';
import react from '@vitejs/plugin-react';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { build } from 'vite';
import { startServe, stopChild } from '../../e2e/harness.ts';
import { ensureStore } from '../generate-store.ts';
import { readArgs } from '../lib/args.ts';
import { BENCH_DIR, CACHE_DIR } from '../lib/paths.ts';
import { git, loadAverage, resultFile, writeResult } from '../lib/report.ts';
import { dist as distOf, type Dist } from '../lib/stats.ts';

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
  const args = readArgs(argv, {
    usage: `UI benchmarks of the compare views in Debian's Chromium: the app on a synthetic store, and a harness
feeding synthetic runs through the chart builders.

  node bench/ui/compare.ts              everything → bench/results/ui-compare.json
  node bench/ui/compare.ts --quick      1k-run store, fewer repetitions → ui-compare-quick.tmp.json
  node bench/ui/compare.ts --only app   (or harness) → ui-compare-app.tmp.json`,
    options: {
      quick: { kind: 'flag', help: '1k-run store, smaller harness inputs, 2 repetitions' },
      only: { kind: 'string', value: 'app|harness', help: 'one part only' },
    },
  });
  let parts: ('app' | 'harness')[] = ['app', 'harness'];
  if (args.only !== undefined) {
    if (args.only !== 'app' && args.only !== 'harness') throw new Error('--only app|harness');
    parts = [args.only];
  }
  const quick = args.quick;
  const partial = parts.length !== 2;
  return {
    quick,
    parts: new Set(parts),
    reps: quick ? 2 : 5,
    storeRuns: quick ? 1000 : 10_000,
    out: resultFile('ui-compare', quick ? 'quick' : partial ? parts.join('+') : null),
  };
}

// Statistics: bench/lib/stats.ts, reported here with one decimal.
const dist = (xs: number[]): Dist => distOf(xs, 1);

interface Row {
  /** `<benchmark> [<rasterizer>]`, e.g. `parcoords-harness-10000 [swiftshader]`. */
  name: string;
  /** The benchmark without the rasterizer (the key of the side-by-side comparison). */
  bench: string;
  /** swiftshader / llvmpipe / other, from `renderer`. */
  rasterizer: string;
  /** UNMASKED_RENDERER_WEBGL of the page that was measured. */
  renderer: string;
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
interface PageGl {
  readonly RGBA: number;
  readonly UNSIGNED_BYTE: number;
  readPixels(x: number, y: number, w: number, h: number, format: number, type: number, out: Uint8Array): void;
  getExtension(name: 'WEBGL_debug_renderer_info'): { UNMASKED_RENDERER_WEBGL: number } | null;
  getParameter(p: number): unknown;
}
interface PageCanvas {
  getContext(kind: 'webgl'): PageGl | null;
  /** plotly's d3 datum of a `.gl-canvas`: `regl` once plotly created a context on it. */
  __data__?: { regl?: unknown };
}
interface PageGlobals {
  document: {
    querySelector(sel: string): PageEl | null;
    querySelectorAll(sel: string): ArrayLike<PageCanvas>;
    createElement(tag: 'canvas'): PageCanvas;
  };
  requestAnimationFrame(cb: () => void): number;
  Event: new (type: string, init?: { bubbles?: boolean }) => unknown;
  __runsightCharts?: {
    parcoords?: { runIds: string[]; dimensions: { key: string; type: string; values: number[] }[] };
  };
  __bench?: {
    warm(): Promise<void>;
    prepare(n: number, steps?: number): void;
    scatter(n: number): Promise<HarnessResult>;
    parcoords(n: number, fresh?: boolean, axes?: number, color?: string): Promise<HarnessResult>;
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

/** The WebGL renderer string of this page ("ANGLE (Google, Vulkan 1.3.0 (SwiftShader …" …). */
function webglRendererInPage(): string {
  const g = globalThis as unknown as PageGlobals;
  const gl = g.document.createElement('canvas').getContext('webgl');
  if (!gl) return 'no WebGL';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'unknown (no WEBGL_debug_renderer_info)';
}

type BenchCall =
  | { kind: 'scatter'; n: number }
  | { kind: 'parcoords'; n: number; fresh: boolean; color: string }
  | { kind: 'curves'; runs: number; steps: number; smoothing: number };

/**
 * One harness repetition, then waits for the rasterizer: a 1-pixel readPixels on every WebGL
 * canvas on the page (plotly's `.gl-canvas`es; only the chart just drawn is mounted) returns once
 * that context's queued commands have executed. `gpuTailMs` is that wait, after the painted frame.
 */
async function benchInPage(call: BenchCall): Promise<HarnessResult & { gpuTailMs: number; glCanvases: number }> {
  const g = globalThis as unknown as PageGlobals;
  const b = g.__bench;
  if (!b) throw new Error('harness not loaded');
  const r =
    call.kind === 'scatter' ? await b.scatter(call.n) : call.kind === 'parcoords' ? await b.parcoords(call.n, call.fresh, 8, call.color) : await b.curves(call.runs, call.steps, call.smoothing);
  const t = performance.now();
  const canvases = g.document.querySelectorAll('canvas.gl-canvas');
  let synced = 0;
  for (let i = 0; i < canvases.length; i++) {
    const c = canvases[i];
    // Not the ones plotly left without a context (scattergl's pick layer): getContext would create one.
    if (!c || (c.__data__ && !c.__data__.regl)) continue;
    const gl = c.getContext('webgl');
    gl?.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    synced++;
  }
  return { ...r, gpuTailMs: performance.now() - t, glCanvases: synced };
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

/**
 * Changes parcoords' colour-by (a full rebuild + redraw) and times it to the painted frame, then
 * waits for the rasterizer as benchInPage does (`gpuTailMs`).
 */
function recolorInPage(key: string): Promise<{ ms: number; gpuTailMs: number }> {
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
      if (Number(plot.getAttribute('data-render-count')) > before) {
        const t1 = performance.now();
        const canvases = g.document.querySelectorAll('[data-testid=plot-parcoords] canvas.gl-canvas');
        for (let i = 0; i < canvases.length; i++) {
          const c = canvases[i];
          if (!c || (c.__data__ && !c.__data__.regl)) continue;
          const gl = c.getContext('webgl');
          gl?.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
        }
        resolve({ ms: t1 - t0, gpuTailMs: performance.now() - t1 });
      } else g.requestAnimationFrame(check);
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

const COMMON_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A browser and the software rasterizer its WebGL runs on. */
interface Rasterizer {
  /** swiftshader / llvmpipe / other. */
  label: string;
  renderer: string;
  /** How Chromium was started. */
  mode: string;
  browser: Browser;
}

function labelOf(renderer: string): string {
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
async function launchSwiftShader(): Promise<Rasterizer> {
  const browser = await chromium.launch({ executablePath: existsSync(CHROMIUM) ? CHROMIUM : undefined, args: [...COMMON_ARGS, '--disable-gpu'] });
  return withRenderer(browser, 'headless, --disable-gpu');
}

/** Headed on an X display with ANGLE's GL backend: Mesa's llvmpipe (multi-threaded LLVM JIT). */
async function launchLlvmpipe(display: string): Promise<Rasterizer> {
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
async function xDisplay(): Promise<{ display: string; started: boolean; stop(): Promise<void> }> {
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
async function cpuClock(page: Page): Promise<() => Promise<number>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const t = metrics.find((m) => m.name === 'ThreadTime');
    if (!t) throw new Error('Performance.getMetrics has no ThreadTime');
    return t.value * 1000;
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

async function appPart(settings: Settings, rast: Rasterizer, log: (s: string) => void): Promise<Row[]> {
  // `runsight serve` serves the built renderer (out/renderer): without it the page never gets ready.
  const rendererDir = process.env.RUNSIGHT_RENDERER_DIR ?? path.join(BENCH_DIR, '..', 'out', 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) throw new Error(`${rendererDir} is not built: npm run build:renderer first`);
  const store = await ensureStore('file', settings.storeRuns, { log });
  const base = await mkdtemp(path.join(os.tmpdir(), 'runsight-bench-ui-'));
  const { child, url } = await startServe(store.projectDir, path.join(base, 'config'));
  const rows: Row[] = [];
  try {
    const page = await rast.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 300_000 });
    const renderer = await page.evaluate(webglRendererInPage);
    const tag = (bench: string) => ({ name: `${bench} [${labelOf(renderer)}]`, bench, rasterizer: labelOf(renderer), renderer });
    const cpu = await cpuClock(page);
    const ids = store.experiments.map((e) => e.id);
    await page.getByTestId(`experiment-${ids[0]}`).click();
    for (const id of ids.slice(1)) await page.getByTestId(`experiment-${id}`).click({ modifiers: ['ControlOrMeta'] });
    await page.waitForSelector(`[data-testid=run-count][data-count="${store.runs}"]`, { timeout: 120_000 });
    log(`app: ${store.runs} runs in the table`);

    const cpuOpen0 = await cpu();
    const opened = await page.evaluate(openParcoordsInPage);
    const cpuOpen = (await cpu()) - cpuOpen0;
    log(`app: parcoords open ${opened.totalMs.toFixed(0)} ms (${opened.lines} lines; main-thread CPU ${cpuOpen.toFixed(0)} ms)`);
    rows.push({
      ...tag(`parcoords-open-${store.runs}`),
      what: 'Compare button → parcoords painted: fetch every run over the WebSocket, build, draw',
      targetMs: null,
      metric: 'p50',
      ms: dist([opened.totalMs]),
      detail: { rowsLoadedMs: opened.rowsMs, plotlyDrawMs: opened.drawMs, mainThreadCpuMs: dist([cpuOpen]), notOnCpuMs: dist([opened.totalMs - cpuOpen]), lines: opened.lines, loadavg1: round1(os.loadavg()[0] ?? NaN) },
    });

    // For a human to look at (not part of any number).
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `compare-bench-parcoords-${store.runs}.png`) });

    const [metricKeys, axes] = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      const dims = g.__runsightCharts?.parcoords?.dimensions ?? [];
      return [dims.filter((d) => d.key.startsWith('metrics.')).map((d) => d.key), dims.length] as const;
    });
    const [c1, c2] = [metricKeys[0] ?? 'metrics.val_loss', metricKeys[1] ?? 'metrics.train_loss'];
    const redraws: number[] = [];
    const redrawCpu: number[] = [];
    const redrawTail: number[] = [];
    for (let i = 0; i < settings.reps; i++) {
      const c0 = await cpu();
      const r = await page.evaluate(recolorInPage, i % 2 === 0 ? c1 : c2);
      redrawCpu.push((await cpu()) - c0);
      redraws.push(r.ms);
      redrawTail.push(r.gpuTailMs);
      await page.waitForTimeout(200);
    }
    const draws = await page.evaluate(() => performance.getEntriesByName('runsight:plot:parcoords').map((e) => e.duration));
    rows.push({
      ...tag(`parcoords-${store.runs}`),
      what: `parcoords with ${store.runs} runs: colour-by change → rebuilt and painted (runs already loaded)`,
      targetMs: settings.storeRuns === 10_000 ? TARGETS.parcoords10k : null,
      metric: 'p50',
      ms: dist(redraws),
      detail: {
        plotlyDrawMs: dist(draws.slice(1)),
        axes,
        mainThreadCpuMs: dist(redrawCpu),
        notOnCpuMs: dist(redraws.map((ms, i) => ms - (redrawCpu[i] ?? NaN))),
        gpuTailMs: dist(redrawTail),
        untilGpuIdleMs: dist(redraws.map((ms, i) => ms + (redrawTail[i] ?? NaN))),
        loadavg1: round1(os.loadavg()[0] ?? NaN),
      },
    });
    log(`app: parcoords redraw p50 ${dist(redraws).p50} ms (main-thread CPU ${dist(redrawCpu).p50} ms, GPU tail ${dist(redrawTail).p50} ms)`);

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
      ...tag(`brush-${store.runs}`),
      what: `brush a metric axis on ${store.runs} runs → runs table shows the brushed runs (painted)`,
      targetMs: settings.storeRuns === 10_000 ? TARGETS.brush10k : null,
      metric: 'p95',
      ms: dist(brushMs),
      detail: { clearBrushMs: dist(clearMs), runsInBrush: [...new Set(counts)], samplesMs: brushMs.map((x) => Math.round(x)), loadavg1: round1(os.loadavg()[0] ?? NaN) },
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

/** The harness benchmarks in one browser: every row tagged with that browser's rasterizer. */
async function harnessPart(settings: Settings, rast: Rasterizer, url: string, log: (s: string) => void): Promise<Row[]> {
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
  await run(
    'parcoords-harness-10000',
    'parcoords of 10 000 runs × 8 axes, first open (new chart: new WebGL contexts, shaders compiled): build + draw (no fetch)',
    TARGETS.parcoords10k,
    [10_000, 0],
    () => ({ kind: 'parcoords', n: 10_000, fresh: true, color: 'metrics.val_loss' }),
  );
  // On the chart left by the last first-open repetition (coloured by val_loss): colour-by changes.
  await run(
    'parcoords-harness-10000-update',
    'parcoords of 10 000 runs × 8 axes, update: colour-by change on the open chart (Plotly.react, compiled shaders reused), build + draw',
    null,
    [10_000, 0],
    (i) => ({ kind: 'parcoords', n: 10_000, fresh: false, color: i % 2 === 0 ? 'metrics.train_loss' : 'metrics.val_loss' }),
  );
  await run('parcoords-harness-10', 'parcoords of 10 runs × 8 axes, first open: what a new chart costs before any line (WebGL contexts, shader compile)', null, [10, 0], () => ({
    kind: 'parcoords',
    n: 10,
    fresh: true,
    color: 'metrics.val_loss',
  }));
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

function chromiumVersion(): string {
  try {
    // (stderr: Debian's launcher script complains about its own memory check.)
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

interface RasterizerInfo {
  label: string;
  renderer: string;
  mode: string;
  parts: string[];
}

/** p50s of one benchmark under both rasterizers, and swiftshader ÷ llvmpipe (> 1: llvmpipe faster). */
function compareRasterizers(rows: Row[]) {
  const p50 = (r: Row | undefined, key: string | null) => (r ? (key === null ? r.ms.p50 : ((r.detail?.[key] as Dist | undefined)?.p50 ?? null)) : null);
  const out = [];
  for (const a of rows.filter((r) => r.rasterizer === 'swiftshader')) {
    const b = rows.find((r) => r.rasterizer === 'llvmpipe' && r.bench === a.bench);
    if (!b) continue;
    const pair = (key: string | null) => {
      const [x, y] = [p50(a, key), p50(b, key)];
      return { swiftshader: x, llvmpipe: y, swiftshaderOverLlvmpipe: x !== null && y !== null && y > 0 ? Math.round((x / y) * 100) / 100 : null };
    };
    out.push({ bench: a.bench, paintedMs: pair(null), untilGpuIdleMs: pair('untilGpuIdleMs'), mainThreadCpuMs: pair('mainThreadCpuMs') });
  }
  return out;
}

/** What dominates the parcoords numbers, from this run's rows (the JSON's `note`). */
function parcoordsNote(rows: Row[]): string {
  const find = (bench: string, rast: string) => rows.find((r) => r.bench === bench && r.rasterizer === rast);
  const p = (r: Row | undefined, key: string) => (r?.detail?.[key] as Dist | undefined)?.p50 ?? NaN;
  const ms = (x: number) => `${Math.round(x)} ms`;
  const parts: string[] = [];
  for (const rast of ['swiftshader', 'llvmpipe']) {
    const open = find('parcoords-harness-10000', rast);
    const upd = find('parcoords-harness-10000-update', rast);
    const tiny = find('parcoords-harness-10', rast);
    if (!open) continue;
    parts.push(
      `[${rast}] first open ${ms(open.ms.p50)} painted (build ${ms(p(open, 'buildMs'))}, main-thread CPU ${ms(p(open, 'mainThreadCpuMs'))}, ` +
        `not on CPU ${ms(p(open, 'notOnCpuMs'))}) + GPU tail ${ms(p(open, 'gpuTailMs'))}` +
        (upd ? `; update (colour-by) ${ms(upd.ms.p50)} painted, main-thread CPU ${ms(p(upd, 'mainThreadCpuMs'))}, GPU tail ${ms(p(upd, 'gpuTailMs'))}` : '') +
        (tiny ? `; a new chart with 10 lines ${ms(tiny.ms.p50)}` : ''),
    );
  }
  const app = rows.find((r) => r.bench === 'parcoords-10000');
  if (app) parts.push(`[${app.rasterizer}] in the app, colour-by change ${ms(app.ms.p50)} painted, main-thread CPU ${ms(p(app, 'mainThreadCpuMs'))}, GPU tail ${ms(p(app, 'gpuTailMs'))}`);
  const verdicts = rows
    .filter((r) => r.targetMs !== null && r.bench.startsWith('parcoords'))
    .map((r) => `${r.name} ${ms(r.ms[r.metric])} ${r.ms[r.metric] < (r.targetMs ?? 0) ? 'pass' : 'MISS'}`);
  return (
    `Parallel coordinates on 10k runs against the ${TARGETS.parcoords10k} ms target: ${verdicts.join(', ') || 'not measured'}. ` +
    'The verdict stays on the same measure as before (action → the frame after plotly returned, "painted"). What dominates is waiting for software rasterization, not JavaScript: plotly parcoords draws ' +
    'three layers (context, focus, pick), each axis pair for every line, with a 1-pixel readPixels (a GPU round trip) per pair, and a new ' +
    'chart first compiles three heavy shader programs. The main thread computes only the "main-thread CPU" part (our build, React, ' +
    "plotly's JavaScript, WebGL command encoding, layout); the rest of \"painted\" it is blocked on the GPU process, and the rasterizer " +
    'still works for the "GPU tail" after that frame before the lines exist on screen. ' +
    parts.join('. ') +
    '. The target assumes hardware WebGL, which this machine lacks (2 shared cores, no GPU: SwiftShader headless, or Mesa llvmpipe ' +
    'under Xvfb); a machine with a GPU would see roughly the main-thread CPU part plus a frame or two — an estimate, not a measurement.'
  );
}

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2));
  const log = (s: string) => console.log(`[bench:ui] ${s}`);
  const started = Date.now();
  // The machine is shared: the load average says how contended the numbers are.
  const loadAtStart = loadAverage();
  const rows: Row[] = [];
  const rasterizers: RasterizerInfo[] = [];
  const skipped: string[] = [];
  const swift = await launchSwiftShader();
  log(`${swift.label}: ${swift.renderer}`);
  try {
    if (settings.parts.has('harness')) {
      const srv = await serveStatic(await buildHarness());
      try {
        rows.push(...(await harnessPart(settings, swift, srv.url, log)));
        rasterizers.push({ label: swift.label, renderer: swift.renderer, mode: swift.mode, parts: ['harness'] });
        let display: Awaited<ReturnType<typeof xDisplay>> | null = null;
        try {
          display = await xDisplay();
        } catch (e) {
          skipped.push(`llvmpipe: no X display (DISPLAY unset and Xvfb could not start: ${e instanceof Error ? e.message : String(e)})`);
        }
        if (display) {
          try {
            if (display.started) log(`started Xvfb on ${display.display}`);
            const llvm = await launchLlvmpipe(display.display);
            try {
              log(`${llvm.label}: ${llvm.renderer}`);
              if (llvm.label !== 'llvmpipe') skipped.push(`llvmpipe: headed Chromium with --use-angle=gl on ${display.display} renders with "${llvm.renderer}", not llvmpipe`);
              else {
                rows.push(...(await harnessPart(settings, llvm, srv.url, log)));
                rasterizers.push({ label: llvm.label, renderer: llvm.renderer, mode: llvm.mode + (display.started ? ' (Xvfb started by the bench)' : ''), parts: ['harness'] });
              }
            } finally {
              await llvm.browser.close();
            }
          } catch (e) {
            skipped.push(`llvmpipe: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
          } finally {
            await display.stop();
          }
        }
      } finally {
        await srv.close();
      }
    }
    if (settings.parts.has('app')) {
      rows.push(...(await appPart(settings, swift, log)));
      const known = rasterizers.find((r) => r.label === swift.label);
      if (known) known.parts.push('app');
      else rasterizers.push({ label: swift.label, renderer: swift.renderer, mode: swift.mode, parts: ['app'] });
    }
  } finally {
    await swift.browser.close();
  }
  for (const why of skipped) log(`skipped ${why}`);
  const result = {
    date: new Date().toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD'])?.trim() ?? null,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30), loadavgAtStart: loadAtStart, loadavgAtEnd: loadAverage() },
    browser: chromiumVersion(),
    rasterizers,
    skipped,
    settings: { quick: settings.quick, reps: settings.reps, storeRuns: settings.storeRuns },
    durationS: Math.round((Date.now() - started) / 1000),
    measures: {
      ms: 'painted: from the action to the frame after plotly finished (requestAnimationFrame after Plotly.react resolved); the target is compared with this',
      buildMs: 'our code building the traces from runs (harness)',
      mainThreadCpuMs: "CPU time of the renderer main thread over the repetition (CDP Performance.getMetrics ThreadTime): our build, React, plotly's JavaScript, WebGL command encoding, style/layout/paint; not the time blocked on the GPU process. Hardware-independent part",
      plotlyCpuMs: 'mainThreadCpuMs − buildMs: plotly + React + browser main-thread work',
      notOnCpuMs: 'painted − mainThreadCpuMs: the main thread blocked on the rasterizer (readPixels, shader linking, full command buffers), waiting for a frame, or for a core on a loaded machine',
      gpuTailMs: 'after the painted frame, until a 1-pixel readPixels on every WebGL canvas of the chart returned: rasterization still queued',
      untilGpuIdleMs: 'painted + gpuTailMs: when the pixels exist',
    },
    results: rows.map((r) => ({ ...r, pass: r.targetMs === null ? null : r.ms[r.metric] < r.targetMs })),
    comparison: compareRasterizers(rows),
    note: parcoordsNote(rows),
  };
  const written = await writeResult(settings.out, result);

  const W = 46;
  const num = (x: number | null | undefined) => String(x ?? '—').padStart(9);
  console.log('');
  console.log('benchmark'.padEnd(W), 'p50 ms'.padStart(9), 'p95 ms'.padStart(9), 'target'.padStart(9), '  result');
  for (const r of result.results) {
    const verdict = r.pass === null ? '' : r.pass ? `pass (${r.metric})` : `MISS (${r.metric})`;
    console.log(r.name.padEnd(W), num(r.ms.p50), num(r.ms.p95), num(r.targetMs), ` ${verdict}`);
  }
  console.log('\nwhere the time goes (p50 ms): painted = build + plotly etc. on the CPU + not on CPU; then the GPU tail');
  console.log('benchmark'.padEnd(W), 'painted'.padStart(9), 'build'.padStart(9), 'main CPU'.padStart(9), 'not CPU'.padStart(9), 'GPU tail'.padStart(9), 'GPU idle'.padStart(9));
  for (const r of result.results) {
    const x = (r.detail ?? {}) as Record<string, Dist | undefined>;
    if (!x.mainThreadCpuMs) continue;
    console.log(r.name.padEnd(W), num(r.ms.p50), num(x.buildMs?.p50), num(x.mainThreadCpuMs.p50), num(x.notOnCpuMs?.p50), num(x.gpuTailMs?.p50), num(x.untilGpuIdleMs?.p50));
  }
  if (result.comparison.length > 0) {
    console.log('\nswiftshader vs llvmpipe (p50 ms; ratio = swiftshader ÷ llvmpipe)');
    console.log('benchmark'.padEnd(W), 'painted'.padStart(17), 'ratio'.padStart(6), 'GPU idle'.padStart(17), 'ratio'.padStart(6), 'main CPU'.padStart(15));
    const pair = (p: { swiftshader: number | null; llvmpipe: number | null }, w: number) => `${p.swiftshader ?? '—'} / ${p.llvmpipe ?? '—'}`.padStart(w);
    for (const c of result.comparison) {
      console.log(
        c.bench.padEnd(W),
        pair(c.paintedMs, 17),
        String(c.paintedMs.swiftshaderOverLlvmpipe ?? '—').padStart(6),
        pair(c.untilGpuIdleMs, 17),
        String(c.untilGpuIdleMs.swiftshaderOverLlvmpipe ?? '—').padStart(6),
        pair(c.mainThreadCpuMs, 15),
      );
    }
  }
  for (const why of skipped) console.log(`\nskipped ${why}`);
  console.log(`\nload average ${loadAtStart.join(' ')} → ${result.machine.loadavgAtEnd.join(' ')} (2 shared cores: above ~2 the numbers are contended)`);
  console.log(`written to ${written}`);
}

await main();
