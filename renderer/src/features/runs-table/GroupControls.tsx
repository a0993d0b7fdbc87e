// Toolbar controls of the grouped runs table: "Group by" (the same persisted setting as the
// compare panel's Groups tab, so choosing it in either place groups both), and while grouped the
// aggregate shown in the group rows and expand/collapse all.
import { useMemo } from 'react';
import { groupByChoices } from '../../core/group-key.ts';
import { chartSettings, updateChart } from '../../state/current-chart-settings.ts';
import { useApp } from '../../state/store.ts';
import { ColumnSelect, Segmented } from '../../ui/controls.tsx';
import { expandAllGroups, isGrouped } from './group-loader.ts';

export function GroupByControl() {
  const by = useApp((s) => chartSettings(s).group.by);
  const available = useApp((s) => s.columnsAvailable);
  const hasScope = useApp((s) => s.storeId !== null && s.experimentIds.length > 0);
  const choices = useMemo(() => groupByChoices(available), [available]);
  if (!hasScope) return null;
  return (
    <div className="group-by-control">
      <ColumnSelect label="Group by" value={by} choices={choices} none="None" onChange={(k) => updateChart('group', { by: k })} testId="table-group-by" />
    </div>
  );
}

export function GroupOptions() {
  const grouped = useApp(isGrouped);
  const aggregate = useApp((s) => chartSettings(s).group.aggregate);
  const groups = useApp((s) => s.grouped);
  const open = useApp((s) => (s.grouped && s.groupExpanded.by === s.grouped.by ? s.groupExpanded.keys.size : 0));
  if (!grouped) return null;
  const n = groups?.groups.length ?? 0;
  return (
    <div className="group-options" data-testid="group-options">
      <Segmented
        value={aggregate}
        options={[
          { id: 'mean', label: 'mean', title: 'Group rows show the mean over the group’s runs (finite values)' },
          { id: 'min', label: 'min', title: 'Group rows show the smallest value' },
          { id: 'max', label: 'max', title: 'Group rows show the largest value' },
        ]}
        onChange={(v) => updateChart('group', { aggregate: v })}
        testId="table-group-aggregate"
      />
      <button type="button" className="button small" disabled={n === 0 || open === n} onClick={() => expandAllGroups(true)} data-testid="groups-expand-all" title="Show the runs of every group">
        Expand all
      </button>
      <button type="button" className="button small" disabled={open === 0} onClick={() => expandAllGroups(false)} data-testid="groups-collapse-all" title="Show only the group rows">
        Collapse all
      </button>
      {groups ? (
        <span className="group-options-count" data-testid="groups-count" data-count={groups.totalGroups}>
          {groups.totalGroups.toLocaleString()} {groups.totalGroups === 1 ? 'group' : 'groups'}
        </span>
      ) : null}
    </div>
  );
}
