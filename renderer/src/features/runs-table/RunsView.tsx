// The main pane: toolbar (filter, counts, group by, columns) above the runs table — flat, or
// grouped in place when a "Group by" column is chosen. What other features add to the toolbar
// (the compare panel's brush chips, its toggle and the report export) App.tsx hands in.
import { useCallback, useState, type ReactNode } from 'react';
import { useApp } from '../../state/store.ts';
import { ColumnPicker } from './ColumnPicker.tsx';
import { FilterBox } from './FilterBox.tsx';
import { isGrouped } from './group-loader.ts';
import { GroupByControl, GroupOptions } from './GroupControls.tsx';
import { GroupedRunsTable } from './GroupedRunsTable.tsx';
import { RunsTable } from './RunsTable.tsx';

export function RunsView({ underFilter, tools }: { underFilter?: ReactNode; tools?: ReactNode }) {
  const [pickerOpen, setPickerOpen] = useState(false);
  const closePicker = useCallback(() => setPickerOpen(false), []);
  const experimentIds = useApp((s) => s.experimentIds);
  const experiments = useApp((s) => s.experiments);
  const storeId = useApp((s) => s.storeId);
  const grouped = useApp(isGrouped);
  const names = experimentIds.map((id) => experiments.find((e) => e.storeId === storeId && e.experimentId === id)?.name ?? id);

  return (
    <div className="runs-view">
      <div className="runs-title">
        <h1 title={names.join(', ')}>{names.length === 0 ? 'No experiment selected' : names.length === 1 ? names[0] : `${names.length} experiments`}</h1>
        {names.length > 1 ? <span className="muted small">{names.join(' · ')}</span> : null}
        <div className="topbar-spacer" />
        <RunCount />
      </div>
      <div className="toolbar">
        <div className="filter-column">
          <FilterBox />
          {underFilter}
        </div>
        <div className="toolbar-right">
          <GroupByControl />
          {tools}
          <button
            type="button"
            className={`button${pickerOpen ? ' active' : ''}`}
            onClick={() => setPickerOpen((o) => !o)}
            aria-expanded={pickerOpen}
            data-testid="column-picker-button"
          >
            <span aria-hidden="true" className="button-icon">
              ▥
            </span>
            Columns
          </button>
          {pickerOpen ? <ColumnPicker onClose={closePicker} /> : null}
        </div>
      </div>
      <GroupOptions />
      <QueryProblem />
      {grouped ? <GroupedRunsTable /> : <RunsTable />}
    </div>
  );
}

function RunCount() {
  const total = useApp((s) => (s.cache.key === s.queryKey ? s.cache.total : null));
  const nested = useApp((s) => (s.nested && s.nested.key === s.cache.key ? s.nested : null));
  const lifecycle = useApp((s) => s.lifecycle);
  const selected = useApp((s) => s.selection.selected.length);
  if (total === null) return <span className="run-count muted">…</span>;
  const matching = nested && !nested.flat ? total + nested.count - nested.orphans.length : total;
  return (
    <span className="run-count" data-testid="run-count" data-count={matching}>
      {selected > 0 ? <span className="selected-count">{selected} selected · </span> : null}
      {matching.toLocaleString()} {lifecycle === 'deleted' ? 'deleted ' : ''}
      {matching === 1 ? 'run' : 'runs'}
      {nested && nested.flat ? <span className="muted" title="Too many nested runs to group under their parents"> · flat</span> : null}
    </span>
  );
}

function QueryProblem() {
  const error = useApp((s) => s.queryError);
  if (!error) return null;
  return (
    <div className="banner error" role="alert" data-testid="query-error">
      {error}
    </div>
  );
}
