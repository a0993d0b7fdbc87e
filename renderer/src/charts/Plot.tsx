// The one plotly wrapper. plotly (~5 MB) is loaded on first use with a dynamic import, so the
// runs table never waits for it; every chart goes through here so that:
//  - a chart that throws (bad data, a plotly bug, no WebGL) shows its error in place, inside an
//    error boundary, and never blanks the page;
//  - updates go through Plotly.react (diffing, keeps zoom where the layout's uirevision says so);
//  - each draw is timed with performance marks (`runsight:plot:<name>`), which the UI benchmarks
//    read (bench/ui/compare.ts);
//  - event handlers can change between renders without re-binding plotly's listeners.
import { Component, useEffect, useRef, useState, type ErrorInfo, type MouseEvent, type ReactNode } from 'react';
import { screenPixelRatio } from './pixel-ratio.ts';
import type { PlotlyEventData, PlotlyGraphDiv, PlotlyStatic } from './plotly-api.ts';
import type { PlotlyConfig, PlotlyLayout, PlotlyTrace } from './plotly-types.ts';

let plotlyPromise: Promise<PlotlyStatic> | null = null;

/** plotly, loaded once. A failed load is forgotten so the next chart can try again. */
export function loadPlotly(): Promise<PlotlyStatic> {
  if (!plotlyPromise) {
    plotlyPromise = import('plotly.js-strict-dist-min')
      .then((m) => ((m as { default?: PlotlyStatic }).default ?? (m as unknown as PlotlyStatic)))
      .catch((e: unknown) => {
        plotlyPromise = null;
        throw e;
      });
  }
  return plotlyPromise;
}

export interface PlotHandlers {
  onClick?: (e: PlotlyEventData, gd: PlotlyGraphDiv) => void;
  onHover?: (e: PlotlyEventData, gd: PlotlyGraphDiv) => void;
  onUnhover?: (e: PlotlyEventData, gd: PlotlyGraphDiv) => void;
  /** Box / lasso selection; `null` when plotly clears it (double click). */
  onSelected?: (e: PlotlyEventData | null, gd: PlotlyGraphDiv) => void;
  onRestyle?: (e: unknown, gd: PlotlyGraphDiv) => void;
  onRelayout?: (e: Record<string, unknown>, gd: PlotlyGraphDiv) => void;
  /** After each draw has reached the screen. */
  onRendered?: (gd: PlotlyGraphDiv) => void;
  /** A draw failed (the chart shows the message in place). */
  onError?: (message: string) => void;
}

export interface PlotProps extends PlotHandlers {
  /** Names the performance measure (`runsight:plot:<name>`) and the test id default. */
  name: string;
  data: PlotlyTrace[];
  layout: PlotlyLayout;
  config?: PlotlyConfig;
  className?: string;
  testId?: string;
  /** Extra DOM handlers on the container (parcoords has no plotly_click of its own). */
  onContainerClick?: (e: MouseEvent<HTMLDivElement>) => void;
}

const DEFAULT_CONFIG: PlotlyConfig = {
  displaylogo: false,
  displayModeBar: 'hover',
  responsive: false,
  scrollZoom: false,
  doubleClickDelay: 350,
  // plotly's own toasts ("Double-click to zoom back out") float over the app's top bar.
  showTips: false,
  // WebGL charts (parcoords, scattergl) render at this many canvas pixels per CSS pixel; plotly's
  // default is 2 whatever the screen. On a 1× screen that rasterizes 4× the pixels nobody sees
  // (parcoords with 10k runs: ~3 s instead of <1 s in software WebGL), so follow the screen.
  plotGlPixelRatio: screenPixelRatio(),
  modeBarButtonsToRemove: ['toImage', 'sendDataToCloud', 'toggleSpikelines', 'hoverClosestCartesian', 'hoverCompareCartesian'],
};

const EVENTS: [string, keyof PlotHandlers][] = [
  ['plotly_click', 'onClick'],
  ['plotly_hover', 'onHover'],
  ['plotly_unhover', 'onUnhover'],
  ['plotly_restyle', 'onRestyle'],
  ['plotly_relayout', 'onRelayout'],
];

export function Plot(props: PlotProps) {
  return (
    <ChartErrorBoundary name={props.name} testId={props.testId ?? `plot-${props.name}`}>
      <PlotInner {...props} />
    </ChartErrorBoundary>
  );
}

function PlotInner(props: PlotProps) {
  const { name, data, layout, config, className, testId = `plot-${name}` } = props;
  const boxRef = useRef<HTMLDivElement>(null);
  const gdRef = useRef<HTMLDivElement>(null);
  const handlers = useRef<PlotHandlers>(props);
  handlers.current = props;
  const [plotly, setPlotly] = useState<PlotlyStatic | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [renders, setRenders] = useState(0);
  const bound = useRef(false);
  const seq = useRef(0);

  useEffect(() => {
    let live = true;
    loadPlotly().then(
      (p) => live && setPlotly(() => p),
      (e: unknown) => live && setError(`The chart library could not be loaded: ${e instanceof Error ? e.message : String(e)}`),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    const gd = gdRef.current;
    if (!plotly || !gd) return;
    const id = ++seq.current;
    const mark = `runsight:plot:${name}:start:${id}`;
    performance.mark(mark);
    let cancelled = false;
    plotly
      .react(gd, data, layout, { ...DEFAULT_CONFIG, ...config })
      .then((div) => {
        if (!bound.current) {
          bound.current = true;
          for (const [event, key] of EVENTS) {
            div.on(event, (e) => (handlers.current[key] as ((e: unknown, gd: PlotlyGraphDiv) => void) | undefined)?.(e, div));
          }
          div.on('plotly_selected', (e) => handlers.current.onSelected?.(e ?? null, div));
          div.on('plotly_deselect', () => handlers.current.onSelected?.(null, div));
        }
        requestAnimationFrame(() => {
          if (cancelled || id !== seq.current) return;
          try {
            performance.measure(`runsight:plot:${name}`, mark);
          } catch {
            // The start mark was cleared (performance.clearMarks by a benchmark): nothing to time.
          }
          performance.clearMarks(mark);
          setRenders((n) => n + 1);
          setError(null);
          handlers.current.onRendered?.(div);
        });
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        const msg = e instanceof Error ? e.message : String(e);
        setError(msg);
        handlers.current.onError?.(msg);
      });
    return () => {
      cancelled = true;
    };
  }, [plotly, data, layout, config, name]);

  // Plotly sizes to its container only when told; the panel is resizable.
  useEffect(() => {
    const box = boxRef.current;
    const gd = gdRef.current;
    if (!plotly || !box || !gd) return;
    let raf = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(raf);
      raf = requestAnimationFrame(() => {
        if (gd.isConnected && (gd as Partial<PlotlyGraphDiv>)._fullLayout) void plotly.Plots.resize(gd);
      });
    });
    ro.observe(box);
    return () => {
      cancelAnimationFrame(raf);
      ro.disconnect();
    };
  }, [plotly]);

  useEffect(() => {
    const gd = gdRef.current;
    return () => {
      if (plotly && gd) {
        (gd as Partial<PlotlyGraphDiv>).removeAllListeners?.();
        plotly.purge(gd);
      }
      bound.current = false;
    };
  }, [plotly]);

  return (
    <div
      ref={boxRef}
      className={`plot ${className ?? ''}`}
      data-testid={testId}
      data-plot-state={error ? 'error' : plotly ? (renders > 0 ? 'ready' : 'drawing') : 'loading'}
      data-render-count={renders}
      onClick={props.onContainerClick}
    >
      <div ref={gdRef} className="plot-graph" />
      {!plotly && !error ? (
        <div className="plot-overlay">
          <span className="spinner" aria-label="Loading chart" />
        </div>
      ) : null}
      {error ? <ChartError message={error} /> : null}
    </div>
  );
}

/** A chart's draw failed: the message in place of the chart. */
export function ChartError({ message }: { message: string }) {
  return (
    <div className="plot-overlay plot-error" role="alert" data-testid="plot-error">
      <strong>This chart could not be drawn.</strong>
      <span className="muted small">{message}</span>
    </div>
  );
}

interface BoundaryProps {
  name: string;
  testId: string;
  children: ReactNode;
}

/** A chart that throws while rendering shows the error where it would have been. */
export class ChartErrorBoundary extends Component<BoundaryProps, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`chart ${this.props.name} failed`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="plot plot-failed" data-testid={this.props.testId} data-plot-state="error">
        <div className="plot-overlay plot-error" role="alert" data-testid="plot-error">
          <strong>This chart could not be drawn.</strong>
          <span className="muted small">{this.state.error.message}</span>
          <button type="button" className="button small" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      </div>
    );
  }
}
