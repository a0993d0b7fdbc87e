// Star/unstar a run: starred runs belong to the compare set whatever the filter, per experiment
// selection (persisted with the chart settings).
import { useApp } from '../../state/store.ts';
import { chartSettings, togglePinned } from './compare-loader.ts';

export function PinStar({ runId, className }: { runId: string; className?: string }) {
  const pinned = useApp((s) => chartSettings(s).pinned.includes(runId));
  return (
    <button
      type="button"
      className={`pin-star${pinned ? ' on' : ''}${className ? ` ${className}` : ''}`}
      aria-pressed={pinned}
      aria-label={pinned ? 'Unstar run' : 'Star run'}
      title={pinned ? 'Starred: always compared, whatever the filter (click to unstar)' : 'Star: keep this run in the comparison whatever the filter'}
      onClick={(e) => {
        e.stopPropagation();
        togglePinned(runId);
      }}
      data-testid={`pin-${runId}`}
    >
      {pinned ? '★' : '☆'}
    </button>
  );
}

/** The "best" badge of the run that wins "best by" (shown in the table's name cell). */
export function BestBadge({ runId }: { runId: string }) {
  const isBest = useApp((s) => !!chartSettings(s).best.metric && s.best?.runId === runId);
  if (!isBest) return null;
  return (
    <span className="best-badge" title="Best by the chosen metric (Compare → Best by)" data-testid={`best-badge-${runId}`}>
      best
    </span>
  );
}

/** What the runs table's name cell adds for the compare views: the best badge and the star. */
export function RunNameMarks({ runId }: { runId: string }) {
  return (
    <>
      <BestBadge runId={runId} />
      <PinStar runId={runId} />
    </>
  );
}

/** Row classes for the runs table: the best run, and the run hovered in a chart. */
export function useRowMarks(runId: string): string {
  const best = useApp((s) => !!s.best && s.best.runId === runId && !!chartSettings(s).best.metric);
  const hovered = useApp((s) => s.hoverRunId === runId && s.hoverSource !== 'table');
  return `${best ? ' best-row' : ''}${hovered ? ' chart-hover' : ''}`;
}

/** Row hover → the charts highlight that run. */
export function hoverRow(runId: string | null): void {
  useApp.getState().setHoverRunId(runId, 'table');
}
