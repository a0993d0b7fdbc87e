// Parallel coordinates drawn by us: lines on a 2D canvas, axes, ticks and brushes in SVG on top.
//
// Why not plotly's parcoords: it draws with WebGL in three passes (context, focus, picking) and
// needs plotly itself (~5 MB to parse) on first open. Without a GPU (software rasterizers, many
// laptops' remote desktops, CI) that cost seconds for 10k runs — measured in `npm run bench:ui`:
// plotly's parcoords 2.1 s to open 10k × 8 axes in SwiftShader with 1.3 s of rasterizing still
// queued after that, 0.9 s even for 10 lines; the app's first open 7.4 s. A canvas stroke of
// 10k polylines, batched by colour (one path per colour band), is rasterized on the CPU in tens
// of milliseconds, and hovering is a scan of the lines' pixel ys (no picking pass). Those tens of
// milliseconds are spent in a drawing worker (parcoords/line-painter.ts), not on the page's main
// thread: a brush drag redraws the lines on every step, and the runs table must not wait for it.
//
// Interaction (what plotly's parcoords offered, kept): drag along an axis to brush (several
// ranges per axis; a click on a range removes it, a click elsewhere on the axis clears it),
// drag an axis title sideways to reorder, hover a line to highlight it, click it to select.
// The chart is controlled: brushes and axis order come in as props and go out as callbacks; a
// brush being dragged is drawn from local state until it is committed.
//
// `data-render-count` counts draws of new data (lines, colours, axes) — a brush redraws which
// lines are kept without counting; `runsight:plot:<name>` performance measures time each draw
// to the frame after it, like charts/Plot.tsx does for plotly (the UI benchmarks read both).
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { sampleScale, type ColorScale } from './palette.ts';
import { ChartError, ChartErrorBoundary } from './Plot.tsx';
import { prepare, type LineScene } from './parcoords/draw.ts';
import { addRange, frame, keptLines, lineAt, moveKey, posOf, rangeAt, slotAt, yOf, type Range } from './parcoords/geometry.ts';
import { fitToFrame, LinePainter } from './parcoords/line-painter.ts';
import { screenPixelRatio } from './pixel-ratio.ts';
import type { ChartTheme } from './theme.ts';

export interface PcAxis {
  key: string;
  /** Shown above the axis (shortened to fit); `title` is the full text (tooltip). */
  label: string;
  title: string;
  /** Positions shown, [bottom, top]. */
  range: Range;
  ticks: { pos: number; text: string }[];
  /** Position of every line on this axis, in draw order. */
  values: ArrayLike<number>;
}

export interface ParallelCoordinatesProps {
  name: string;
  testId: string;
  axes: PcAxis[];
  /** Brush ranges per axis (positions), same order as `axes`. */
  brushes: readonly (readonly Range[])[];
  /** Each line's place (0..1) on `colorscale`, in draw order. */
  colors: ArrayLike<number>;
  colorscale: ColorScale;
  /** Lines from this index on are drawn emphasized (selected, best: they come last). */
  emphasizedFrom: number;
  theme: ChartTheme;
  onBrush: (axis: number, ranges: Range[]) => void;
  onReorder: (keys: string[]) => void;
  onHover: (line: number | null) => void;
  onLineClick: (line: number, e: ReactMouseEvent) => void;
}

/** Colour bands the ordinary lines are batched into (one canvas path each). */
const BANDS = 96;
const DRAG_PX = 3;

type Drag = { kind: 'brush'; axis: number; from: number; to: number; moved: boolean } | { kind: 'axis'; axis: number; startX: number; dx: number };

/** The chart inside the charts' error boundary: a throw while drawing shows in place. */
export function ParallelCoordinates(props: ParallelCoordinatesProps) {
  return (
    <ChartErrorBoundary name={props.name} testId={props.testId}>
      <ParallelCoordinatesInner {...props} />
    </ChartErrorBoundary>
  );
}

function ParallelCoordinatesInner(props: ParallelCoordinatesProps) {
  const { axes, brushes, colors, colorscale, emphasizedFrom, theme, name, testId } = props;
  const boxRef = useRef<HTMLDivElement>(null);
  const hoverRef = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  // The drag lives in a ref (events of one gesture can arrive before React re-renders) and in
  // state (what is drawn).
  const [drag, setDragState] = useState<Drag | null>(null);
  const dragRef = useRef<Drag | null>(null);
  const setDrag = useCallback((d: Drag | null) => {
    dragRef.current = d;
    setDragState(d);
  }, []);
  const [renders, setRenders] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const handlers = useRef(props);
  handlers.current = props;

  useLayoutEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const read = () => setSize((s) => (s && s.w === el.clientWidth && s.h === el.clientHeight ? s : { w: el.clientWidth, h: el.clientHeight }));
    read();
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const n = colors.length;
  const f = useMemo(() => (size ? frame(size.w, size.h, axes.length) : null), [size, axes.length]);
  // Pixel y of every line on every axis: drawn from, and hit-tested against.
  const ys = useMemo(() => {
    if (!f) return [];
    return axes.map((a) => {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = yOf(f, a.range, a.values[i] as number);
      return out;
    });
  }, [f, axes, n]);

  // The brushes on screen: the props', with the one being dragged applied.
  const shown = useMemo(() => {
    const b = axes.map((_, i) => [...(brushes[i] ?? [])] as Range[]);
    if (drag?.kind === 'brush' && drag.moved) b[drag.axis] = addRange(b[drag.axis] ?? [], [drag.from, drag.to]);
    return b;
  }, [axes, brushes, drag]);
  const kept = useMemo(() => keptLines(axes.map((a) => a.values), shown, n), [axes, shown, n]);
  const keptRef = useRef(kept);
  keptRef.current = kept;

  const bandColors = useMemo(() => Array.from({ length: BANDS }, (_, b) => sampleScale(colorscale, (b + 0.5) / BANDS)), [colorscale]);

  // The lines' canvas belongs to a painter (a drawing worker where the browser allows it), so a
  // brush dragged over 10k lines never holds up the page. A new scene object means new data.
  const linesHost = useRef<HTMLDivElement>(null);
  // State, not a ref: a new painter (a new canvas) must get the current scene drawn on it.
  const [painter, setPainter] = useState<LinePainter | null>(null);
  const pendingData = useRef<{ seq: number; mark: string } | null>(null);
  const onDrawn = useRef<(seq: number) => void>(() => {});
  onDrawn.current = (seq) => {
    setError(null);
    const data = pendingData.current;
    if (!data || seq < data.seq) return;
    pendingData.current = null;
    requestAnimationFrame(() => {
      try {
        performance.measure(`runsight:plot:${name}`, data.mark);
      } catch {
        // The start mark was cleared by a benchmark: nothing to time.
      }
      performance.clearMarks(data.mark);
      setRenders((r) => r + 1);
    });
  };
  useEffect(() => {
    const host = linesHost.current;
    if (!host) return;
    const p = new LinePainter(host, { className: 'pc-canvas', testId: `${testId}-lines` }, { drawn: (seq) => onDrawn.current(seq), error: setError });
    setPainter(p);
    return () => p.dispose();
  }, [testId]);
  const scene = useMemo<LineScene | null>(
    () => (f ? { f, dpr: screenPixelRatio(), ys, colors: Float32Array.from(colors), bandColors, emphasizedFrom, dimmed: theme.dimmed } : null),
    [f, ys, colors, bandColors, emphasizedFrom, theme.dimmed],
  );
  const brushed = shown.some((r) => r.length > 0);
  // What was drawn last: a new scene, or the same one on a new painter, is a draw of new data.
  const last = useRef<{ painter: LinePainter | null; scene: LineScene | null }>({ painter: null, scene: null });
  useEffect(() => {
    if (!painter || !scene) return;
    const isData = scene !== last.current.scene || painter !== last.current.painter;
    last.current = { painter, scene };
    const mark = `runsight:plot:${name}:start`;
    if (isData) performance.mark(mark);
    const seq = painter.draw(scene, { kept, brushed });
    if (isData) pendingData.current = { seq, mark };
  }, [painter, scene, kept, brushed, name]);

  // Hover: the line under the pointer, highlighted on its own canvas.
  const hovered = useRef(-1);
  const drawHover = useCallback(
    (line: number) => {
      const c = hoverRef.current;
      if (!c || !f) return;
      const ctx = c.getContext('2d');
      if (!ctx) return;
      prepare(c, ctx, f, screenPixelRatio());
      fitToFrame(c, f);
      if (line < 0) return;
      ctx.strokeStyle = theme.hover;
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      f.xs.forEach((x, a) => (a === 0 ? ctx.moveTo(x, (ys[a] as Float32Array)[line] as number) : ctx.lineTo(x, (ys[a] as Float32Array)[line] as number)));
      ctx.stroke();
    },
    [f, ys, theme.hover],
  );
  useEffect(() => drawHover(hovered.current < n ? hovered.current : -1), [drawHover, n]);
  const setHovered = useCallback(
    (line: number) => {
      if (line === hovered.current) return;
      hovered.current = line;
      drawHover(line);
      handlers.current.onHover(line < 0 ? null : line);
    },
    [drawHover],
  );
  const pending = useRef<{ x: number; y: number } | null>(null);
  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (!f || dragRef.current) return;
    const box = e.currentTarget.getBoundingClientRect();
    const first = pending.current === null;
    pending.current = { x: e.clientX - box.left, y: e.clientY - box.top };
    if (!first) return;
    requestAnimationFrame(() => {
      const p = pending.current;
      pending.current = null;
      if (p) setHovered(lineAt(f, ys, keptRef.current, p.x, p.y));
    });
  };
  const onClick = (e: ReactMouseEvent<HTMLDivElement>) => {
    if ((e.target as Element).closest('.pc-brush-area, .pc-title')) return;
    if (hovered.current >= 0) handlers.current.onLineClick(hovered.current, e);
  };

  // Brushing along an axis.
  const onBrushDown = (axis: number) => (e: ReactPointerEvent<SVGRectElement>) => {
    if (!f || e.button !== 0) return;
    capture(e);
    const p = posOf(f, (axes[axis] as PcAxis).range, e.clientY - (boxRef.current?.getBoundingClientRect().top ?? 0));
    setHovered(-1);
    setDrag({ kind: 'brush', axis, from: p, to: p, moved: false });
  };
  const onBrushMove = (e: ReactPointerEvent<SVGRectElement>) => {
    const drag = dragRef.current;
    if (!f || drag?.kind !== 'brush') return;
    const y = e.clientY - (boxRef.current?.getBoundingClientRect().top ?? 0);
    const range = (axes[drag.axis] as PcAxis).range;
    const moved = drag.moved || Math.abs(y - yOf(f, range, drag.from)) >= DRAG_PX;
    setDrag({ ...drag, to: posOf(f, range, y), moved });
  };
  const onBrushUp = () => {
    const drag = dragRef.current;
    if (drag?.kind !== 'brush') return;
    const current = [...(brushes[drag.axis] ?? [])] as Range[];
    let next: Range[];
    if (drag.moved) next = addRange(current, [drag.from, drag.to]);
    else {
      // A click: on a range removes it, elsewhere on the axis clears the axis.
      const at = rangeAt(current, drag.from);
      next = at >= 0 ? current.filter((_, i) => i !== at) : [];
    }
    setDrag(null);
    handlers.current.onBrush(drag.axis, next);
  };

  // Reordering: drag an axis title sideways.
  const onTitleDown = (axis: number) => (e: ReactPointerEvent<SVGTextElement>) => {
    if (e.button !== 0) return;
    capture(e);
    setDrag({ kind: 'axis', axis, startX: e.clientX, dx: 0 });
  };
  const onTitleMove = (e: ReactPointerEvent<SVGTextElement>) => {
    const drag = dragRef.current;
    if (drag?.kind === 'axis') setDrag({ ...drag, dx: e.clientX - drag.startX });
  };
  const onTitleUp = () => {
    const drag = dragRef.current;
    if (drag?.kind !== 'axis' || !f) return;
    const to = slotAt(f, (f.xs[drag.axis] as number) + drag.dx);
    setDrag(null);
    if (to !== drag.axis) handlers.current.onReorder(moveKey(axes.map((a) => a.key), drag.axis, to));
  };

  return (
    <div
      ref={boxRef}
      className="plot pc"
      data-testid={testId}
      data-plot-state={error ? 'error' : renders > 0 ? 'ready' : 'drawing'}
      data-render-count={renders}
      onPointerMove={onPointerMove}
      onPointerLeave={() => setHovered(-1)}
      onClick={onClick}
    >
      <div ref={linesHost} />
      <canvas ref={hoverRef} className="pc-canvas" />
      {f ? (
        <svg className="pc-svg" width={f.width} height={f.height} role="img" aria-label={`Parallel coordinates of ${n} runs over ${axes.length} axes`}>
          {axes.map((a, i) => {
            const x = (f.xs[i] as number) + (drag?.kind === 'axis' && drag.axis === i ? drag.dx : 0);
            return (
              <g key={a.key} className={`pc-axis${drag?.kind === 'axis' && drag.axis === i ? ' dragging' : ''}`} data-testid={`pc-axis-${i}`} data-key={a.key} transform={`translate(${x},0)`}>
                <line y1={f.top} y2={f.bottom} stroke={theme.text2} strokeWidth={1} />
                {a.ticks.map((t) => {
                  const y = yOf(f, a.range, t.pos);
                  return (
                    <g key={`${t.pos}`} transform={`translate(0,${y})`}>
                      <line x1={-4} x2={0} stroke={theme.text2} />
                      <text x={-7} dy="0.32em" textAnchor="end" className="pc-tick" fill={theme.muted} stroke={theme.surface}>
                        {t.text}
                      </text>
                    </g>
                  );
                })}
                {(shown[i] ?? []).map(([lo, hi], j) => (
                  <rect key={j} className="pc-brush" data-testid={`pc-brush-range-${i}`} x={-4} width={8} y={yOf(f, a.range, hi)} height={Math.max(1, yOf(f, a.range, lo) - yOf(f, a.range, hi))} fill={theme.accent} stroke={theme.accent} />
                ))}
                <rect
                  className="pc-brush-area"
                  data-testid={`pc-brush-${i}`}
                  data-lo={a.range[0]}
                  data-hi={a.range[1]}
                  x={-12}
                  width={24}
                  y={f.top}
                  height={f.bottom - f.top}
                  fill="transparent"
                  onPointerDown={onBrushDown(i)}
                  onPointerMove={onBrushMove}
                  onPointerUp={onBrushUp}
                  onPointerCancel={() => setDrag(null)}
                >
                  <title>{`${a.title}: drag to filter`}</title>
                </rect>
                <text
                  className="pc-title"
                  data-testid={`pc-title-${i}`}
                  y={f.top - 22}
                  textAnchor="middle"
                  fill={theme.text}
                  onPointerDown={onTitleDown(i)}
                  onPointerMove={onTitleMove}
                  onPointerUp={onTitleUp}
                  onPointerCancel={() => setDrag(null)}
                >
                  <title>{`${a.title}\nDrag sideways to reorder`}</title>
                  {a.label}
                </text>
              </g>
            );
          })}
        </svg>
      ) : null}
      {error ? <ChartError message={error} /> : null}
    </div>
  );
}

/** Keeps the pointer's moves on the element being dragged (an untrusted event's pointer cannot be captured). */
function capture(e: ReactPointerEvent<Element>): void {
  try {
    e.currentTarget.setPointerCapture(e.pointerId);
  } catch {
    // The moves still arrive while the pointer stays over the element.
  }
}
