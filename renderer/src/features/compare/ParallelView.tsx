// Parallel coordinates over the compare set. Brushing an axis filters the runs table (the brush
// becomes a removable chip beside the filter box); axes can be added, removed, dragged into
// another order (here or on the chart itself) and put on a log scale.
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { sequentialScale } from '../../charts/palette.ts';
import { ParallelCoordinates, type PcAxis } from '../../charts/ParallelCoordinates.tsx';
import { niceTicks } from '../../charts/ticks.ts';
import { useChartTheme } from '../../charts/use-chart-theme.ts';
import { useWidth } from '../../charts/use-width.ts';
import { columnChoices, columnData, defaultAxes, keysOf, primaryMetric, type ColumnData } from '../../core/column-data.ts';
import { parseColumnKey } from '../../core/column-keys.ts';
import { clickRow, modeFromEvent } from '../../core/selection.ts';
import { updateChart } from '../../state/current-chart-settings.ts';
import { useApp } from '../../state/store.ts';
import { ColumnSelect, EmptyChart } from '../../ui/controls.tsx';
import { currentBrushes, setBrushes } from './compare-loader.ts';
import { formatFor, useBestRunId, useChartRows, useChartSettings, useSelectedSet } from './hooks.ts';
import { bandedScale, brushFromRanges, dimensionModel, parcoordsLines, rangesFromBrush, shorten, type ParcoordsRange } from './parcoords-trace.ts';
import { publish } from './test-hooks.ts';

export function ParallelView() {
  const { rows } = useChartRows();
  const settings = useChartSettings();
  const pc = settings.parcoords;
  const best = useBestRunId();
  const selected = useSelectedSet();
  const theme = useChartTheme();
  const available = useApp((s) => s.columnsAvailable);
  const brushes = useApp(currentBrushes);
  const [now] = useState(() => Date.now());

  const keys = useMemo(() => keysOf(rows), [rows]);
  const primary = useMemo(() => primaryMetric(rows, keys.metrics, settings.best.metric), [rows, keys.metrics, settings.best.metric]);
  const axes = useMemo(() => pc.axes ?? defaultAxes(rows, primary, now), [pc.axes, rows, primary, now]);
  const colorBy = pc.colorBy ?? (primary ? `metrics.${primary}` : null);
  const reverse = colorBy !== null && colorBy === `metrics.${settings.best.metric}` && settings.best.direction === 'min';

  const columns = useMemo(() => {
    const m = new Map<string, ColumnData>();
    for (const k of [...axes, ...(colorBy ? [colorBy] : [])]) if (!m.has(k)) m.set(k, columnData(rows, k, now));
    return m;
  }, [rows, axes, colorBy, now]);
  const [boxRef, width] = useWidth<HTMLDivElement>(1000);
  // Axis titles and category labels get the room between two axes (~7 px a character).
  const spacing = (width - 150) / Math.max(1, axes.length - 1);
  const labelChars = Math.max(6, Math.min(26, Math.floor(spacing / 7.5)));
  const tickChars = Math.max(5, Math.min(22, Math.floor(spacing / 7) - 3));
  const dims = useMemo(() => axes.map((k) => dimensionModel(columns.get(k) as ColumnData, pc.log.includes(k), formatFor(k), tickChars)), [axes, columns, pc.log, tickChars]);
  const lines = useMemo(() => parcoordsLines({ rows, dims, color: colorBy ? (columns.get(colorBy) ?? null) : null, reverse, selected, best }), [rows, dims, colorBy, columns, reverse, selected, best]);
  const colorscale = useMemo(() => bandedScale(theme, sequentialScale(theme.dark)), [theme]);
  const pcAxes = useMemo<PcAxis[]>(
    () =>
      dims.map((d, k) => {
        const format = formatFor(d.key);
        const ticks = d.tickvals && d.ticktext ? d.tickvals.map((pos, i) => ({ pos, text: d.ticktext?.[i] ?? '' })) : niceTicks(d.range[0], d.range[1], 5).map((pos) => ({ pos, text: format(pos) }));
        return { key: d.key, label: shorten(d.label, labelChars), title: d.label, range: d.range, ticks, values: lines.values[k] as number[] };
      }),
    [dims, lines, labelChars],
  );
  // Brushes are kept in value space (a live update may widen an axis); the chart gets positions.
  const ranges = useMemo(
    () =>
      dims.map((d) => {
        const b = brushes.find((x) => x.key === d.key);
        return b ? rangesFromBrush(d, b) : [];
      }),
    [dims, brushes],
  );

  useEffect(() => {
    publish('parcoords', {
      runIds: lines.runIds,
      colorBy,
      dimensions: dims.map((d, i) => {
        const cr = ranges[i] ?? [];
        return {
          key: d.key,
          label: d.label,
          type: d.type,
          log: d.log,
          values: lines.values[i] as number[],
          range: d.range,
          tickvals: d.tickvals,
          ticktext: d.ticktext,
          constraintrange: cr.length === 0 ? null : cr.length === 1 ? cr[0] : cr,
        };
      }),
    });
  }, [lines, dims, colorBy, ranges]);
  useEffect(() => () => publish('parcoords', undefined), []);

  const live = useRef({ lines, dims, axes, brushes });
  live.current = { lines, dims, axes, brushes };

  const onBrush = useCallback((axis: number, next: ParcoordsRange[]) => {
    const { dims: ds, brushes: bs } = live.current;
    const dim = ds[axis];
    if (!dim) return;
    const rest = bs.filter((b) => b.key !== dim.key);
    const b = brushFromRanges(dim, next);
    setBrushes(b ? [...rest, b] : rest);
  }, []);
  const onReorder = useCallback((order: string[]) => updateChart('parcoords', { axes: order }), []);
  const onHover = useCallback((i: number | null) => {
    const id = i === null ? null : (live.current.lines.runIds[i] ?? null);
    useApp.getState().setHoverRunId(id, id === null ? undefined : 'parcoords');
  }, []);
  const onLineClick = useCallback((i: number, e: React.MouseEvent) => {
    const id = live.current.lines.runIds[i];
    if (!id) return;
    const s = useApp.getState();
    const mode = modeFromEvent(e);
    s.setSelection(clickRow(s.selection, id, mode === 'range' || mode === 'range-add' ? 'toggle' : mode));
  }, []);

  const choices = useMemo(() => columnChoices(available), [available]);

  if (rows.length === 0) return <EmptyChart testId="parcoords-empty">No runs to compare.</EmptyChart>;

  return (
    <div className="cmp-view" data-testid="parcoords-view" ref={boxRef}>
      <div className="cmp-toolbar nowrap">
        <AxisChips axes={axes} log={pc.log} />
        <ColumnSelect
          label="Add axis"
          value={null}
          none="Add axis…"
          choices={choices.filter((c) => !axes.includes(c.key))}
          onChange={(k) => k && updateChart('parcoords', { axes: [...axes, k] })}
          testId="parcoords-add-axis"
        />
        <ColumnSelect label="Color" value={colorBy} choices={choices} none="One colour" onChange={(k) => updateChart('parcoords', { colorBy: k })} testId="parcoords-color" />
        {pc.axes || pc.log.length > 0 || pc.colorBy ? (
          <button type="button" className="link-button small" onClick={() => updateChart('parcoords', { axes: null, log: [], colorBy: null })} data-testid="parcoords-reset">
            Reset
          </button>
        ) : null}
      </div>
      {axes.length === 0 ? (
        <EmptyChart>Add an axis to draw the runs.</EmptyChart>
      ) : (
        <ParallelCoordinates
          name="parcoords"
          testId="plot-parcoords"
          axes={pcAxes}
          brushes={ranges}
          colors={lines.colors}
          colorscale={colorscale}
          emphasizedFrom={lines.emphasizedFrom}
          theme={theme}
          onBrush={onBrush}
          onReorder={onReorder}
          onHover={onHover}
          onLineClick={onLineClick}
        />
      )}
      <div className="cmp-foot muted small cmp-foot-row">
        <span>
          {rows.length.toLocaleString()} runs · drag along an axis to filter the table · drag an axis title to reorder · click a line to select its run
        </span>
        <ColorLegend color={colorBy ? (columns.get(colorBy) ?? null) : null} reverse={reverse} selected={selected.size > 0} best={best !== null} />
      </div>
    </div>
  );
}

function AxisChips({ axes, log }: { axes: string[]; log: string[] }) {
  const [dragging, setDragging] = useState<string | null>(null);
  const move = (from: string, to: string) => {
    if (from === to) return;
    const next = axes.filter((k) => k !== from);
    next.splice(next.indexOf(to) + (axes.indexOf(from) < axes.indexOf(to) ? 1 : 0), 0, from);
    updateChart('parcoords', { axes: next });
  };
  const onDrop = (e: DragEvent, to: string) => {
    e.preventDefault();
    if (dragging) move(dragging, to);
    setDragging(null);
  };
  return (
    <div className="axis-chips scroll" data-testid="parcoords-axes">
      {axes.map((k, i) => {
        const id = parseColumnKey(k);
        const isLog = log.includes(k);
        return (
          <span
            key={k}
            className={`axis-chip${dragging === k ? ' dragging' : ''}`}
            draggable
            onDragStart={(e) => {
              e.dataTransfer.effectAllowed = 'move';
              e.dataTransfer.setData('text/plain', k);
              setDragging(k);
            }}
            onDragEnd={() => setDragging(null)}
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => onDrop(e, k)}
            title={`${k}\nDrag to reorder`}
            data-testid={`axis-${k}`}
          >
            <span className={`kind-dot kind-${id?.kind ?? 'attribute'}`} aria-hidden="true" />
            <span className="axis-chip-label">{k.slice(k.indexOf('.') + 1)}</span>
            <button
              type="button"
              className={`axis-chip-btn${isLog ? ' on' : ''}`}
              aria-pressed={isLog}
              title="Log scale"
              onClick={() => updateChart('parcoords', { log: isLog ? log.filter((x) => x !== k) : [...log, k] })}
              data-testid={`axis-log-${k}`}
            >
              log
            </button>
            <button
              type="button"
              className="axis-chip-btn"
              title="Move left"
              aria-label={`Move ${k} left`}
              disabled={i === 0}
              onClick={() => move(k, axes[i - 1] as string)}
            >
              ‹
            </button>
            <button type="button" className="axis-chip-btn" title="Remove axis" aria-label={`Remove ${k}`} onClick={() => updateChart('parcoords', { axes: axes.filter((x) => x !== k) })} data-testid={`axis-remove-${k}`}>
              ×
            </button>
          </span>
        );
      })}
    </div>
  );
}

/** The line colours: the colour-by scale with its range, and the highlight colours in use. */
function ColorLegend({ color, reverse, selected, best }: { color: ColumnData | null; reverse: boolean; selected: boolean; best: boolean }) {
  const theme = useChartTheme();
  const scale = sequentialScale(theme.dark);
  const stops = (reverse ? [...scale].reverse() : scale).map(([, c], i, a) => `${c} ${Math.round((i / (a.length - 1)) * 100)}%`).join(', ');
  let range: [string, string] | null = null;
  if (color?.type === 'numeric') {
    const vals = color.values.filter((v): v is number => v !== null && Number.isFinite(v));
    if (vals.length > 0) {
      const f = formatFor(color.key);
      range = [f(Math.min(...vals)), f(Math.max(...vals))];
    }
  } else if (color?.type === 'categorical' && color.categories.length > 0) {
    range = [color.categories[0] as string, color.categories[color.categories.length - 1] as string];
  }
  return (
    <span className="color-legend" data-testid="parcoords-legend">
      {color ? (
        <>
          <span className="legend-label">{color.label}</span>
          {range ? <span className="legend-end">{range[0]}</span> : null}
          <span className="legend-ramp" style={{ background: `linear-gradient(90deg, ${stops})` }} />
          {range ? <span className="legend-end">{range[1]}</span> : null}
        </>
      ) : null}
      {selected ? (
        <span className="legend-key">
          <span className="legend-swatch" style={{ background: theme.accent }} />
          selected
        </span>
      ) : null}
      {best ? (
        <span className="legend-key">
          <span className="legend-swatch" style={{ background: theme.best }} />
          best
        </span>
      ) : null}
    </span>
  );
}
