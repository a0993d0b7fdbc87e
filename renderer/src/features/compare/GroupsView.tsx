// Runs grouped by a param or tag, with count and mean/min/max of each metric per group. A click
// on a group selects its runs; the metric curves can draw one band per group. "Group by" is the
// runs table's setting too (the table then groups in place, with the engine's aggregates over the
// filter's runs; this tab aggregates the compare set in memory with the same rules).
import { useEffect, useMemo } from 'react';
import { keysOf, primaryMetric } from '../../core/column-data.ts';
import { groupByChoices } from '../../core/group-key.ts';
import { selectIds } from '../../core/selection.ts';
import { exactNumber, formatNumber } from '../../lib/format.ts';
import { updateChart } from '../../state/current-chart-settings.ts';
import { useApp } from '../../state/store.ts';
import { CheckToggle, ColumnSelect, EmptyChart } from '../../ui/controls.tsx';
import { groupRuns } from './group-runs.ts';
import { useChartRows, useChartSettings } from './hooks.ts';
import { publish } from './test-hooks.ts';

const MAX_METRICS = 6;

export function GroupsView() {
  const { rows } = useChartRows();
  const settings = useChartSettings();
  const by = settings.group.by;
  const available = useApp((s) => s.columnsAvailable);
  const selected = useApp((s) => s.selection.selected);
  const keys = useMemo(() => keysOf(rows), [rows]);
  const primary = useMemo(() => primaryMetric(rows, keys.metrics, settings.best.metric), [rows, keys.metrics, settings.best.metric]);
  const metrics = useMemo(() => [...(primary ? [primary] : []), ...keys.metrics.filter((k) => k !== primary)].slice(0, MAX_METRICS), [primary, keys.metrics]);
  const groups = useMemo(() => (by ? groupRuns(rows, by, metrics) : []), [rows, by, metrics]);
  // The same choices and the same setting as the runs table's "Group by": choosing in either place groups both.
  const choices = useMemo(() => groupByChoices(available), [available]);

  useEffect(() => {
    publish('groups', { by, groups: groups.map((g) => ({ value: g.value, runIds: g.runIds })) });
  }, [by, groups]);
  useEffect(() => () => publish('groups', undefined), []);

  const selectedSet = new Set(selected);
  return (
    <div className="cmp-view" data-testid="groups-view">
      <div className="cmp-toolbar">
        <ColumnSelect label="Group by" value={by} choices={choices} none="No grouping" onChange={(k) => updateChart('group', { by: k })} testId="group-by" />
        <CheckToggle label="Bands in metric curves" checked={settings.curves.grouped} disabled={!by} onChange={(v) => updateChart('curves', { grouped: v })} testId="group-curves" />
      </div>
      {!by ? (
        <EmptyChart testId="groups-empty">Choose a parameter or tag to group the runs by.</EmptyChart>
      ) : (
        <div className="diff-scroll">
          <table className="group-table" data-testid="group-table">
            <thead>
              <tr>
                <th scope="col">{by.slice(by.indexOf('.') + 1)}</th>
                <th scope="col" className="num">
                  Runs
                </th>
                {metrics.map((m) => (
                  <th key={m} scope="col" colSpan={3} className="num metric-head">
                    {m}
                  </th>
                ))}
              </tr>
              <tr className="subhead">
                <th />
                <th />
                {metrics.map((m) => (
                  <Sub key={m} />
                ))}
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => {
                const all = g.runIds.every((id) => selectedSet.has(id));
                return (
                  <tr
                    key={g.value}
                    className={`group-row${all ? ' selected' : ''}`}
                    onClick={() => useApp.getState().setSelection(selectIds(g.runIds))}
                    title="Click to select these runs"
                    data-testid={`group-${g.value}`}
                    data-count={g.runIds.length}
                  >
                    <th scope="row">{g.value === '' ? '""' : g.value}</th>
                    <td className="num">{g.runIds.length}</td>
                    {metrics.map((m) => {
                      const a = g.metrics[m];
                      return a ? (
                        <Agg key={m} mean={a.mean} min={a.min} max={a.max} count={a.count} metric={m} />
                      ) : (
                        <td key={m} colSpan={3} className="nil num">
                          —
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function Sub() {
  return (
    <>
      <th className="num">mean</th>
      <th className="num">min</th>
      <th className="num">max</th>
    </>
  );
}

function Agg({ mean, min, max, count, metric }: { mean: number; min: number; max: number; count: number; metric: string }) {
  return (
    <>
      <td className="num agg-mean" title={`${metric}: mean of ${count} run${count === 1 ? '' : 's'} = ${exactNumber(mean)}`} data-value={exactNumber(mean)}>
        {formatNumber(mean)}
      </td>
      <td className="num agg-minmax" data-value={exactNumber(min)}>
        {formatNumber(min)}
      </td>
      <td className="num agg-minmax" data-value={exactNumber(max)}>
        {formatNumber(max)}
      </td>
    </>
  );
}
