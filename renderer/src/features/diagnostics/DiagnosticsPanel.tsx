// Files the engine could not read (a broken meta.yaml, a truncated metric line...). Reading never
// stops at them; this panel is where they are not silently lost. Notices (how a large store is
// watched) are listed after the problems and not counted as problems.
import { useEffect } from 'react';
import type { Diagnostic } from '../../../../preload/api.ts';
import { loadDiagnostics } from '../../state/actions.ts';
import { useApp } from '../../state/store.ts';

export function DiagnosticsPanel() {
  const diagnostics = useApp((s) => s.diagnostics);
  const count = useApp((s) => s.diagnosticsCount);
  const problems = diagnostics?.filter((d) => d.severity !== 'notice') ?? null;
  const notices = diagnostics?.filter((d) => d.severity === 'notice') ?? [];
  const setPanel = useApp((s) => s.setPanel);
  useEffect(() => {
    void loadDiagnostics();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setPanel(null);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [setPanel]);
  return (
    <aside className="drawer" role="dialog" aria-label="Diagnostics" data-testid="diagnostics-panel" data-count={problems?.length ?? count}>
      <div className="drawer-head">
        <h2>Diagnostics</h2>
        <span className="count-badge">{problems?.length ?? count}</span>
        <div className="topbar-spacer" />
        <button type="button" className="icon-button" aria-label="Close" onClick={() => setPanel(null)}>
          ×
        </button>
      </div>
      <p className="drawer-lead muted">Files that could not be read. Everything else in the stores was read normally.</p>
      {problems === null ? (
        <p className="muted pad">Loading…</p>
      ) : problems.length === 0 ? (
        <div className="empty-state" data-testid="diagnostics-empty">
          <div className="empty-icon">✓</div>
          <div>Every file was read.</div>
        </div>
      ) : (
        <DiagnosticList items={problems} testId="diagnostic-item" />
      )}
      {notices.length > 0 && (
        <>
          <h3 className="drawer-subhead">Notices</h3>
          <DiagnosticList items={notices} testId="diagnostic-notice" />
        </>
      )}
    </aside>
  );
}

function DiagnosticList({ items, testId }: { items: readonly Diagnostic[]; testId: string }) {
  return (
    <ul className="diag-list">
      {items.map((d, i) => (
        <li key={`${d.path}-${i}`} className={`diag-item${d.severity === 'notice' ? ' notice' : ''}`} data-testid={testId}>
          <div className="diag-path mono" title={d.path}>
            {relativeTo(d.path, d.store)}
          </div>
          <div className="diag-problem">{d.problem}</div>
          <div className="diag-store muted mono" title={d.store}>
            {d.store}
          </div>
        </li>
      ))}
    </ul>
  );
}

/** Paths inside the store are shown from the store's folder (the full path is in the tooltip). */
function relativeTo(p: string, store: string): string {
  const root = store.replace(/[\\/]+$/, '');
  return p.startsWith(`${root}/`) || p.startsWith(`${root}\\`) ? p.slice(root.length + 1) : p;
}
