import { useEffect } from 'react';
import { BrushChips } from './features/compare/BrushChips.tsx';
import { ComparePanel, CompareToggle } from './features/compare/ComparePanel.tsx';
import { SelectionExport } from './features/compare/ExportDialog.tsx';
import { DiagnosticsPanel } from './features/diagnostics/DiagnosticsPanel.tsx';
import { ProjectPicker } from './features/project/ProjectPicker.tsx';
import { useRegistry } from './features/registry/registry-store.ts';
import { RegistryDock } from './features/registry/RegistryDock.tsx';
import { RegistryNav } from './features/registry/RegistryNav.tsx';
import { RegistryRoot } from './features/registry/RegistryRoot.tsx';
import { RegistryView } from './features/registry/RegistryView.tsx';
import { RunRegistryActions } from './features/registry/RunRegistryActions.tsx';
import { RunDetailPanel, type RunActions } from './features/run-detail/RunDetailPanel.tsx';
import { RunsView } from './features/runs-table/RunsView.tsx';
import { Sidebar } from './features/sidebar/Sidebar.tsx';
import { TopBar } from './features/status/TopBar.tsx';
import { loadDetail } from './state/detail-loader.ts';
import { useApp } from './state/store.ts';

// The features stand side by side and never import one another: what one shows inside another's
// view is handed in here.
const registryRunActions: RunActions = (run) => <RunRegistryActions {...run} />;
const compareTools = (
  <>
    <CompareToggle />
    <SelectionExport />
  </>
);

export function App() {
  const host = useApp((s) => s.host);
  const project = useApp((s) => s.project);
  const connectionError = useApp((s) => s.connectionError);
  const panel = useApp((s) => s.panel);
  const detailOpen = useApp((s) => s.detailOpen);
  const focus = useApp((s) => s.selection.focus);
  const storeId = useApp((s) => s.storeId);
  const registryOpen = useRegistry((s) => s.open);

  // The detail panel follows the focused run.
  useEffect(() => {
    if (detailOpen && focus && storeId) void loadDetail(storeId, focus);
  }, [detailOpen, focus, storeId]);

  if (connectionError && !host) {
    return (
      <div className="splash">
        <div className="splash-card">
          <h1 className="brand-title">Runsight</h1>
          <p className="error-text">{connectionError}</p>
        </div>
      </div>
    );
  }
  if (!host) {
    return (
      <div className="splash">
        <div className="splash-card muted">Connecting…</div>
      </div>
    );
  }
  if (!project) {
    return (
      <div className="splash">
        <ProjectPicker variant="welcome" />
      </div>
    );
  }
  return (
    <div className="app">
      <TopBar views={<RegistryNav />} />
      <div className="app-body">
        {!registryOpen ? <Sidebar /> : null}
        <main className="main">
          {registryOpen ? (
            <RegistryView />
          ) : (
            <>
              <RunsView underFilter={<BrushChips />} tools={compareTools} />
              <ComparePanel />
            </>
          )}
        </main>
        {!registryOpen && detailOpen && focus ? <RunDetailPanel runActions={registryRunActions} /> : null}
        {!registryOpen ? <RegistryDock /> : null}
      </div>
      <RegistryRoot />
      {panel === 'project' ? (
        <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && useApp.getState().setPanel(null)}>
          <ProjectPicker variant="modal" />
        </div>
      ) : null}
      {panel === 'diagnostics' ? <DiagnosticsPanel /> : null}
    </div>
  );
}
