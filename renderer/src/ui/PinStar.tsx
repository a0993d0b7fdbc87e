// The star of a run: starred runs belong to the compare set whatever the filter (the caller keeps
// the setting, per experiment selection, with the chart settings).
export function PinStar({ runId, pinned, onToggle, className }: { runId: string; pinned: boolean; onToggle: () => void; className?: string }) {
  return (
    <button
      type="button"
      className={`pin-star${pinned ? ' on' : ''}${className ? ` ${className}` : ''}`}
      aria-pressed={pinned}
      aria-label={pinned ? 'Unstar run' : 'Star run'}
      title={pinned ? 'Starred: always compared, whatever the filter (click to unstar)' : 'Star: keep this run in the comparison whatever the filter'}
      onClick={(e) => {
        e.stopPropagation();
        onToggle();
      }}
      data-testid={`pin-${runId}`}
    >
      {pinned ? '★' : '☆'}
    </button>
  );
}
