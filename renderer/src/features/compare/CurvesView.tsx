// Metric curves: full histories of the chosen metrics for the selected runs (or, with none
// selected, the runs of the compare set), overlaid one chart per metric. Live: histories of runs
// that change are re-read and the curves grow without losing the user's zoom (uirevision).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { MetricPoint, RunRow } from '../../../../preload/api.ts';
import { colorAt } from '../../charts/palette.ts';
import { Plot } from '../../charts/Plot.tsx';
import type { PlotlyEventData } from '../../charts/plotly-api.ts';
import { baseLayout, mergeAxis } from '../../charts/theme.ts';
import { useChartTheme } from '../../charts/use-chart-theme.ts';
import { useWidth } from '../../charts/use-width.ts';
import type { CurveX } from '../../core/chart-settings.ts';
import { keysOf, primaryMetric } from '../../core/column-data.ts';
import { clickRow, modeFromEvent } from '../../core/selection.ts';
import { formatNumber } from '../../lib/format.ts';
import { updateChart } from '../../state/current-chart-settings.ts';
import { useApp } from '../../state/store.ts';
import { CheckToggle, EmptyChart, Segmented } from '../../ui/controls.tsx';
import { CURVES_CAP, ensureHistories } from './compare-loader.ts';
import { buildCurves, type CurveRun } from './curves-figure.ts';
import { groupLabelOf } from './group-runs.ts';
import { useBestRunId, useChartRows, useChartSettings, useSelectedRows, useSelectedSet } from './hooks.ts';
import { publish, type ChartsHook } from './test-hooks.ts';


/** The runs curves overlay: the selection, else the compare set (capped). */
function useCurveRuns(): { runs: RunRow[]; capped: number | null; fromSelection: boolean } {
  const selectedRows = useSelectedRows();
  const { rows } = useChartRows();
  return useMemo(() => {
    if (selectedRows.length > 0) return { runs: selectedRows.slice(0, CURVES_CAP), capped: selectedRows.length > CURVES_CAP ? selectedRows.length : null, fromSelection: true };
    return { runs: rows.slice(0, CURVES_CAP), capped: rows.length > CURVES_CAP ? rows.length : null, fromSelection: false };
  }, [selectedRows, rows]);
}

export function CurvesView() {
  const { runs, capped, fromSelection } = useCurveRuns();
  const settings = useChartSettings();
  const cu = settings.curves;
  const available = useApp((s) => s.columnsAvailable.metrics);
  const histories = useApp((s) => (s.histories.storeId === s.storeId ? s.histories.data : null));
  const loading = useApp((s) => s.historiesLoading);
  const [smoothing, setSmoothing] = useState(cu.smoothing);
  useEffect(() => setSmoothing(cu.smoothing), [cu.smoothing]);
  const [bodyRef, width] = useWidth<HTMLDivElement>();

  const keys = useMemo(() => keysOf(runs).metrics, [runs]);
  const primary = useMemo(() => primaryMetric(runs, keys, settings.best.metric), [runs, keys, settings.best.metric]);
  const metrics = useMemo(() => (cu.keys ?? (primary ? [primary] : [])).filter((k) => k !== ''), [cu.keys, primary]);
  const runIds = useMemo(() => runs.map((r) => r.runId), [runs]);

  useEffect(() => {
    void ensureHistories(runIds, metrics);
  }, [runIds, metrics]);

  // Commit the slider a moment after it stops moving (each step redraws every curve).
  useEffect(() => {
    if (smoothing === cu.smoothing) return;
    const t = setTimeout(() => updateChart('curves', { smoothing }), 120);
    return () => clearTimeout(t);
  }, [smoothing, cu.smoothing]);

  const groupBy = settings.group.by;
  const hookRef = useRef<NonNullable<ChartsHook['curves']>['metrics']>({});
  useEffect(() => {
    hookRef.current = {};
    return () => publish('curves', undefined);
  }, []);

  const addable = available.filter((k) => !metrics.includes(k));
  return (
    <div className="cmp-view" data-testid="curves-view">
      <div className="cmp-toolbar">
        <div className="cmp-field">
          <span className="cmp-field-label">Metrics</span>
          <div className="axis-chips" data-testid="curves-metrics">
            {metrics.map((k) => (
              <span key={k} className="axis-chip" data-testid={`curve-metric-${k}`}>
                <span className="kind-dot kind-metric" aria-hidden="true" />
                <span className="axis-chip-label">{k}</span>
                <button type="button" className="axis-chip-btn" aria-label={`Remove ${k}`} onClick={() => updateChart('curves', { keys: metrics.filter((x) => x !== k) })}>
                  ×
                </button>
              </span>
            ))}
            <select className="cmp-select" value="" onChange={(e) => e.target.value && updateChart('curves', { keys: [...metrics, e.target.value] })} data-testid="curves-add-metric">
              <option value="">Add metric…</option>
              {addable.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </div>
        </div>
        <Segmented<CurveX>
          label="X axis"
          value={cu.x}
          onChange={(x) => updateChart('curves', { x })}
          testId="curves-x"
          options={[
            { id: 'step', label: 'Step' },
            { id: 'wall', label: 'Wall time' },
            { id: 'relative', label: 'Relative' },
          ]}
        />
        <label className="cmp-field smoothing">
          <span className="cmp-field-label">Smoothing</span>
          <span className="slider-row">
            <input type="range" min={0} max={0.99} step={0.01} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} data-testid="curves-smoothing" aria-valuetext={smoothing.toFixed(2)} />
            <span className="slider-value mono">{smoothing.toFixed(2)}</span>
          </span>
        </label>
        <CheckToggle label="Log y" checked={cu.logY} onChange={(v) => updateChart('curves', { logY: v })} testId="curves-logy" />
        <CheckToggle
          label={groupBy ? `Bands by ${groupBy.slice(groupBy.indexOf('.') + 1)}` : 'Bands by group'}
          checked={cu.grouped && !!groupBy}
          disabled={!groupBy}
          title={groupBy ? 'One mean line and min–max band per group' : 'Choose "Group by" in the Groups tab first'}
          onChange={(v) => updateChart('curves', { grouped: v })}
          testId="curves-grouped"
        />
        {loading ? <span className="spinner" aria-label="Loading histories" /> : null}
      </div>
      <div className="curves-body" ref={bodyRef} data-testid="curves-body">
        {runs.length === 0 ? (
          <EmptyChart>No runs to draw.</EmptyChart>
        ) : metrics.length === 0 ? (
          <EmptyChart>These runs have no metrics.</EmptyChart>
        ) : (
          metrics.map((k) => (
            <CurveChart key={k} metric={k} runs={runs} histories={histories} buckets={width} single={metrics.length === 1} grouped={cu.grouped && !!groupBy ? groupBy : null} hook={hookRef} />
          ))
        )}
      </div>
      <div className="cmp-foot muted small">
        {fromSelection ? `${runs.length} selected run${runs.length === 1 ? '' : 's'}` : `${runs.length} run${runs.length === 1 ? '' : 's'} (select runs to choose which)`}
        {capped ? ` · first ${CURVES_CAP} of ${capped.toLocaleString()}` : ''} · long histories are thinned for drawing only; legend values use every point
      </div>
    </div>
  );
}

function CurveChart(props: {
  metric: string;
  runs: RunRow[];
  histories: Record<string, Record<string, MetricPoint[]>> | null;
  buckets: number;
  single: boolean;
  grouped: string | null;
  hook: React.RefObject<NonNullable<ChartsHook['curves']>['metrics']>;
}) {
  const { metric, runs, histories, buckets, single, grouped, hook } = props;
  const cu = useChartSettings().curves;
  const best = useBestRunId();
  const selected = useSelectedSet();
  const hover = useApp((s) => (s.hoverSource !== `curves:${metric}` ? s.hoverRunId : null));
  const theme = useChartTheme();

  const { withMetric, missing, pending } = useMemo(() => {
    const withMetric: CurveRun[] = [];
    const missing: RunRow[] = [];
    let pending = 0;
    runs.forEach((r, i) => {
      const pts = histories?.[r.runId]?.[metric];
      if (pts === undefined) {
        pending++;
        return;
      }
      if (pts.length === 0) missing.push(r);
      else withMetric.push({ row: r, points: pts, color: colorAt(i) });
    });
    return { withMetric, missing, pending };
  }, [runs, histories, metric]);

  const groups = useMemo(() => (grouped ? new Map(withMetric.map((r) => [r.row.runId, groupLabelOf(r.row, grouped)])) : null), [grouped, withMetric]);
  const model = useMemo(
    () =>
      buildCurves({
        metric,
        runs: withMetric,
        mode: cu.x,
        smoothing: cu.smoothing,
        logY: cu.logY,
        buckets,
        selected,
        best,
        hover,
        theme,
        format: formatNumber,
        groups,
      }),
    [metric, withMetric, cu.x, cu.smoothing, cu.logY, buckets, selected, best, hover, theme, groups],
  );
  const layout = useMemo(() => {
    const base = baseLayout(theme);
    return {
      ...base,
      ...model.layout,
      xaxis: mergeAxis(base.xaxis, model.layout.xaxis),
      yaxis: mergeAxis(base.yaxis, model.layout.yaxis),
      legend: { ...(base.legend as object), ...(model.layout.legend as object) },
    };
  }, [model, theme]);

  useEffect(() => {
    const metrics = hook.current ?? {};
    metrics[metric] = {
      runs: withMetric.map((r) => {
        const st = model.stats.get(r.row.runId);
        const tr = model.traces.find((t) => (t.meta as { runId?: string; role?: string } | undefined)?.runId === r.row.runId && t.showlegend !== false);
        return { runId: r.row.runId, points: r.points.length, drawn: (tr?.x as unknown[] | undefined)?.length ?? 0, last: st?.last ?? Number.NaN, min: st?.min ?? Number.NaN, max: st?.max ?? Number.NaN };
      }),
      missing: missing.map((r) => r.runId),
      totalPoints: model.totalPoints,
      drawnPoints: model.drawnPoints,
    };
    publish('curves', { x: cu.x, smoothing: cu.smoothing, logY: cu.logY, grouped: !!groups, runIds: runs.map((r) => r.runId), metrics: { ...metrics } });
    return () => {
      delete metrics[metric];
    };
  }, [model, withMetric, missing, metric, cu.x, cu.smoothing, cu.logY, groups, runs, hook]);

  const onClick = (e: PlotlyEventData) => {
    const cd = e.points?.[0]?.customdata;
    if (typeof cd !== 'string') return;
    const s = useApp.getState();
    const mode = modeFromEvent(e.event ?? { shiftKey: false, ctrlKey: false, metaKey: false });
    s.setSelection(clickRow(s.selection, cd, mode === 'range' || mode === 'range-add' ? 'toggle' : mode));
  };
  const onHover = (e: PlotlyEventData) => {
    const cd = e.points?.[0]?.customdata;
    useApp.getState().setHoverRunId(typeof cd === 'string' ? cd : null, `curves:${metric}`);
  };

  return (
    <section className={`curve-card${single ? ' single' : ''}`} data-testid={`curve-${metric}`} data-runs={withMetric.length} data-missing={missing.length} data-pending={pending}>
      {!single ? <h3 className="curve-title">{metric}</h3> : null}
      {withMetric.length > 0 ? (
        <Plot name={`curves-${metric}`} testId={`plot-curves-${metric}`} data={model.traces} layout={layout} onClick={onClick} onHover={onHover} onUnhover={() => useApp.getState().setHoverRunId(null)} />
      ) : pending > 0 ? (
        <EmptyChart>Loading {metric}…</EmptyChart>
      ) : (
        <EmptyChart>None of these runs logged {metric}.</EmptyChart>
      )}
      {missing.length > 0 ? (
        <div className="curve-missing small" data-testid={`curves-missing-${metric}`}>
          <span className="muted">No {metric} in {missing.length === 1 ? 'run' : `${missing.length} runs`}: </span>
          {missing.slice(0, 30).map((r, i) => (
            <span key={r.runId} className="missing-run" data-testid={`curves-missing-run-${r.runId}`}>
              {i > 0 ? ', ' : ''}
              {r.runName || r.runId.slice(0, 8)}
            </span>
          ))}
          {missing.length > 30 ? <span className="muted"> and {missing.length - 30} more</span> : null}
        </div>
      ) : null}
    </section>
  );
}
