// Click and keyboard handling shared by the flat and the grouped runs table: click / Ctrl-click /
// Shift-click selection (ranges over the loaded rows), Escape clears, arrows move the cursor to
// the next run (skipping group headers), Home / End go to the first / last run, Shift extends.
// Each table supplies its model as a GridModel; nothing here knows how rows are laid out.
import { useCallback, type KeyboardEvent, type MouseEvent } from 'react';
import { clickRow, EMPTY_SELECTION, modeFromEvent, moveCursor } from '../../core/selection.ts';
import { useApp } from '../../state/store.ts';

export interface GridModel {
  /** Visible rows (runs, nested runs, group headers, placeholders). */
  count: number;
  /** Visible index of a run, when it is laid out. */
  indexOf(runId: string): number | undefined;
  /** The run at a visible index, or null (a group header, or a row not loaded yet). */
  runAt(index: number): string | null;
  /** Run ids from visible index a to b (inclusive, either order), loading what is missing. */
  idsBetween(a: number, b: number): Promise<string[]>;
}

/** How far the cursor looks past group headers and unloaded rows for the next run. */
const SEARCH = 500;

export function useGridNavigation(model: () => GridModel, firstVisible: number, scrollToIndex: (index: number) => void) {
  const onRowClick = useCallback(
    (e: MouseEvent, v: number, runId: string) => {
      const s = useApp.getState();
      const mode = modeFromEvent(e);
      const sel = s.selection;
      if ((mode === 'range' || mode === 'range-add') && sel.anchor) {
        const m = model();
        const anchorV = m.indexOf(sel.anchor);
        if (anchorV !== undefined) {
          void m.idsBetween(anchorV, v).then((ids) => s.setSelection(clickRow(useApp.getState().selection, runId, mode, ids)));
          return;
        }
      }
      s.setSelection(clickRow(sel, runId, mode === 'range' ? 'replace' : mode === 'range-add' ? 'toggle' : mode));
    },
    [model],
  );

  const onKeyDown = (e: KeyboardEvent) => {
    const s = useApp.getState();
    if (e.key === 'Escape') {
      s.setSelection(EMPTY_SELECTION);
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const m = model();
    if (m.count === 0) return;
    const cur = s.selection.focus ? m.indexOf(s.selection.focus) : undefined;
    // Where to start looking, and which way: Home/End look inwards from the ends.
    let start: number;
    let step: 1 | -1;
    if (e.key === 'Home') [start, step] = [0, 1];
    else if (e.key === 'End') [start, step] = [m.count - 1, -1];
    else {
      step = e.key === 'ArrowDown' ? 1 : -1;
      start = cur === undefined ? firstVisible : cur + step;
    }
    start = Math.max(0, Math.min(m.count - 1, start));
    let target = start;
    let found: string | null = null;
    for (let i = 0, at = start; i < SEARCH && at >= 0 && at < m.count; i++, at += step) {
      const id = m.runAt(at);
      if (id !== null) {
        [target, found] = [at, id];
        break;
      }
    }
    // Scroll even when the row is not loaded yet: that is what loads it.
    scrollToIndex(target);
    if (found === null) return;
    const sel = s.selection;
    const anchorV = sel.anchor ? m.indexOf(sel.anchor) : undefined;
    const runId = found;
    if (e.shiftKey && anchorV !== undefined) {
      void m.idsBetween(anchorV, target).then((ids) => s.setSelection(moveCursor(useApp.getState().selection, runId, true, ids)));
    } else s.setSelection(moveCursor(sel, runId, false));
  };

  return { onRowClick, onKeyDown };
}
