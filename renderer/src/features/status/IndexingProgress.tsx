// Shown while stores are read for the first time (indexProgress events / getStatus().indexing).
import { useApp } from '../../state/store.ts';

const PHASE: Record<string, string> = {
  discovering: 'Discovering',
  reading: 'Reading',
  indexing: 'Indexing',
  checking: 'Checking for changes',
  ready: 'Ready',
};

export function IndexingProgress() {
  const indexing = useApp((s) => s.indexing);
  const list = Object.values(indexing);
  if (list.length === 0) return null;
  const done = list.reduce((n, p) => n + p.done, 0);
  const total = list.reduce((n, p) => n + p.total, 0);
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : null;
  const phase = PHASE[list[0]?.phase ?? ''] ?? 'Indexing';
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label="Indexing"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct ?? undefined}
      data-testid="progress-bar"
      title={list.map((p) => `${p.storeId}: ${p.phase} ${p.done}/${p.total}`).join('\n')}
    >
      <span className="progress-label">
        {phase} {total > 0 ? `${done.toLocaleString()} / ${total.toLocaleString()}` : '…'}
      </span>
      <span className="progress-track">
        <span className={`progress-fill${pct === null ? ' indeterminate' : ''}`} style={pct === null ? undefined : ({ '--progress': pct / 100 } as React.CSSProperties)} />
      </span>
    </div>
  );
}
