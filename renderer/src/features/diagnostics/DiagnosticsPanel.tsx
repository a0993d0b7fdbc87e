// Files the engine could not read (a broken meta.yaml, a truncated metric line...). Reading never
// stops at them; this panel is where they are not silently lost.
import { useEffect } from 'react';
import { loadDiagnostics } from '../../state/actions.ts';
import { useApp } from '../../state/store.ts';

export function DiagnosticsPanel() {
  const diagnostics = useApp((s) => s.diagnostics);
  const count = useApp((s) => s.diagnosticsCount);
  const setPanel = useApp((s) => s.setPanel);
  useEffect(() => {
    void loadDiagnostics();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setPanel(null);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [setPanel]);
  return (
    <aside className="drawer" role="dialog" aria-label="Diagnostics" data-testid="diagnostics-panel" data-count={diagnostics?.length ?? count}>
      <div className="drawer-head">
        <h2>Diagnostics</h2>
        <span className="count-badge">{diagnostics?.length ?? count}</span>
        <div className="topbar-spacer" />
        <button type="button" className="icon-button" aria-label="Close" onClick={() => setPanel(null)}>
          ×
        </button>
      </div>
      <p className="drawer-lead muted">Files that could not be read. Everything else in the stores was read normally.</p>
      {diagnostics === null ? (
        <p className="muted pad">Loading…</p>
      ) : diagnostics.length === 0 ? (
        <div className="empty-state" data-testid="diagnostics-empty">
          <div className="empty-icon">✓</div>
          <div>Every file was read.</div>
        </div>
      ) : (
        <ul className="diag-list">
          {diagnostics.map((d, i) => (
            <li key={`${d.path}-${i}`} className="diag-item" data-testid="diagnostic-item">
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
      )}
    </aside>
  );
}

/** Paths inside the store are shown from the store's folder (the full path is in the tooltip). */
function relativeTo(p: string, store: string): string {
  const root = store.replace(/[\\/]+$/, '');
  return p.startsWith(`${root}/`) || p.startsWith(`${root}\\`) ? p.slice(root.length + 1) : p;
}
