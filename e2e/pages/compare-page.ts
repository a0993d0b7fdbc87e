// Page object for the compare panel (parallel coordinates, scatter, curves, diff, groups). It
// reads what the charts show through the app's test hook (`window.__runsightCharts`) and plotly's
// own data on the graph div — values, never pixels (renderer/README.md, "Compare views").
import { expect, type Locator, type Page } from '@playwright/test';

export type CompareTab = 'parallel' | 'scatter' | 'curves' | 'diff' | 'groups';

/** The parts of the renderer's ChartsHook (features/compare/test-hooks.ts) the specs read. */
export interface ChartsState {
  set?: { mode: string; runIds: string[]; total: number; capped: boolean };
  parcoords?: {
    runIds: string[];
    colorBy: string | null;
    dimensions: { key: string; label: string; type: string; log: boolean; values: number[]; tickvals: number[] | null; ticktext: string[] | null; constraintrange: unknown }[];
  };
  scatter?: { x: string; y: string; gl: boolean; points: { runId: string; x: number; y: number }[]; skipped: string[] };
  curves?: {
    x: string;
    smoothing: number;
    grouped: boolean;
    runIds: string[];
    metrics: Record<string, { runs: { runId: string; points: number; drawn: number; last: number; min: number; max: number }[]; missing: string[] }>;
  };
  diff?: { runIds: string[]; onlyDiff: boolean; sections: Record<string, string[]> };
  best?: { metric: string | null; direction: string; runId: string | null };
}

/** A trace as plotly keeps it in `gd.data` (only what the specs look at). */
export interface TraceData {
  type: string;
  name?: string;
  x?: unknown[];
  y?: unknown[];
  customdata?: unknown[];
  meta?: { runId?: string; role?: string };
  dimensions?: { label: string; values: number[]; constraintrange?: unknown }[];
}

export class ComparePage {
  readonly page: Page;
  readonly panel: Locator;

  constructor(page: Page) {
    this.page = page;
    this.panel = page.getByTestId('compare-panel');
  }

  async open(tab: CompareTab = 'parallel'): Promise<void> {
    if ((await this.panel.count()) === 0) await this.page.getByTestId('compare-toggle').click();
    await expect(this.panel).toBeVisible();
    await this.tab(tab);
  }

  async tab(tab: CompareTab): Promise<void> {
    await this.page.getByTestId(`compare-tab-${tab}`).click();
    await expect(this.panel).toHaveAttribute('data-tab', tab);
  }

  /** The chart container (`plot-parcoords`, `plot-scatter`, `plot-curves-<metric>`). */
  plot(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  /** Picks the scatter's axes and waits until the chart shows them. */
  async scatterAxes(x: string, y: string): Promise<void> {
    await this.page.getByTestId('scatter-x').selectOption(x);
    await this.page.getByTestId('scatter-y').selectOption(y);
    await expect.poll(async () => (await this.state()).scatter?.x).toBe(x);
    await expect.poll(async () => (await this.state()).scatter?.y).toBe(y);
    await this.waitDrawn('plot-scatter');
  }

  /** Waits until the chart has drawn at least `renders` times. */
  async waitDrawn(testId: string, renders = 1): Promise<void> {
    const plot = this.plot(testId);
    await expect(plot).toHaveAttribute('data-plot-state', 'ready', { timeout: 30_000 });
    await expect.poll(async () => Number(await plot.getAttribute('data-render-count'))).toBeGreaterThanOrEqual(renders);
  }

  async renderCount(testId: string): Promise<number> {
    return Number(await this.plot(testId).getAttribute('data-render-count'));
  }

  async state(): Promise<ChartsState> {
    return this.page.evaluate(() => {
      const hook = (window as unknown as { __runsightCharts?: Record<string, unknown> }).__runsightCharts ?? {};
      return JSON.parse(JSON.stringify(hook)) as ChartsState;
    });
  }

  /** plotly's `gd.data` of a chart. */
  async traces(testId: string): Promise<TraceData[]> {
    return this.plot(testId)
      .locator('.js-plotly-plot')
      .evaluate((gd) => JSON.parse(JSON.stringify((gd as unknown as { data: unknown[] }).data)) as TraceData[]);
  }

  /** plotly's `gd.layout` (what the user's zoom writes into). */
  async layout(testId: string): Promise<Record<string, { range?: [number, number]; type?: string } | unknown>> {
    return this.plot(testId)
      .locator('.js-plotly-plot')
      .evaluate((gd) => JSON.parse(JSON.stringify((gd as unknown as { layout: unknown }).layout)) as Record<string, unknown>);
  }

  /** Where a data point sits on the page (cartesian charts), from plotly's own axes. */
  async pointOnPage(testId: string, x: number, y: number): Promise<{ x: number; y: number }> {
    return this.plot(testId)
      .locator('.js-plotly-plot')
      .evaluate(
        (gd, [px, py]) => {
          type Axis = { _offset: number; l2p(v: number): number; d2l?(v: number): number; type: string };
          const fl = (gd as unknown as { _fullLayout: { xaxis: Axis; yaxis: Axis } })._fullLayout;
          const lin = (a: Axis, v: number) => (a.type === 'log' ? Math.log10(v) : v);
          const box = gd.getBoundingClientRect();
          return { x: box.left + fl.xaxis._offset + fl.xaxis.l2p(lin(fl.xaxis, px as number)), y: box.top + fl.yaxis._offset + fl.yaxis.l2p(lin(fl.yaxis, py as number)) };
        },
        [x, y],
      );
  }

  /**
   * Drags a brush along parallel-coordinates axis `index`, with the mouse the way a user does,
   * between two fractions of the axis height (0 = bottom, 1 = top). Where it lands in values is
   * read back from the published chart state afterwards (`constraintrange`).
   */
  async brushAxis(index: number, fromFrac: number, toFrac: number): Promise<void> {
    const r = await this.page.getByTestId(`pc-brush-${index}`).boundingBox();
    if (!r) throw new Error(`no axis ${index}`);
    const x = r.x + r.width / 2;
    const [y1, y2] = [r.y + r.height - fromFrac * r.height, r.y + r.height - toFrac * r.height];
    await this.page.mouse.move(x, y1);
    await this.page.mouse.down();
    await this.page.mouse.move(x, (y1 + y2) / 2, { steps: 5 });
    await this.page.mouse.move(x, y2, { steps: 5 });
    await this.page.mouse.up();
  }

  /** Clicks on parallel-coordinates axis `index` at a fraction of its height (clears or removes a brush range). */
  async clickAxis(index: number, frac: number): Promise<void> {
    const r = await this.page.getByTestId(`pc-brush-${index}`).boundingBox();
    if (!r) throw new Error(`no axis ${index}`);
    await this.page.mouse.click(r.x + r.width / 2, r.y + r.height - frac * r.height);
  }

  /** Drags parallel-coordinates axis `index` by its title to where axis `to` stands. */
  async dragAxis(index: number, to: number): Promise<void> {
    const a = await this.page.getByTestId(`pc-title-${index}`).boundingBox();
    const b = await this.page.getByTestId(`pc-title-${to}`).boundingBox();
    if (!a || !b) throw new Error(`no axis ${index} or ${to}`);
    const y = a.y + a.height / 2;
    await this.page.mouse.move(a.x + a.width / 2, y);
    await this.page.mouse.down();
    await this.page.mouse.move(b.x + b.width / 2, y, { steps: 8 });
    await this.page.mouse.up();
  }

  /** Drags a zoom box across a cartesian chart between two fractions of its plot width. */
  async zoomX(testId: string, fromFrac: number, toFrac: number): Promise<void> {
    const box = await this.plot(testId)
      .locator('.js-plotly-plot')
      .evaluate((gd) => {
        const fl = (gd as unknown as { _fullLayout: { _size: { l: number; t: number; w: number; h: number } } })._fullLayout._size;
        const b = gd.getBoundingClientRect();
        return { left: b.left + fl.l, top: b.top + fl.t, w: fl.w, h: fl.h };
      });
    const y = box.top + box.h / 2;
    await this.page.mouse.move(box.left + box.w * fromFrac, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.left + box.w * ((fromFrac + toFrac) / 2), y + 2, { steps: 4 });
    await this.page.mouse.move(box.left + box.w * toFrac, y + 4, { steps: 4 });
    await this.page.mouse.up();
  }

  async setBestBy(metric: string, direction: 'min' | 'max'): Promise<void> {
    await this.page.getByTestId('best-metric').selectOption(metric);
    await this.page.getByTestId(`best-direction-${direction}`).click();
  }

  async screenshot(dir: string, name: string): Promise<void> {
    await this.page.screenshot({ path: `${dir}/${name}.png`, fullPage: false });
  }
}
