// What the compare views mark on the runs table's rows: the "best" badge and the star in the name
// cell, the row classes of the best run and of the run hovered in a chart, and the row under the
// pointer for the charts to highlight.
import { isBestRun, isPinned, togglePinned } from '../../state/current-chart-settings.ts';
import { useApp } from '../../state/store.ts';
import { PinStar } from '../../ui/PinStar.tsx';

/** The "best" badge of the run that wins "best by", and the star. */
export function RunNameMarks({ runId }: { runId: string }) {
  const isBest = useApp((s) => isBestRun(s, runId));
  const pinned = useApp((s) => isPinned(s, runId));
  return (
    <>
      {isBest ? (
        <span className="best-badge" title="Best by the chosen metric (Compare → Best by)" data-testid={`best-badge-${runId}`}>
          best
        </span>
      ) : null}
      <PinStar runId={runId} pinned={pinned} onToggle={() => togglePinned(runId)} />
    </>
  );
}

/** Row classes: the best run, and the run hovered in a chart. */
export function useRowMarks(runId: string): string {
  const best = useApp((s) => isBestRun(s, runId));
  const hovered = useApp((s) => s.hoverRunId === runId && s.hoverSource !== 'table');
  return `${best ? ' best-row' : ''}${hovered ? ' chart-hover' : ''}`;
}

/** Row hover → the charts highlight that run. */
export function hoverRow(runId: string | null): void {
  useApp.getState().setHoverRunId(runId, 'table');
}
