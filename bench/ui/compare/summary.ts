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

/** What dominates the parcoords numbers, from this run's rows (the JSON's `note`). */
export function parcoordsNote(rows: Row[]): string {
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
