// The compare panel under the runs table (split view, resizable): tabs for the five views, which
// runs they show, and "best by". It also keeps the compare data in sync while anything needs it
// — the panel is open, a "best by" badge is shown in the table, or a brush filters it.
import { lazy, Suspense, useEffect, useRef, useState, type PointerEvent } from 'react';
import { loadPlotly } from '../../charts/Plot.tsx';
import { COMPARE_TABS, type CompareTab, type Direction } from '../../core/chart-settings.ts';
import { startRunDrag } from '../../core/drag-data.ts';
import { clickRow } from '../../core/selection.ts';
import { formatNumber } from '../../lib/format.ts';
import { chartSettings, updateChart } from '../../state/current-chart-settings.ts';
import { useApp } from '../../state/store.ts';
import { Segmented } from '../../ui/controls.tsx';
import {
  compareQuery,
  COMPARE_CAP,
  followIndexChanges,
  loadCompareRows,
  loadSelectionRows,
  refreshBest,
} from './compare-loader.ts';
import { ExportReportButton } from './ExportDialog.tsx';
import { useChartRows, useChartSettings } from './hooks.ts';
import { CompareIcon } from './icons.tsx';
import { publish } from './test-hooks.ts';
import './compare.css';

// Each view is its own chunk; plotly itself is loaded by the first chart (charts/Plot.tsx).
const ParallelView = lazy(() => import('./ParallelView.tsx').then((m) => ({ default: m.ParallelView })));
const ScatterView = lazy(() => import('./ScatterView.tsx').then((m) => ({ default: m.ScatterView })));
const CurvesView = lazy(() => import('./CurvesView.tsx').then((m) => ({ default: m.CurvesView })));
const DiffView = lazy(() => import('./DiffView.tsx').then((m) => ({ default: m.DiffView })));
const GroupsView = lazy(() => import('./GroupsView.tsx').then((m) => ({ default: m.GroupsView })));

const MIN_HEIGHT = 240;

function useCompareSync(): void {
  const settings = useApp(chartSettings);
  // Rows are loaded only for the open panel: the table's "best" badge asks the engine for the
  // one winning run instead (refreshBest), and a brush's clause is fixed when it is drawn.
  const needed = settings.panel.open;
  const generation = useApp((s) => (s.compareRows ? 0 : s.generation));
  const key = useApp((s) => compareQuery(s)?.key ?? null);
  const compareRows = useApp((s) => s.compareRows);
  const selected = useApp((s) => s.selection.selected);
  const best = useApp((s) => s.best);

  useEffect(() => {
    if (needed && key) void loadCompareRows();
  }, [needed, key]);
  useEffect(followIndexChanges, []);
  useEffect(() => {
    if (settings.panel.open) void loadSelectionRows();
  }, [settings.panel.open, selected, compareRows]);
  useEffect(() => {
    void refreshBest();
  }, [compareRows, settings.best.metric, settings.best.direction, key, generation]);
  useEffect(() => {
    publish('best', { metric: settings.best.metric, direction: settings.best.direction, runId: settings.best.metric ? (best?.runId ?? null) : null });
  }, [settings.best.metric, settings.best.direction, best]);
}

export function ComparePanel() {
  useCompareSync();
  const open = useChartSettings().panel.open;
  const hasScope = useApp((s) => s.storeId !== null && s.experimentIds.length > 0);
  if (!open || !hasScope) return null;
  return <OpenPanel />;
}

function OpenPanel() {
  const panel = useChartSettings().panel;
  const ref = useRef<HTMLElement>(null);
  const [drag, setDrag] = useState<number | null>(null);
  const height = drag ?? panel.height;

  const onResizeStart = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const el = e.currentTarget;
    const box = ref.current;
    const main = box?.parentElement;
    if (!box || !main) return;
    el.setPointerCapture(e.pointerId);
    const startY = e.clientY;
    const startH = box.getBoundingClientRect().height;
    const max = main.getBoundingClientRect().height - 160;
    let h = startH;
    const move = (ev: globalThis.PointerEvent) => {
      h = Math.round(Math.min(max, Math.max(MIN_HEIGHT, startH - (ev.clientY - startY))));
      setDrag(h);
    };
    const up = () => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      setDrag(null);
      updateChart('panel', { height: h });
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
  };

  return (
    <section ref={ref} className="compare-panel" style={height ? { height } : undefined} data-testid="compare-panel" data-tab={panel.tab} aria-label="Compare runs">
      <div className="compare-resize" onPointerDown={onResizeStart} role="separator" aria-orientation="horizontal" aria-label="Resize the compare panel" title="Drag to resize" />
      <CompareHeader />
      <CompareStatus />
      <div className="compare-body">
        <Suspense
          fallback={
            <div className="cmp-empty">
              <span className="spinner" aria-label="Loading" />
            </div>
          }
        >
          <TabBody tab={panel.tab} />
        </Suspense>
      </div>
    </section>
  );
}

function TabBody({ tab }: { tab: CompareTab }) {
  switch (tab) {
    case 'parallel':
      return <ParallelView />;
    case 'scatter':
      return <ScatterView />;
    case 'curves':
      return <CurvesView />;
    case 'diff':
      return <DiffView />;
    case 'groups':
      return <GroupsView />;
  }
}

function CompareHeader() {
  const settings = useChartSettings();
  const { panel, best } = settings;
  const metrics = useApp((s) => s.columnsAvailable.metrics);
  const total = useApp((s) => s.compareRows?.total ?? null);
  const nSelected = useApp((s) => s.selection.selected.length);
  const { rows, mode } = useChartRows();

  useEffect(() => {
    const cr = useApp.getState().compareRows;
    publish('set', { mode, runIds: rows.map((r) => r.runId), total: cr?.total ?? rows.length, capped: cr?.capped ?? false });
  }, [rows, mode]);

  return (
    <div className="compare-head">
      <div className="compare-tabs" role="tablist" aria-label="Compare views">
        {COMPARE_TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={panel.tab === t.id}
            className={`compare-tab${panel.tab === t.id ? ' active' : ''}`}
            onClick={() => updateChart('panel', { tab: t.id })}
            data-testid={`compare-tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="topbar-spacer" />
      <Segmented
        label="Runs"
        value={panel.set}
        onChange={(set) => updateChart('panel', { set })}
        testId="compare-set"
        options={[
          { id: 'matching', label: `All matching${total !== null ? ` (${total.toLocaleString()})` : ''}`, title: 'Every run matching the filter, plus starred runs' },
          { id: 'selected', label: `Selected (${nSelected})`, title: 'Only the selected runs (all matching while none is selected)' },
        ]}
      />
      <div className="cmp-field best-by">
        <span className="cmp-field-label">Best by</span>
        <select
          className="cmp-select"
          value={best.metric ?? ''}
          onChange={(e) => updateChart('best', { metric: e.target.value || null })}
          data-testid="best-metric"
          aria-label="Best by metric"
        >
          <option value="">—</option>
          {best.metric && !metrics.includes(best.metric) ? <option value={best.metric}>{best.metric}</option> : null}
          {metrics.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <Segmented<Direction>
          value={best.direction}
          onChange={(direction) => updateChart('best', { direction })}
          testId="best-direction"
          options={[
            { id: 'min', label: 'min', title: 'Lower is better' },
            { id: 'max', label: 'max', title: 'Higher is better' },
          ]}
        />
        <BestRunChip />
      </div>
      <ExportReportButton runIds={rows.map((r) => r.runId)} testId="compare-export" />
      <button type="button" className="icon-button compare-close" aria-label="Close compare" title="Close compare" onClick={() => updateChart('panel', { open: false })} data-testid="compare-close">
        ×
      </button>
    </div>
  );
}

/**
 * The "best by" winner, named: click selects it (the table and every view follow), drag it onto a
 * registered model to register it — pick the best run and promote it without hunting for its row.
 */
function BestRunChip() {
  const metric = useChartSettings().best.metric;
  const best = useApp((s) => s.best);
  const storeId = useApp((s) => s.storeId);
  const selected = useApp((s) => s.selection.selected.length === 1 && s.selection.selected[0] === s.best?.runId);
  if (!metric || !best?.runId) return null;
  const { runId, runName, value } = best;
  const name = runName || runId;
  return (
    <button
      type="button"
      className={`best-chip${selected ? ' selected' : ''}`}
      draggable
      onClick={() => {
        const s = useApp.getState();
        s.setSelection(clickRow(s.selection, runId, 'replace'));
      }}
      onDragStart={(e) => startRunDrag(e, { storeId: storeId ?? '', runId, runName: name })}
      title={`Best by ${metric}: ${name} (${value ?? '—'}). Click to select it; drag it onto a registered model to register it.`}
      data-testid="best-run-chip"
      data-run-id={runId}
    >
      <span className="best-chip-star" aria-hidden="true">
        ★
      </span>
      <span className="best-chip-name">{name}</span>
      {value !== null ? <span className="best-chip-value">{formatNumber(value)}</span> : null}
    </button>
  );
}

function CompareStatus() {
  const loading = useApp((s) => s.compareLoading);
  const error = useApp((s) => s.compareError);
  const capped = useApp((s) => (s.compareRows?.capped ? s.compareRows.total : null));
  if (error) {
    return (
      <div className="banner error compare-banner" role="alert" data-testid="compare-error">
        {error}
      </div>
    );
  }
  if (capped !== null) {
    return (
      <div className="banner warn compare-banner" data-testid="compare-capped">
        Showing the first {COMPARE_CAP.toLocaleString()} of {capped.toLocaleString()} matching runs (table order). Narrow the filter or select runs to see the others.
      </div>
    );
  }
  return loading ? <div className="compare-loading" aria-hidden="true" /> : null;
}

/** The tabs whose charts are plotly's. */
const PLOTLY_TABS: ReadonlySet<CompareTab> = new Set(['scatter', 'curves']);

/** Toolbar button that opens and closes the panel. */
export function CompareToggle() {
  const open = useApp((s) => chartSettings(s).panel.open);
  const tab = useApp((s) => chartSettings(s).panel.tab);
  // The chart library is ~5 MB: start fetching it when the pointer heads for the button, but only
  // for the tabs drawn with it (parallel coordinates, diff and groups are the app's own).
  const prefetch = PLOTLY_TABS.has(tab) ? () => void loadPlotly().catch(() => undefined) : undefined;
  return (
    <button
      type="button"
      className={`button${open ? ' active' : ''}`}
      aria-pressed={open}
      onClick={() => updateChart('panel', { open: !open })}
      onPointerEnter={prefetch}
      onFocus={prefetch}
      data-testid="compare-toggle"
      title="Compare runs: parallel coordinates, scatter, curves, diff, groups"
    >
      <CompareIcon />
      Compare
    </button>
  );
}

