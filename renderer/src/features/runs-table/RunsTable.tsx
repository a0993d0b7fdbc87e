// The virtualized runs table. Only the rows on screen exist in the DOM; pages of top-level rows
// are fetched as the viewport needs them (runs-loader.ts) and nested runs are spliced in under
// expanded parents (run-tree.ts). Rows are addressed by visible index for layout and by run id
// for everything the user holds on to (selection, expansion), so live updates that reorder or
// insert rows never change what is selected.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type CSSProperties, type MouseEvent, type PointerEvent } from 'react';
import type { RunRow } from '../../../../preload/api.ts';
import { cellValue, columnLabel, DEFAULT_SORT, isSortable, NAME_COLUMN, parseColumnKey, type CellValue, type SortSpec } from '../../core/column-keys.ts';
import { startRunDrag } from '../../core/drag-data.ts';
import { shownGeneration } from '../../core/page-cache.ts';
import { topRangeFor } from '../../core/run-tree.ts';
import { baseName, exactNumber, formatDuration, formatNumber, formatTime, formatTimeExact } from '../../lib/format.ts';
import { setFirstRows, setReady, sortBy, updateCurrentScopeSettings } from '../../state/actions.ts';
import { currentScope, idsBetween, setVisibleTop } from '../../state/runs-loader.ts';
import { scopeSettingsFor } from '../../state/scope-settings-slice.ts';
import { useApp } from '../../state/store.ts';
import { selectTableRows, type VisibleRow } from '../../state/table-rows.ts';
import { StatusBadge } from '../../ui/StatusBadge.tsx';
import { MIN_WIDTH, selectColumns, type TableColumn } from './columns.ts';
import { hoverRow, RunNameMarks, useRowMarks } from './run-marks.tsx';
import { useGridNavigation, type GridModel } from './use-grid-navigation.ts';

export const ROW_HEIGHT = 30;
export const HEADER_HEIGHT = 32;
const INDENT = 18;
export const estimateSize = () => ROW_HEIGHT;

export function RunsTable() {
  const model = useApp(selectTableRows);
  const columns = useApp(selectColumns);
  const cache = useApp((s) => s.cache);
  const queryKey = useApp((s) => s.queryKey);
  const selection = useApp((s) => s.selection);
  const sort = useApp((s) => scopeSettingsFor(s, currentScope(s)).sort ?? DEFAULT_SORT);
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = model.layout.count;

  // Stable option functions: a new estimateSize per render makes the virtualizer recompute
  // the offsets of all rows (100k) on every render.
  const getScrollElement = useCallback(() => scrollRef.current, []);
  // The body starts below the sticky header inside the same scroll element: scrollMargin tells
  // the virtualizer where, scrollPaddingStart keeps keyboard-scrolled rows out from under it.
  const virtualizer = useVirtualizer({
    count,
    getScrollElement,
    estimateSize,
    overscan: 12,
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  const [topFirst, topLast] = count > 0 ? topRangeFor(model.layout, first, last) : [0, 40];
  useEffect(() => {
    setVisibleTop(topFirst, Math.max(topLast, topFirst + 40));
  }, [topFirst, topLast]);

  // A new query (sort, filter, experiments) starts at the top; a live refresh keeps the position.
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [cache.key]);

  // Readiness marker for tests: set once the first page of a newly opened project has painted.
  const noScope = useApp((s) => s.query === null && s.queryKey === '' && s.experimentsLoaded);
  const firstPainted =
    noScope || (cache.key === queryKey && cache.total !== null && (cache.total === 0 || cache.pages.has(0) || model.rowAtVisible(first) !== null));
  useReadyMarker(firstPainted, count > 0);

  const selected = useMemo(() => new Set(selection.selected), [selection.selected]);
  // Durations of running runs grow on screen; a clock ticks only while one is visible.
  const anyRunning = items.some((it) => model.rowAtVisible(it.index)?.row.status === 'RUNNING');
  const now = useTicker(anyRunning ? 1000 : null);
  const totalWidth = columns.reduce((w, c) => w + c.width, 0);
  const generation = shownGeneration(cache, topFirst, topLast);

  const gridModel = useCallback((): GridModel => {
    const m = selectTableRows(useApp.getState());
    return { count: m.layout.count, indexOf: (id) => m.indexOf.get(id), runAt: (v) => m.rowAtVisible(v)?.row.runId ?? null, idsBetween };
  }, []);
  const { onRowClick, onKeyDown } = useGridNavigation(gridModel, first, (i) => virtualizer.scrollToIndex(i, { align: 'auto' }));

  return (
    <div
      className="runs-table"
      role="grid"
      aria-multiselectable="true"
      aria-rowcount={count}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="runs-table"
      data-generation={generation ?? ''}
      data-total={count}
      data-query-key={cache.key === queryKey ? 'current' : 'pending'}
    >
      <div className="rt-scroll" ref={scrollRef}>
        <HeaderRow columns={columns} sort={sort} width={totalWidth} />
        <div className="rt-body" style={{ height: virtualizer.getTotalSize(), width: totalWidth }}>
          {items.map((item) => {
            const vr = model.rowAtVisible(item.index);
            if (!vr) return <PlaceholderRow key={item.key} columns={columns} top={item.start - HEADER_HEIGHT} width={totalWidth} />;
            return (
              <Row
                key={item.key}
                v={item.index}
                vr={vr}
                columns={columns}
                top={item.start - HEADER_HEIGHT}
                width={totalWidth}
                now={vr.row.status === 'RUNNING' ? now : 0}
                selected={selected.has(vr.row.runId)}
                focused={selection.focus === vr.row.runId}
                onClick={onRowClick}
              />
            );
          })}
        </div>
        {cache.total === 0 && cache.key === queryKey ? <EmptyTable /> : null}
      </div>
    </div>
  );
}

/**
 * Page markers for tests and benchmarks, per opened project, each set after the frame painted:
 * - body[data-first-rows] once the table's first page has painted, even while a big store is
 *   still streaming in (what a user sees first);
 * - body[data-ready] once it has painted with every store read (what tests assert on).
 */
export function useReadyMarker(firstPainted: boolean, hasRows: boolean): void {
  const projectEpoch = useApp((s) => s.projectEpoch);
  const indexing = useApp((s) => Object.keys(s.indexing).length > 0);
  const firstRowsEpoch = useRef(-1);
  const readyEpoch = useRef(-1);
  useEffect(() => {
    if (!firstPainted || readyEpoch.current === projectEpoch) return;
    // Mark the epoch done only once the frame has painted: if this effect is cleaned up first
    // (the page data changed between render and frame), the next run must try again.
    const raf = requestAnimationFrame(() => {
      if (firstRowsEpoch.current !== projectEpoch && (hasRows || !indexing)) {
        firstRowsEpoch.current = projectEpoch;
        setFirstRows(true);
      }
      if (indexing) return;
      readyEpoch.current = projectEpoch;
      setReady(true);
    });
    return () => cancelAnimationFrame(raf);
  }, [firstPainted, hasRows, projectEpoch, indexing]);
}

export function useTicker(intervalMs: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (intervalMs === null) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

export function EmptyTable() {
  const filter = useApp((s) => scopeSettingsFor(s, currentScope(s)).filter || (s.brush ? 'brush' : ''));
  const lifecycle = useApp((s) => s.lifecycle);
  // The store is still streaming in: its runs are on their way, not missing.
  const reading = useApp((s) => (s.storeId ? s.indexing[s.storeId] : undefined));
  if (reading) {
    return (
      <div className="empty-state table-empty" data-testid="runs-reading">
        <div>Reading runs… {reading.total > 0 ? `${reading.done.toLocaleString()} of ${reading.total.toLocaleString()}` : ''}</div>
      </div>
    );
  }
  return (
    <div className="empty-state table-empty" data-testid="runs-empty">
      <div className="empty-icon">∅</div>
      <div>{filter ? 'No runs match this filter.' : lifecycle === 'deleted' ? 'No deleted runs here.' : 'No runs in this experiment yet.'}</div>
    </div>
  );
}

/** The sticky header: one cell per column, the sorted one marked. */
export function HeaderRow({ columns, sort, width }: { columns: readonly TableColumn[]; sort: SortSpec; width: number }) {
  return (
    <div className="rt-header" role="row" style={{ width, height: HEADER_HEIGHT }}>
      {columns.map((c) => (
        <HeaderCell key={c.key} column={c} sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'} />
      ))}
    </div>
  );
}

function HeaderCell({ column, sort }: { column: TableColumn; sort: 'ascending' | 'descending' | 'none' }) {
  const id = parseColumnKey(column.key);
  const sortable = isSortable(column.key);
  const [drag, setDrag] = useState<number | null>(null);
  const width = drag ?? column.width;
  const pinned = column.key === NAME_COLUMN;

  const onResizeStart = (e: PointerEvent<HTMLSpanElement>) => {
    e.stopPropagation();
    e.preventDefault();
    const startX = e.clientX;
    const startW = column.width;
    const el = e.currentTarget;
    el.setPointerCapture(e.pointerId);
    let w = startW;
    const move = (ev: globalThis.PointerEvent) => {
      w = Math.max(MIN_WIDTH, startW + ev.clientX - startX);
      setDrag(w);
    };
    const up = () => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      setDrag(null);
      const s = useApp.getState();
      const widths = scopeSettingsFor(s, currentScope(s)).widths;
      updateCurrentScopeSettings({ widths: { ...widths, [column.key]: Math.round(w) } });
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
  };

  return (
    <div
      role="columnheader"
      aria-sort={sort}
      className={`rt-hcell kind-${id?.kind ?? 'x'}${sortable ? ' sortable' : ''}${sort !== 'none' ? ' sorted' : ''}${pinned ? ' pinned' : ''}`}
      style={{ width }}
      title={`${column.key}${sortable ? '\nClick to sort' : '\nThe index cannot sort by this column'}`}
      onClick={() => sortable && sortBy(column.key)}
      data-testid={`col-${column.key}`}
    >
      {id && id.kind !== 'attribute' ? <span className={`kind-dot kind-${id.kind}`} aria-hidden="true" /> : null}
      <span className="rt-hlabel">{columnLabel(column.key)}</span>
      {sort !== 'none' ? (
        <span className="sort-arrow" aria-hidden="true">
          {sort === 'descending' ? '↓' : '↑'}
        </span>
      ) : null}
      <span className="resize-handle" onPointerDown={onResizeStart} onClick={(e) => e.stopPropagation()} aria-hidden="true" />
    </div>
  );
}

export function rowStyle(top: number, width: number): CSSProperties {
  return { transform: `translateY(${top}px)`, height: ROW_HEIGHT, width };
}

export const PlaceholderRow = memo(function PlaceholderRow({ columns, top, width }: { columns: TableColumn[]; top: number; width: number }) {
  return (
    // Deliberately light (one cell): during a fast fling every row on screen is a placeholder.
    <div className="rt-row placeholder" style={rowStyle(top, width)} aria-busy="true">
      <div className="rt-cell pinned" style={{ width: columns[0]?.width ?? 200 }}>
        <span className="skeleton" style={{ width: 120 }} />
      </div>
    </div>
  );
});

export interface RowProps {
  v: number;
  vr: VisibleRow;
  columns: TableColumn[];
  top: number;
  width: number;
  /** Clock for running runs' durations; 0 for others so they never re-render for it. */
  now: number;
  selected: boolean;
  focused: boolean;
  onClick: (e: MouseEvent, v: number, runId: string) => void;
}

export const Row = memo(function Row({ v, vr, columns, top, width, now, selected, focused, onClick }: RowProps) {
  const { row } = vr;
  const marks = useRowMarks(row.runId);
  return (
    <div
      role="row"
      aria-selected={selected}
      className={`rt-row${selected ? ' selected' : ''}${focused ? ' focused' : ''}${vr.depth > 0 ? ' child' : ''}${row.lifecycleStage === 'deleted' ? ' deleted' : ''}${marks}`}
      style={rowStyle(top, width)}
      onMouseDown={(e) => {
        // Shift-click selects a range of rows, not a range of text.
        if (e.shiftKey || e.ctrlKey || e.metaKey) e.preventDefault();
      }}
      onClick={(e) => onClick(e, v, row.runId)}
      onMouseEnter={() => hoverRow(row.runId)}
      onMouseLeave={() => hoverRow(null)}
      // Drag a run onto a registered model (registry dock) to register it.
      draggable
      onDragStart={(e) => startRunDrag(e, { storeId: useApp.getState().storeId ?? '', runId: row.runId, runName: row.runName })}
      data-testid={`run-row-${row.runId}`}
      data-selected={selected}
      data-depth={vr.depth}
      data-index={v}
    >
      {columns.map((c) =>
        c.key === NAME_COLUMN ? (
          <NameCell key={c.key} vr={vr} width={c.width} />
        ) : (
          <Cell key={c.key} row={row} column={c} now={now} />
        ),
      )}
    </div>
  );
});

function NameCell({ vr, width }: { vr: VisibleRow; width: number }) {
  const { row } = vr;
  const toggle = useApp((s) => s.toggleExpanded);
  const childCount = useApp((s) => (vr.hasChildren ? (selectTableRows(s).children.get(row.runId)?.length ?? 0) : 0));
  return (
    <div role="gridcell" className="rt-cell pinned name-cell" style={{ width }} data-testid={`cell-${row.runId}-${NAME_COLUMN}`} title={`${row.runName}\n${row.runId}`}>
      <span style={{ width: vr.depth * INDENT }} className="indent" aria-hidden="true" />
      {vr.hasChildren ? (
        <button
          type="button"
          className={`disclosure-button`}
          aria-expanded={vr.expanded}
          aria-label={vr.expanded ? 'Collapse nested runs' : 'Expand nested runs'}
          onClick={(e) => {
            e.stopPropagation();
            toggle(row.runId);
          }}
          data-testid={`expand-${row.runId}`}
        >
          <span className={`disclosure${vr.expanded ? ' open' : ''}`} />
        </button>
      ) : (
        <span className="disclosure-spacer" aria-hidden="true">
          {vr.depth > 0 ? '└' : ''}
        </span>
      )}
      <span className={`status-dot status-${row.status.toLowerCase()}`} aria-hidden="true" />
      <span className="run-name">{row.runName || row.runId.slice(0, 8)}</span>
      {vr.hasChildren ? <span className="child-count">{childCount}</span> : null}
      <RunNameMarks runId={row.runId} />
    </div>
  );
}

function Cell({ row, column, now }: { row: RunRow; column: TableColumn; now: number }) {
  const value = cellValue(row, column.key, now);
  const kind = parseColumnKey(column.key)?.kind ?? 'attribute';
  return (
    <div
      role="gridcell"
      className={`rt-cell kind-${kind}${kind === 'metric' || value.type === 'number' || value.type === 'duration' ? ' num' : ''}`}
      style={{ width: column.width }}
      data-testid={`cell-${row.runId}-${column.key}`}
      {...cellAttrs(value)}
    >
      <CellContent value={value} path={column.key === 'attributes.source'} />
    </div>
  );
}

function cellAttrs(v: CellValue): { title?: string; 'data-value'?: string } {
  switch (v.type) {
    case 'number':
      return { title: `${exactNumber(v.value)} (step ${v.step})`, 'data-value': exactNumber(v.value) };
    case 'text':
      return { title: v.text, 'data-value': v.text };
    case 'time':
      return { title: formatTimeExact(v.ms), 'data-value': String(v.ms) };
    case 'duration':
      return { title: `${formatDuration(v.ms)}${v.running ? ' (running)' : ''}`, 'data-value': String(v.ms) };
    case 'status':
      return { 'data-value': v.status };
    case 'none':
      return {};
  }
}

function CellContent({ value, path }: { value: CellValue; path: boolean }) {
  switch (value.type) {
    case 'none':
      return <span className="nil">—</span>;
    case 'number': {
      const special = !Number.isFinite(value.value);
      return <span className={special ? 'special-num' : undefined}>{formatNumber(value.value)}</span>;
    }
    case 'text':
      return value.text === '' ? <span className="nil">""</span> : <span className="cell-text">{path ? baseName(value.text) : value.text}</span>;
    case 'time':
      return <span>{formatTime(value.ms)}</span>;
    case 'duration':
      return <span className={value.running ? 'running-text' : undefined}>{formatDuration(value.ms)}</span>;
    case 'status':
      return <StatusBadge status={value.status} />;
  }
}
