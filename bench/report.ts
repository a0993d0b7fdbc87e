// Report export benchmark: whether a comparison report of many runs is quick to make and quick to
// open where it is sent, offline. On the 10k-run synthetic file store, a report of 1,000 runs
// exported as HTML and as CSV (build the document + render + write, what `runsight report` does
// after opening), and the exported HTML opened in Chromium from file:// with the network off until
// its first chart is drawn. Not a test: numbers next to their targets, written to
// bench/results/report.json. Ratios are measured in the same run: export time over the engine's
// own open-to-queryable time of the same store.
//
//   node bench/report.ts [--runs 10000] [--report-runs 1000] [--repeat 3] [--out file]
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { buildReportDocument } from '../electron/engine/backend/report/document.ts';
import { findChromium } from '../electron/engine/backend/report/chromium.ts';
import { renderReport, writeReportFiles } from '../electron/engine/backend/report/export.ts';
import type { ReportFormat } from '../electron/engine/backend/report/types.ts';
import { Engine } from '../electron/engine/engine.ts';
import { ensureStore } from './generate-store.ts';
import { readArgs } from './lib/args.ts';
import { resultFile, writeResult } from './lib/report.ts';
import { median } from './lib/stats.ts';

const args = readArgs(process.argv.slice(2), {
  usage: `Report export benchmark: a report of the best runs of a synthetic file store exported as HTML and CSV,
and the exported HTML opened in Chromium until its first chart is drawn.

  node bench/report.ts [--runs 10000] [--report-runs 1000] [--repeat 3] [--out file]   → bench/results/report.json`,
  options: {
    runs: { kind: 'number', value: 'N', help: 'runs in the synthetic store (default 10000)' },
    'report-runs': { kind: 'number', value: 'N', help: 'runs in the report (default 1000)' },
    repeat: { kind: 'number', value: 'N', help: 'repetitions of each export and open (default 3)' },
    out: { kind: 'string', value: 'FILE', help: 'write the JSON here instead' },
  },
});
const RUNS = args.runs ?? 10_000;
const REPORT_RUNS = args['report-runs'] ?? 1000;
const REPEAT = args.repeat ?? 3;
const OUT = args.out ?? resultFile('report');
const TARGETS = { exportMs: 3000, openToFirstChartMs: 2000 };

const round = (x: number) => Math.round(x);

const store = await ensureStore('file', RUNS, { log: (m) => process.stdout.write(`${m}\n`) });
const tmp = await mkdtemp(path.join(os.tmpdir(), 'runsight-bench-report-'));
const engine = await Engine.create({ watch: false });
try {
  const t0 = performance.now();
  const { stores } = await engine.openProject(store.projectDir);
  const openMs = performance.now() - t0;
  const storeId = stores[0]?.id as string;
  const metric = store.metricKeys[0] as string;
  // The 1,000 best runs by the first metric: a realistic "top of the sweep" selection.
  const runIds = engine.index.queryRunIds({ storeId, experimentIds: [], orderBy: [`metrics.${metric} ASC`], limit: REPORT_RUNS }).runIds;
  process.stdout.write(`store: ${RUNS} runs opened in ${round(openMs)} ms; report of ${runIds.length} runs, best by ${metric} (min)\n`);

  const results: Record<string, unknown> = {};
  let htmlFile = '';
  for (const format of ['html', 'csv'] as ReportFormat[]) {
    const times: number[] = [];
    const phases: { buildMs: number; renderMs: number; writeMs: number }[] = [];
    let bytes = 0;
    for (let i = 0; i < REPEAT; i++) {
      const file = path.join(tmp, `r${i}.${format}`);
      const a = performance.now();
      const doc = await buildReportDocument(engine, { storeId, runIds, best: { metric, direction: 'min' } }, { version: 'bench' });
      const b = performance.now();
      const files = await renderReport(doc, format, { fileName: file });
      const c = performance.now();
      await writeReportFiles(file, files, { force: true });
      const d = performance.now();
      times.push(d - a);
      phases.push({ buildMs: round(b - a), renderMs: round(c - b), writeMs: round(d - c) });
      bytes = (await stat(file)).size;
      if (format === 'html') htmlFile = file;
    }
    const ms = median(times);
    results[format] = {
      name: `${format} export of ${runIds.length} runs`,
      medianMs: round(ms),
      runsMs: times.map(round),
      phases,
      fileBytes: bytes,
      ratioToEngineOpen: Math.round((ms / openMs) * 100) / 100,
      target: `≤ ${TARGETS.exportMs} ms`,
      pass: ms <= TARGETS.exportMs,
    };
    process.stdout.write(`${format}: median ${round(ms)} ms (${times.map(round).join(', ')}), ${(bytes / 1024 / 1024).toFixed(2)} MiB\n`);
  }

  const executablePath = findChromium();
  if (executablePath) {
    const browser = await chromium.launch({ executablePath, args: ['--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'] });
    const opens: number[] = [];
    const all: number[] = [];
    try {
      for (let i = 0; i < REPEAT; i++) {
        const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        const a = performance.now();
        await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'commit' });
        await page.waitForFunction(() => document.querySelector('[data-drawn="true"]') !== null, undefined, { timeout: 60_000, polling: 16 });
        opens.push(performance.now() - a);
        await page.waitForFunction(() => document.body.getAttribute('data-charts-ready') === 'true', undefined, { timeout: 60_000 });
        all.push(performance.now() - a);
        await context.close();
      }
    } finally {
      await browser.close();
    }
    const ms = median(opens);
    results.open = {
      name: `exported HTML of ${runIds.length} runs: open → first chart (Chromium, software GL)`,
      medianMs: round(ms),
      runsMs: opens.map(round),
      allChartsMedianMs: round(median(all)),
      target: `≤ ${TARGETS.openToFirstChartMs} ms`,
      pass: ms <= TARGETS.openToFirstChartMs,
    };
    process.stdout.write(`open → first chart: median ${round(ms)} ms (${opens.map(round).join(', ')}); all charts ${round(median(all))} ms\n`);
  } else {
    results.open = { name: 'exported HTML open → first chart', skipped: 'no Chromium found (RUNSIGHT_CHROMIUM or /usr/bin/chromium)' };
  }

  const out = {
    bench: 'report',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? null, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` },
    store: { kind: 'file', runs: RUNS, engineOpenMs: round(openMs) },
    reportRuns: runIds.length,
    results,
  };
  process.stdout.write(`results: ${await writeResult(OUT, out)}\n`);
} finally {
  await engine.dispose();
  await rm(tmp, { recursive: true, force: true });
}
