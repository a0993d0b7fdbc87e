// The app part: the real app (`runsight serve`) on the synthetic store, all experiments selected —
// opening parallel coordinates (rows over the WebSocket, then the draw), redrawing it, and brushing
// an axis until the runs table shows the brushed runs.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, stopChild } from '../../../e2e/harness.ts';
import { ensureStore } from '../../generate-store.ts';
import { BENCH_DIR } from '../../lib/paths.ts';
import { cpuClock, labelOf, type Rasterizer } from './browsers.ts';
import { brushInPage, openParcoordsInPage, recolorInPage, webglRendererInPage, type PageGlobals } from './in-page.ts';
import { dist, round1, SHOTS, TARGETS, type Row, type Settings } from './settings.ts';

export async function appPart(settings: Settings, rast: Rasterizer, log: (s: string) => void): Promise<Row[]> {
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
