import type { ReactNode } from 'react';
import { useApp } from '../../state/store.ts';
import { IndexingProgress } from './IndexingProgress.tsx';

/** `views`: the switch between the main views (App.tsx hands in the registry's). */
export function TopBar({ views }: { views?: ReactNode }) {
  const project = useApp((s) => s.project);
  const count = useApp((s) => s.diagnosticsCount);
  const panel = useApp((s) => s.panel);
  const setPanel = useApp((s) => s.setPanel);
  const opening = useApp((s) => s.opening);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-title">Runsight</span>
      </div>
      <button type="button" className="project-button" onClick={() => setPanel('project')} title={`${project ?? ''}\nClick to open another project`} data-testid="project-switch">
        <span className="project-label">Project</span>
        <span className="project-path mono" data-testid="project-path">
          {/* LRM marks keep the leading slash in place inside the right-to-left ellipsis trick. */}
          {`\u200E${project ?? ''}\u200E`}
        </span>
        <span className="project-caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {opening ? (
        <span className="opening muted small" data-testid="project-opening">
          <span className="spinner" /> Opening…
        </span>
      ) : null}
      {views}
      <div className="topbar-spacer" />
      <IndexingProgress />
      <button
        type="button"
        className={`diag-button${count > 0 ? ' has-problems' : ''}${panel === 'diagnostics' ? ' active' : ''}`}
        onClick={() => setPanel('diagnostics')}
        title={count > 0 ? `${count} file(s) could not be read` : 'No unreadable files'}
        aria-pressed={panel === 'diagnostics'}
        data-testid="diagnostics-toggle"
      >
        <span aria-hidden="true" className="diag-icon">
          {count > 0 ? '⚠' : '✓'}
        </span>
        Diagnostics
        <span className="count-badge" data-testid="diagnostics-count">
          {count}
        </span>
      </button>
    </header>
  );
}
