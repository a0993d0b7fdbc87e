// Scatter of any two columns, coloured and sized by others. Click selects a run (Ctrl/Cmd adds),
// box or lasso selects many; hovering shows the run's card and highlights its table row.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Plot } from '../../charts/Plot.tsx';
import type { PlotlyEventData } from '../../charts/plotly-api.ts';
import { baseLayout, mergeAxis } from '../../charts/theme.ts';
import { useChartTheme } from '../../charts/use-chart-theme.ts';
import { inBrush } from '../../core/brush.ts';
import { columnChoices, columnData, keysOf, primaryMetric, varyingParams, type ColumnData } from '../../core/column-data.ts';
import { clickRow, modeFromEvent, selectIds } from '../../core/selection.ts';
import { updateChart } from '../../state/current-chart-settings.ts';
import { useApp } from '../../state/store.ts';
import { CheckToggle, ColumnSelect, EmptyChart, Segmented } from '../../ui/controls.tsx';
import { currentBrushes } from './compare-loader.ts';
import { formatFor, isDateColumn, useBestRunId, useChartRows, useChartSettings, useSelectedSet } from './hooks.ts';
import { buildScatter } from './scatter-figure.ts';
import { publish } from './test-hooks.ts';

type DragMode = 'zoom' | 'select' | 'lasso';

function runIdOf(p: { customdata?: unknown } | undefined): string | null {
  const cd = p?.customdata;
  return Array.isArray(cd) && typeof cd[0] === 'string' ? cd[0] : null;
}

export function ScatterView() {
  const { rows } = useChartRows();
  const settings = useChartSettings();
  const sc = settings.scatter;
  const best = useBestRunId();
  const selected = useSelectedSet();
  const theme = useChartTheme();
  const available = useApp((s) => s.columnsAvailable);
  const hoverRunId = useApp((s) => (s.hoverSource !== 'scatter' ? s.hoverRunId : null));
  const brushes = useApp(currentBrushes);
  const [dragmode, setDragmode] = useState<DragMode>('zoom');
  const [now] = useState(() => Date.now());

  const keys = useMemo(() => keysOf(rows), [rows]);
  const primary = useMemo(() => primaryMetric(rows, keys.metrics, settings.best.metric), [rows, keys.metrics, settings.best.metric]);
  // Defaults: the varying param most runs have, against the primary metric.
  const xKey = useMemo(() => {
    if (sc.x) return sc.x;
    const param = varyingParams(rows, now)[0];
    return param ? `params.${param}` : 'attributes.start_time';
  }, [sc.x, rows, now]);
  const yKey = sc.y ?? (primary ? `metrics.${primary}` : 'attributes.duration');

  const col = useCallback((k: string | null) => (k ? columnData(rows, k, now) : null), [rows, now]);
  const x = useMemo(() => col(xKey) as ColumnData, [col, xKey]);
  const y = useMemo(() => col(yKey) as ColumnData, [col, yKey]);
  const color = useMemo(() => col(sc.color), [col, sc.color]);
  const size = useMemo(() => col(sc.size), [col, sc.size]);

  // Runs outside the parallel-coordinates brushes are drawn faded (they are not in the table).
  const outside = useMemo(() => {
    if (brushes.length === 0) return null;
    const out = new Set<string>();
    for (const b of brushes) {
      const c = columnData(rows, b.key, now);
      rows.forEach((r, i) => {
        if (!inBrush(c, i, b)) out.add(r.runId);
      });
    }
    return out;
  }, [brushes, rows, now]);

  // A large scatter is not redrawn for a hover elsewhere: redrawing 100k points per pointer move
  // would cost more than the highlight is worth.
  const large = rows.length > 5000;
  const model = useMemo(
    () =>
      buildScatter({
        rows,
        x,
        y,
        color,
        size,
        logX: sc.logX,
        logY: sc.logY,
        selected,
        best,
        hover: large ? null : hoverRunId,
        outside,
        theme,
        formatFor,
        isDate: isDateColumn,
      }),
    [rows, x, y, color, size, sc.logX, sc.logY, selected, best, large, hoverRunId, outside, theme],
  );
  const layout = useMemo(() => {
    const base = baseLayout(theme);
    return {
      ...base,
      ...model.layout,
      xaxis: mergeAxis(base.xaxis, model.layout.xaxis),
      yaxis: mergeAxis(base.yaxis, model.layout.yaxis),
      dragmode,
      // Zoom survives data updates until the axes change meaning.
      uirevision: `${xKey}|${yKey}|${sc.logX}|${sc.logY}`,
      margin: { l: 64, r: 24, t: 16, b: 48 },
    };
  }, [model, theme, dragmode, xKey, yKey, sc.logX, sc.logY]);

  useEffect(() => {
    publish('scatter', { x: xKey, y: yKey, color: sc.color, size: sc.size, gl: model.gl, points: model.points, skipped: model.skipped });
  }, [model, xKey, yKey, sc.color, sc.size]);
  useEffect(() => () => publish('scatter', undefined), []);

  const lastHover = useRef<string | null>(null);
  const onClick = useCallback((e: PlotlyEventData) => {
    const id = runIdOf(e.points?.[0]);
    if (!id) return;
    const s = useApp.getState();
    const ev = e.event ?? { shiftKey: false, ctrlKey: false, metaKey: false };
    const mode = modeFromEvent(ev);
    s.setSelection(clickRow(s.selection, id, mode === 'range' || mode === 'range-add' ? 'toggle' : mode));
  }, []);
  const onHover = useCallback((e: PlotlyEventData) => {
    const id = runIdOf(e.points?.[0]);
    lastHover.current = id;
    useApp.getState().setHoverRunId(id, 'scatter');
  }, []);
  const onUnhover = useCallback(() => {
    lastHover.current = null;
    useApp.getState().setHoverRunId(null);
  }, []);
  const onSelected = useCallback((e: PlotlyEventData | null) => {
    if (!e || !e.points) return;
    const ids = [...new Set(e.points.map(runIdOf).filter((id): id is string => id !== null))];
    if (ids.length > 0) useApp.getState().setSelection(selectIds(ids));
  }, []);

  const choices = useMemo(() => columnChoices(available), [available]);

  if (rows.length === 0) return <EmptyChart testId="scatter-empty">No runs to compare.</EmptyChart>;
  return (
    <div className="cmp-view" data-testid="scatter-view">
      <div className="cmp-toolbar">
        <ColumnSelect label="X" value={xKey} choices={choices} onChange={(k) => updateChart('scatter', { x: k })} testId="scatter-x" />
        <CheckToggle label="log" checked={sc.logX} onChange={(v) => updateChart('scatter', { logX: v })} testId="scatter-logx" disabled={x.type !== 'numeric'} />
        <ColumnSelect label="Y" value={yKey} choices={choices} onChange={(k) => updateChart('scatter', { y: k })} testId="scatter-y" />
        <CheckToggle label="log" checked={sc.logY} onChange={(v) => updateChart('scatter', { logY: v })} testId="scatter-logy" disabled={y.type !== 'numeric'} />
        <ColumnSelect label="Color" value={sc.color} choices={choices} none="None" onChange={(k) => updateChart('scatter', { color: k })} testId="scatter-color" />
        <ColumnSelect label="Size" value={sc.size} choices={choices} none="None" onChange={(k) => updateChart('scatter', { size: k })} testId="scatter-size" />
        <Segmented
          label="Drag"
          value={dragmode}
          onChange={setDragmode}
          testId="scatter-drag"
          options={[
            { id: 'zoom', label: 'Zoom' },
            { id: 'select', label: 'Box', title: 'Box select' },
            { id: 'lasso', label: 'Lasso', title: 'Lasso select' },
          ]}
        />
      </div>
      <Plot name="scatter" testId="plot-scatter" data={model.traces} layout={layout} onClick={onClick} onHover={onHover} onUnhover={onUnhover} onSelected={onSelected} />
      <div className="cmp-foot muted small" data-testid="scatter-foot">
        {model.points.length.toLocaleString()} runs drawn{model.gl ? ' (WebGL)' : ''}
        {model.skipped.length > 0 ? ` · ${model.skipped.length.toLocaleString()} without a value for ${x.label} or ${y.label}` : ''} · click a point to select
        its run, Ctrl/Cmd-click to add, Box/Lasso to select many
      </div>
    </div>
  );
}
