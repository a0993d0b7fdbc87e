// In-page code of the compare benchmarks. These functions run in Chromium (page.evaluate); the
// bench is typechecked as Node code, so the few page APIs they touch are described structurally
// here instead of pulling in the DOM lib.

interface PageEl {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
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
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): unknown } | null;
  /** plotly's d3 datum of a `.gl-canvas`: `regl` once plotly created a context on it. */
  __data__?: { regl?: unknown };
}
export interface PageGlobals {
  document: {
    querySelector(sel: string): PageEl | null;
    querySelectorAll(sel: string): ArrayLike<PageCanvas>;
    createElement(tag: 'canvas'): PageCanvas;
  };
  requestAnimationFrame(cb: () => void): number;
  Event: new (type: string, init?: { bubbles?: boolean }) => unknown;
  PointerEvent: new (type: string, init: { bubbles: boolean; clientX: number; clientY: number; button: number; pointerId: number; isPrimary: boolean }) => unknown;
  __runsightCharts?: {
    parcoords?: { runIds: string[]; dimensions: { key: string; type: string; values: number[] }[] };
  };
  __bench?: {
    warm(): Promise<void>;
    prepare(n: number, steps?: number): void;
    scatter(n: number): Promise<HarnessResult>;
    parcoords(n: number, fresh?: boolean, axes?: number, color?: string): Promise<HarnessResult>;
    parcoordsCanvas(n: number, fresh?: boolean, axes?: number, color?: string): Promise<HarnessResult>;
    curves(runs: number, steps: number, smoothing: number): Promise<HarnessResult>;
  };
}
export interface HarnessResult {
  buildMs: number;
  drawMs: number;
  totalMs: number;
  drawn: number;
}

/** The WebGL renderer string of this page ("ANGLE (Google, Vulkan 1.3.0 (SwiftShader …" …). */
export function webglRendererInPage(): string {
  const g = globalThis as unknown as PageGlobals;
  const gl = g.document.createElement('canvas').getContext('webgl');
  if (!gl) return 'no WebGL';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'unknown (no WEBGL_debug_renderer_info)';
}

export type BenchCall =
  | { kind: 'scatter'; n: number }
  | { kind: 'parcoords'; n: number; fresh: boolean; color: string }
  | { kind: 'parcoords-canvas'; n: number; fresh: boolean; color: string }
  | { kind: 'curves'; runs: number; steps: number; smoothing: number };

/**
 * One harness repetition, then waits for the rasterizer: a 1-pixel readPixels on every WebGL
 * canvas on the page (plotly's `.gl-canvas`es; only the chart just drawn is mounted) returns once
 * that context's queued commands have executed. `gpuTailMs` is that wait, after the painted frame.
 */
export async function benchInPage(call: BenchCall): Promise<HarnessResult & { gpuTailMs: number; glCanvases: number }> {
  const g = globalThis as unknown as PageGlobals;
  const b = g.__bench;
  if (!b) throw new Error('harness not loaded');
  const r =
    call.kind === 'scatter'
      ? await b.scatter(call.n)
      : call.kind === 'parcoords'
        ? await b.parcoords(call.n, call.fresh, 8, call.color)
        : call.kind === 'parcoords-canvas'
          ? await b.parcoordsCanvas(call.n, call.fresh, 8, call.color)
          : await b.curves(call.runs, call.steps, call.smoothing);
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
  // 2D canvases (the app's parcoords) are rasterized lazily: reading a pixel back waits for it.
  // A canvas drawn by a worker cannot be read here; the worker reads a pixel back itself before it
  // reports the draw done.
  const flat = g.document.querySelectorAll('canvas.pc-canvas:not([data-drawn-by=worker])');
  for (let i = 0; i < flat.length; i++) flat[i]?.getContext('2d')?.getImageData(0, 0, 1, 1);
  return { ...r, gpuTailMs: performance.now() - t, glCanvases: synced };
}

/** Opens the compare panel and resolves when parcoords has drawn: {total, rows, draw} in ms. */
export function openParcoordsInPage(): Promise<{ totalMs: number; rowsMs: number | null; drawMs: number | null; lines: number }> {
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
export function recolorInPage(key: string): Promise<{ ms: number; gpuTailMs: number }> {
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
        // A 2D canvas is rasterized lazily: reading a pixel back waits until its lines exist.
        const canvases = g.document.querySelectorAll('[data-testid=plot-parcoords] canvas.pc-canvas:not([data-drawn-by=worker])');
        for (let i = 0; i < canvases.length; i++) canvases[i]?.getContext('2d')?.getImageData(0, 0, 1, 1);
        resolve({ ms: t1 - t0, gpuTailMs: performance.now() - t1 });
      } else g.requestAnimationFrame(check);
    };
    check();
  });
}

/**
 * Brushes parcoords axis `axis` over `range` (positions), or clears it (`range` null), with the
 * pointer events a mouse drag (or click) sends to the axis' brush area — what the chart handles
 * on pointer-up is what a user's drag triggers — and times it until the runs table shows the new
 * query's rows (its run count changed, its rows belong to the current query) and a frame has been
 * painted. The chart itself redraws the kept lines on its own.
 */
export function brushInPage([axis, range]: [number, [number, number] | null]): Promise<{ ms: number; count: number }> {
  const g = globalThis as unknown as PageGlobals;
  const area = g.document.querySelector(`[data-testid=pc-brush-${axis}]`);
  const count = g.document.querySelector('[data-testid=run-count]');
  const table = g.document.querySelector('[data-testid=runs-table]');
  if (!area || !count || !table) throw new Error('parcoords or table not shown');
  const before = count.getAttribute('data-count');
  const box = area.getBoundingClientRect();
  const [lo, hi] = [Number(area.getAttribute('data-lo')), Number(area.getAttribute('data-hi'))];
  const yOf = (p: number) => box.top + box.height - ((p - lo) / (hi - lo)) * box.height;
  const x = box.left + box.width / 2;
  // A clear is a click on the axis outside any range: just above the bottom (brushes here never reach it).
  const ys = range ? [yOf(range[0]), (yOf(range[0]) + yOf(range[1])) / 2, yOf(range[1])] : [box.top + box.height - 1];
  const send = (type: string, y: number) => area.dispatchEvent(new g.PointerEvent(type, { bubbles: true, clientX: x, clientY: y, button: 0, pointerId: 1, isPrimary: true }));
  const t0 = performance.now();
  send('pointerdown', ys[0] as number);
  for (const y of ys.slice(1)) send('pointermove', y);
  send('pointerup', ys[ys.length - 1] as number);
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
