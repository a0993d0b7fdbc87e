// Selected runs side by side: params, metrics and tags, with "differences only". With nothing
// selected it shows the first runs of the compare set, so the tab is never blank.
import { useEffect, useMemo } from 'react';
import type { RunRow } from '../../../../preload/api.ts';
import { colorAt } from '../../charts/palette.ts';
import { exactNumber, formatNumber, formatTime } from '../../lib/format.ts';
import { isPinned, togglePinned, updateChart } from '../../state/current-chart-settings.ts';
import { useApp } from '../../state/store.ts';
import { CheckToggle, EmptyChart } from '../../ui/controls.tsx';
import { PinStar } from '../../ui/PinStar.tsx';
import { StatusBadge } from '../../ui/StatusBadge.tsx';
import { diffSections } from './diff-rows.ts';
import { useBestRunId, useChartRows, useChartSettings, useSelectedRows } from './hooks.ts';
import { publish } from './test-hooks.ts';

/** Side-by-side columns without a selection (more is unreadable; select runs to choose). */
const DEFAULT_COLUMNS = 8;
const MAX_COLUMNS = 50;

export function DiffView() {
  const selectedRows = useSelectedRows();
  const { rows } = useChartRows();
  const onlyDiff = useChartSettings().diff.onlyDiff;
  const best = useBestRunId();
  const fromSelection = selectedRows.length > 0;
  const runs: RunRow[] = useMemo(() => (fromSelection ? selectedRows.slice(0, MAX_COLUMNS) : rows.slice(0, DEFAULT_COLUMNS)), [fromSelection, selectedRows, rows]);
  const sections = useMemo(() => diffSections(runs, onlyDiff, formatNumber), [runs, onlyDiff]);

  useEffect(() => {
    publish('diff', { runIds: runs.map((r) => r.runId), onlyDiff, sections: Object.fromEntries(sections.map((s) => [s.id, s.rows.map((r) => r.key)])) });
  }, [runs, onlyDiff, sections]);
  useEffect(() => () => publish('diff', undefined), []);

  const focus = (runId: string) => {
    const s = useApp.getState();
    s.setSelection({ ...s.selection, focus: runId });
  };

  if (runs.length === 0) return <EmptyChart testId="diff-empty">No runs to compare.</EmptyChart>;
  return (
    <div className="cmp-view" data-testid="diff-view">
      <div className="cmp-toolbar">
        <CheckToggle label="Differences only" checked={onlyDiff} onChange={(v) => updateChart('diff', { onlyDiff: v })} testId="diff-only" />
        <span className="muted small">
          {fromSelection
            ? `${runs.length} selected run${runs.length === 1 ? '' : 's'}${selectedRows.length > MAX_COLUMNS ? ` (first ${MAX_COLUMNS})` : ''}`
            : `Nothing selected: the first ${runs.length} runs. Select runs in the table or a chart to choose.`}
        </span>
      </div>
      <div className="diff-scroll">
        <table className="diff-table" data-testid="diff-table">
          <thead>
            <tr>
              <th className="diff-key-head" scope="col" />
              {runs.map((r, i) => (
                <th key={r.runId} scope="col" className={`diff-run${r.runId === best ? ' best' : ''}`} data-testid={`diff-col-${r.runId}`}>
                  <div className="diff-run-name">
                    <span className="run-swatch" style={{ background: colorAt(i) }} aria-hidden="true" />
                    <button type="button" className="link-button" onClick={() => focus(r.runId)} title={`${r.runName}\n${r.runId}`}>
                      {r.runName || r.runId.slice(0, 8)}
                    </button>
                    <Star runId={r.runId} />
                    {r.runId === best ? <span className="best-badge" title="Best by the chosen metric">best</span> : null}
                  </div>
                  <div className="diff-run-meta">
                    <StatusBadge status={r.status} />
                    <span className="muted">{r.startTime === null ? '' : formatTime(r.startTime)}</span>
                  </div>
                </th>
              ))}
            </tr>
          </thead>
          {sections.map((sec) =>
            sec.rows.length === 0 && onlyDiff && sec.total === 0 ? null : (
              <tbody key={sec.id} data-testid={`diff-section-${sec.id}`} data-rows={sec.rows.length}>
                <tr className="diff-section-row">
                  <th colSpan={runs.length + 1} scope="colgroup">
                    {sec.title}
                    <span className="muted small">
                      {' '}
                      {onlyDiff ? `${sec.rows.length} of ${sec.total} differ` : sec.total}
                    </span>
                  </th>
                </tr>
                {sec.rows.length === 0 ? (
                  <tr>
                    <td colSpan={runs.length + 1} className="muted small diff-none">
                      {sec.total === 0 ? 'None logged.' : 'All the same.'}
                    </td>
                  </tr>
                ) : (
                  sec.rows.map((row) => (
                    <tr key={row.columnKey} className={row.differs ? 'differs' : undefined} data-testid={`diff-row-${row.columnKey}`} data-differs={row.differs}>
                      <th scope="row" className="diff-key" title={row.columnKey}>
                        {row.key}
                      </th>
                      {row.cells.map((c, i) => (
                        <td key={runs[i]?.runId} className={`${c.value !== undefined ? 'num' : ''}${c.text === null ? ' nil' : ''}`} title={c.value !== undefined ? exactNumber(c.value) : (c.text ?? 'not logged')} data-value={c.value !== undefined ? exactNumber(c.value) : (c.text ?? '')}>
                          {c.text === null ? '—' : c.text === '' ? '""' : c.text}
                        </td>
                      ))}
                    </tr>
                  ))
                )}
              </tbody>
            ),
          )}
        </table>
      </div>
    </div>
  );
}

function Star({ runId }: { runId: string }) {
  const pinned = useApp((s) => isPinned(s, runId));
  return <PinStar runId={runId} pinned={pinned} onToggle={() => togglePinned(runId)} />;
}
