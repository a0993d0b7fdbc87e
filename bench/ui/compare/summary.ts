// What the compare benchmarks conclude from their rows: both rasterizers side by side, and the
// note on what dominates the parcoords numbers.
import type { Dist } from '../../lib/stats.ts';
import { TARGETS, type Row } from './settings.ts';

/** p50s of one benchmark under both rasterizers, and swiftshader ÷ llvmpipe (> 1: llvmpipe faster). */
export function compareRasterizers(rows: Row[]) {
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

/** The parcoords numbers in words, from this run's rows (the JSON's `note`). */
export function parcoordsNote(rows: Row[]): string {
  const find = (bench: string, rast: string) => rows.find((r) => r.bench === bench && r.rasterizer === rast);
  const p = (r: Row | undefined, key: string) => (r?.detail?.[key] as Dist | undefined)?.p50 ?? NaN;
  const ms = (x: number) => `${Math.round(x)} ms`;
  const parts: string[] = [];
  for (const rast of ['swiftshader', 'llvmpipe']) {
    for (const [lib, name] of [
      ['our canvas chart', 'parcoords-canvas-harness'],
      ["plotly's parcoords", 'parcoords-harness'],
    ] as const) {
      const open = find(`${name}-10000`, rast);
      const upd = find(`${name}-10000-update`, rast);
      const tiny = find(`${name}-10`, rast);
      if (!open) continue;
      parts.push(
        `[${rast}] ${lib}: first open ${ms(open.ms.p50)} painted (build ${ms(p(open, 'buildMs'))}, main-thread CPU ${ms(p(open, 'mainThreadCpuMs'))}, ` +
          `not on CPU ${ms(p(open, 'notOnCpuMs'))}) + rasterizer tail ${ms(p(open, 'gpuTailMs'))}` +
          (upd ? `; colour-by update ${ms(upd.ms.p50)} painted, main-thread CPU ${ms(p(upd, 'mainThreadCpuMs'))}` : '') +
          (tiny ? `; a new chart with 10 lines ${ms(tiny.ms.p50)}` : ''),
      );
    }
    const ours = find('parcoords-canvas-harness-10000', rast);
    const theirs = find('parcoords-harness-10000', rast);
    if (ours && theirs && ours.ms.p50 > 0) parts.push(`[${rast}] first open, plotly ÷ ours = ${(theirs.ms.p50 / ours.ms.p50).toFixed(1)}×`);
  }
  for (const bench of ['parcoords-open-10000', 'parcoords-10000']) {
    const app = rows.find((r) => r.bench === bench);
    if (app) parts.push(`[${app.rasterizer}] in the app, ${bench === 'parcoords-open-10000' ? 'first open (rows fetched over the WebSocket + draw)' : 'colour-by change'} ${ms(app.ms.p50)} painted, main-thread CPU ${ms(p(app, 'mainThreadCpuMs'))}`);
  }
  const verdicts = rows
    .filter((r) => r.targetMs !== null && r.bench.startsWith('parcoords'))
    .map((r) => `${r.name} ${ms(r.ms[r.metric])} ${r.ms[r.metric] < (r.targetMs ?? 0) ? 'pass' : 'MISS'}`);
  return (
    `Parallel coordinates on 10k runs against the ${TARGETS.parcoords10k} ms target: ${verdicts.join(', ') || 'not measured'}. ` +
    'Measured from the action to the frame after the chart finished drawing ("painted"); the "rasterizer tail" is the wait, after that frame, until ' +
    "the pixels exist (a 1-pixel read of every canvas). The app draws its own chart: plotly's parcoords draws three WebGL layers (context, focus, " +
    'pick) and compiles three heavy shader programs per new chart, which a machine without a GPU (SwiftShader, llvmpipe) pays in seconds; a 2D ' +
    'canvas batched by colour band is rasterized on the CPU. plotly stays measured here as the reference. ' +
    parts.join('. ') +
    '.'
  );
}
