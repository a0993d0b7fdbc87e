import type { RunRow } from '../../../preload/api.ts';

const LABEL: Record<RunRow['status'], string> = {
  RUNNING: 'Running',
  SCHEDULED: 'Scheduled',
  FINISHED: 'Finished',
  FAILED: 'Failed',
  KILLED: 'Killed',
};

export function StatusBadge({ status }: { status: RunRow['status'] }) {
  return (
    <span className={`status-badge status-${status.toLowerCase()}`} data-status={status}>
      <span className="status-dot" aria-hidden="true" />
      {LABEL[status] ?? status}
    </span>
  );
}
