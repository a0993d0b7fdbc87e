// Selectors shared by the compare views: which runs a chart shows, the selection as rows, the
// winner of "best by", and number formatting per column.
import { useMemo } from 'react';
import type { RunRow } from '../../../../preload/api.ts';
import type { ChartSettings } from '../../core/chart-settings.ts';
import { chartSettings } from '../../state/current-chart-settings.ts';
import { useApp } from '../../state/store.ts';

export { formatFor, isDateColumn } from './format-column.ts';

export function useChartSettings(): ChartSettings {
  return useApp(chartSettings);
}

const NO_ROWS: RunRow[] = [];

/** Rows of the selected runs, in selection order (from the compare set or fetched apart). */
export function useSelectedRows(): RunRow[] {
  const selected = useApp((s) => s.selection.selected);
  const rows = useApp((s) => s.compareRows?.rows ?? NO_ROWS);
  const extra = useApp((s) => s.selectionRows);
  return useMemo(() => {
    if (selected.length === 0) return NO_ROWS;
    const byId = new Map(rows.map((r) => [r.runId, r]));
    return selected.map((id) => byId.get(id) ?? extra[id]).filter((r): r is RunRow => r !== undefined);
  }, [selected, rows, extra]);
}

/**
 * The runs the charts plot: the compare set ("All matching"), or the selected runs when the
 * user switched to "Selected" and has selected some.
 */
export function useChartRows(): { rows: RunRow[]; mode: 'matching' | 'selected' } {
  const set = useChartSettings().panel.set;
  const all = useApp((s) => s.compareRows?.rows ?? NO_ROWS);
  const selectedRows = useSelectedRows();
  return useMemo(
    () => (set === 'selected' && selectedRows.length > 0 ? { rows: selectedRows, mode: 'selected' as const } : { rows: all, mode: 'matching' as const }),
    [set, all, selectedRows],
  );
}

export function useBestRunId(): string | null {
  const metric = useChartSettings().best.metric;
  return useApp((s) => (metric && s.best ? s.best.runId : null));
}

export function useSelectedSet(): ReadonlySet<string> {
  const selected = useApp((s) => s.selection.selected);
  return useMemo(() => new Set(selected), [selected]);
}
