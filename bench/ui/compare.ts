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
//
// The parts live in bench/ui/compare/: settings, in-page code, browsers and rasterizers, the app
// part, the harness part, and the summary drawn from the rows.
import os from 'node:os';
import { git, loadAverage, printTable, writeResult } from '../lib/report.ts';
import type { Dist } from '../lib/stats.ts';
import { appPart } from './compare/app-part.ts';
import { chromiumVersion, launchLlvmpipe, launchSwiftShader, xDisplay, type RasterizerInfo } from './compare/browsers.ts';
import { buildHarness, harnessPart, serveStatic } from './compare/harness-part.ts';
import { parseSettings, type Row } from './compare/settings.ts';
import { compareRasterizers, parcoordsNote } from './compare/summary.ts';

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
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

  console.log('');
  const name = { head: 'benchmark', width: 46 };
  const ms = (head: string, width = 9) => ({ head, align: 'right' as const, width });
  printTable(
    [name, ms('p50 ms'), ms('p95 ms'), ms('target'), { head: 'result' }],
    result.results.map((r) => [r.name, r.ms.p50, r.ms.p95, r.targetMs, r.pass === null ? '' : `${r.pass ? 'pass' : 'MISS'} (${r.metric})`]),
  );
  console.log('\nwhere the time goes (p50 ms): painted = build + plotly etc. on the CPU + not on CPU; then the GPU tail');
  printTable(
    [name, ms('painted'), ms('build'), ms('main CPU'), ms('not CPU'), ms('GPU tail'), ms('GPU idle')],
    result.results
      .map((r) => [r, (r.detail ?? {}) as Record<string, Dist | undefined>] as const)
      .filter(([, x]) => x.mainThreadCpuMs)
      .map(([r, x]) => [r.name, r.ms.p50, x.buildMs?.p50, x.mainThreadCpuMs?.p50, x.notOnCpuMs?.p50, x.gpuTailMs?.p50, x.untilGpuIdleMs?.p50]),
  );
  if (result.comparison.length > 0) {
    console.log('\nswiftshader vs llvmpipe (p50 ms; ratio = swiftshader ÷ llvmpipe)');
    const pair = (p: { swiftshader: number | null; llvmpipe: number | null }) => `${p.swiftshader ?? '—'} / ${p.llvmpipe ?? '—'}`;
    printTable(
      [name, ms('painted', 17), ms('ratio', 6), ms('GPU idle', 17), ms('ratio', 6), ms('main CPU', 15)],
      result.comparison.map((c) => [
        c.bench,
        pair(c.paintedMs),
        c.paintedMs.swiftshaderOverLlvmpipe,
        pair(c.untilGpuIdleMs),
        c.untilGpuIdleMs.swiftshaderOverLlvmpipe,
        pair(c.mainThreadCpuMs),
      ]),
    );
  }
  for (const why of skipped) console.log(`\nskipped ${why}`);
  console.log(`\nload average ${loadAtStart.join(' ')} → ${result.machine.loadavgAtEnd.join(' ')} (2 shared cores: above ~2 the numbers are contended)`);
  console.log(`written to ${written}`);
}

await main();
