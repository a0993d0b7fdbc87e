// The runs table grouped in place by a param, tag or attribute ("Group by" in the toolbar, the
// same setting as the compare panel's Groups tab). One header row per group — value, run count,
// and the chosen aggregate (mean/min/max) of every visible metric column, computed by the engine
// over the runs matching the filter — and, for expanded groups, their runs as ordinary rows in the
// table's sort order. Virtualized like the flat table: a group's runs are fetched page by page as
// they scroll into view (group-loader.ts).
//
// Clicking a group header (not its chevron) selects the group's runs (Ctrl/Cmd adds or removes
// them), so the compare views follow; rows select like in the flat table, shift-ranges over the
// loaded rows.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, type MouseEvent } from 'react';
import type { Aggregate } from '../../../../preload/api.ts';
import { columnLabel, DEFAULT_SORT, NAME_COLUMN, parseColumnKey } from '../../core/column-keys.ts';
import { groupLabel, groupValueKey } from '../../core/group-key.ts';
import { shownGeneration } from '../../core/page-cache.ts';
import { selectIds } from '../../core/selection.ts';
import { exactNumber, formatNumber } from '../../lib/format.ts';
import { chartSettings } from '../../state/current-chart-settings.ts';
import { currentScope } from '../../state/runs-loader.ts';
import { scopeSettingsFor } from '../../state/scope-settings-slice.ts';
import { useApp } from '../../state/store.ts';
import { selectColumns, type TableColumn } from './columns.ts';
import { runRangesIn } from './group-layout.ts';
import { fetchGroupPages, followIndexChanges, groupedIdsBetween, groupRequestIdentity, groupRunIds, loadGroups, loadGroupSelection, setVisibleGrouped, toggleGroup } from './group-loader.ts';
import { selectGroupedRows, type GroupItem } from './grouped-rows.ts';
import { EmptyTable, estimateSize, HEADER_HEIGHT, HeaderRow, PlaceholderRow, Row, rowStyle, useReadyMarker, useTicker } from './RunsTable.tsx';
import { useGridNavigation, type GridModel } from './use-grid-navigation.ts';

export function GroupedRunsTable() {
  const model = useApp(selectGroupedRows);
  const columns = useApp(selectColumns);
  const grouped = useApp((s) => s.grouped);
  const identity = useApp(groupRequestIdentity);
  const aggregate = useApp((s) => chartSettings(s).group.aggregate);
  const selection = useApp((s) => s.selection);
  const sort = useApp((s) => scopeSettingsFor(s, currentScope(s)).sort ?? DEFAULT_SORT);
  const groupPages = useApp((s) => s.groupPages);
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = model.layout.count;

  useEffect(() => {
    if (identity) void loadGroups();
  }, [identity]);
  useEffect(followIndexChanges, []);

  const getScrollElement = useCallback(() => scrollRef.current, []);
  const virtualizer = useVirtualizer({ count, getScrollElement, estimateSize, overscan: 12, scrollMargin: HEADER_HEIGHT, scrollPaddingStart: HEADER_HEIGHT });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    setVisibleGrouped(first, Math.max(last, first + 40));
  }, [first, last]);
  useEffect(() => {
    fetchGroupPages();
  }, [model.layout]);

  // A new sort, filter or column starts at the top; live refreshes and expanding keep the position.
  const rowsKey = grouped?.rowsKey ?? null;
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [rowsKey]);

  const current = grouped !== null && identity === `${grouped.key}\n${grouped.rowsKey}`;
  const noScope = useApp((s) => s.query === null && s.queryKey === '' && s.experimentsLoaded);
  useReadyMarker(noScope || current, model.layout.count > 0);

  const selected = useMemo(() => new Set(selection.selected), [selection.selected]);
  const anyRunning = items.some((it) => {
    const x = model.itemAt(it.index);
    return x?.kind === 'run' && x.vr.row.status === 'RUNNING';
  });
  const now = useTicker(anyRunning ? 1000 : null);
  const totalWidth = columns.reduce((w, c) => w + c.width, 0);

  // Oldest data on screen: the groups' answer and every visible page of expanded groups.
  let generation: number | null = grouped?.generation ?? null;
  if (grouped) {
    for (const { group, from, to } of runRangesIn(model.layout, first, last)) {
      const g = grouped.groups[group];
      const cache = g ? groupPages.get(groupValueKey(g.value)) : undefined;
      const gen = cache ? shownGeneration(cache, from, to) : null;
      generation = gen === null || generation === null ? null : Math.min(generation, gen);
    }
  }

  // Which groups the selection covers (whichever view selected), for the header marks.
  const groupSelection = useApp((s) => s.groupSelection);
  const groupsGeneration = grouped ? `${grouped.key}\n${grouped.generation}` : null;
  useEffect(() => {
    void loadGroupSelection();
  }, [selection.selected, groupsGeneration]);

  const onGroupClick = useCallback((e: MouseEvent, item: GroupItem) => {
    const add = e.ctrlKey || e.metaKey;
    void groupRunIds(item.index).then((ids) => {
      const s = useApp.getState();
      if (!add) {
        s.setSelection(selectIds(ids, null));
        return;
      }
      const have = new Set(s.selection.selected);
      const all = ids.length > 0 && ids.every((id) => have.has(id));
      const drop = new Set(ids);
      const next = all ? s.selection.selected.filter((id) => !drop.has(id)) : [...s.selection.selected, ...ids];
      s.setSelection(selectIds(next, null));
    });
  }, []);

  const gridModel = useCallback((): GridModel => {
    const m = selectGroupedRows(useApp.getState());
    return {
      count: m.layout.count,
      indexOf: (id) => m.indexOf.get(id),
      runAt: (v) => {
        const it = m.itemAt(v);
        return it?.kind === 'run' ? it.vr.row.runId : null;
      },
      idsBetween: groupedIdsBetween,
    };
  }, []);
  const { onRowClick, onKeyDown } = useGridNavigation(gridModel, first, (i) => virtualizer.scrollToIndex(i, { align: 'auto' }));

  const by = grouped?.by ?? '';
  return (
    <div
      className="runs-table grouped"
      role="grid"
      aria-multiselectable="true"
      aria-rowcount={count}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="runs-table"
      data-grouped-by={by}
      data-groups={grouped?.groups.length ?? ''}
      data-generation={generation ?? ''}
      data-total={count}
      data-query-key={current ? 'current' : 'pending'}
    >
      {grouped && grouped.totalGroups > grouped.groups.length ? (
        <div className="banner group-capped" data-testid="groups-capped">
          Showing the first {grouped.groups.length.toLocaleString()} of {grouped.totalGroups.toLocaleString()} groups.
        </div>
      ) : null}
      <div className="rt-scroll" ref={scrollRef}>
        <HeaderRow columns={columns} sort={sort} width={totalWidth} />
        <div className="rt-body" style={{ height: virtualizer.getTotalSize(), width: totalWidth }}>
          {items.map((item) => {
            const it = model.itemAt(item.index);
            const top = item.start - HEADER_HEIGHT;
            if (!it) return <PlaceholderRow key={item.key} columns={columns} top={top} width={totalWidth} />;
            if (it.kind === 'group') {
              const inSelection = groupSelection.get(it.key) ?? 0;
              return (
                <GroupHeaderRow
                  key={item.key}
                  item={it}
                  by={by}
                  columns={columns}
                  top={top}
                  width={totalWidth}
                  aggregate={aggregate}
                  selectedCount={inSelection}
                  onSelect={onGroupClick}
                />
              );
            }
            return (
              <Row
                key={item.key}
                v={item.index}
                vr={it.vr}
                columns={columns}
                top={top}
                width={totalWidth}
                now={it.vr.row.status === 'RUNNING' ? now : 0}
                selected={selected.has(it.vr.row.runId)}
                focused={selection.focus === it.vr.row.runId}
                onClick={onRowClick}
              />
            );
          })}
        </div>
        {grouped && grouped.total === 0 && current ? <EmptyTable /> : null}
      </div>
    </div>
  );
}

interface GroupHeaderProps {
  item: GroupItem;
  /** Column key grouped by. */
  by: string;
  columns: TableColumn[];
  top: number;
  width: number;
  aggregate: Aggregate;
  /** How many of the group's runs are selected. */
  selectedCount: number;
  onSelect: (e: MouseEvent, item: GroupItem) => void;
}

const GroupHeaderRow = memo(function GroupHeaderRow({ item, by, columns, top, width, aggregate, selectedCount, onSelect }: GroupHeaderProps) {
  const { group, open } = item;
  const selected = group.count > 0 && selectedCount >= group.count;
  const partial = selectedCount > 0 && !selected;
  const label = groupLabel(group.value);
  const missing = group.value === null;
  return (
    <div
      role="row"
      aria-expanded={open}
      aria-selected={selected}
      className={`rt-row rt-group-row${selected ? ' selected' : ''}${partial ? ' partial' : ''}${open ? ' open' : ''}`}
      style={rowStyle(top, width)}
      onMouseDown={(e) => {
        if (e.shiftKey || e.ctrlKey || e.metaKey) e.preventDefault();
      }}
      onClick={(e) => onSelect(e, item)}
      title={`Click to select the ${group.count} run${group.count === 1 ? '' : 's'} of this group`}
      data-testid={`group-row-${label}`}
      data-value={group.value ?? ''}
      data-missing={missing}
      data-count={group.count}
      data-expanded={open}
      data-selected={selected}
      data-selected-count={selectedCount}
      data-index={item.index}
    >
      {columns.map((c) => {
        if (c.key === NAME_COLUMN) {
          return (
            <div key={c.key} role="gridcell" className="rt-cell pinned name-cell group-name-cell" style={{ width: c.width }}>
              <button
                type="button"
                className="disclosure-button"
                aria-expanded={open}
                aria-label={open ? 'Collapse group' : 'Expand group'}
                onClick={(e) => {
                  e.stopPropagation();
                  toggleGroup(item.key);
                }}
                data-testid={`group-toggle-${label}`}
              >
                <span className={`disclosure${open ? ' open' : ''}`} />
              </button>
              <span className="group-key">{columnLabel(by)}</span>
              <span className={`group-value${missing ? ' nil' : ''}`} title={group.value ?? 'Runs without this key'}>
                {label}
              </span>
              <span className="group-count" data-testid={`group-count-${label}`}>
                {partial ? `${selectedCount.toLocaleString()} of ` : ''}
                {group.count.toLocaleString()} {group.count === 1 ? 'run' : 'runs'}
              </span>
            </div>
          );
        }
        const id = parseColumnKey(c.key);
        if (id?.kind === 'metric') return <AggregateCell key={c.key} label={label} columnKey={c.key} agg={group.aggregates[id.key]} aggregate={aggregate} width={c.width} />;
        return (
          <div key={c.key} role="gridcell" className="rt-cell" style={{ width: c.width }}>
            {c.key === by ? <span className={`cell-text group-value-cell${missing ? ' nil' : ''}`}>{label}</span> : null}
          </div>
        );
      })}
    </div>
  );
});

function AggregateCell(props: { label: string; columnKey: string; agg: GroupItem['group']['aggregates'][string] | undefined; aggregate: Aggregate; width: number }) {
  const { label, columnKey, agg, aggregate, width } = props;
  const value = agg ? agg[aggregate] : null;
  const left = agg && agg.nonFinite > 0 ? ` (${agg.nonFinite} NaN/∞ left out)` : '';
  const title = agg ? `${aggregate} of ${agg.count} run${agg.count === 1 ? '' : 's'}${value !== null ? ` = ${exactNumber(value)}` : ''}${left}` : 'No run of this group logged it';
  return (
    <div
      role="gridcell"
      className="rt-cell num kind-metric agg-cell"
      style={{ width }}
      title={title}
      data-testid={`group-agg-${label}-${columnKey}`}
      data-aggregate={aggregate}
      data-value={value === null ? '' : exactNumber(value)}
      data-count={agg?.count ?? 0}
      data-non-finite={agg?.nonFinite ?? 0}
    >
      {value === null ? (
        <span className="nil">—</span>
      ) : (
        <>
          <span className="agg-fn">{aggregate}</span>
          <span className="agg-num">{formatNumber(value)}</span>
        </>
      )}
    </div>
  );
}
