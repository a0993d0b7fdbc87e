// The registry beside the runs table: the registered models of the store the table shows, each a
// drop target for runs, plus "New model…". Collapsed to a narrow tab by default; it unfolds while
// a run is being dragged.
import type { ReactNode } from 'react';
import { carriesRun, droppedRun } from '../../core/drag-data.ts';
import { useApp } from '../../state/store.ts';
import { StageDot, useWritable } from './controls.tsx';
import { useDropZone } from './drop-zone.ts';
import { openModel, startRegister, toast } from './registry-loader.ts';
import { latestPerStage, STAGES, visibleModels, type RegisterTarget } from './registry-logic.ts';
import { useRegistry } from './registry-store.ts';
import { endRunDrag } from './run-drag.ts';

export function RegistryDock() {
  const storeId = useApp((s) => s.storeId);
  const open = useRegistry((s) => s.dockOpen);
  const dragging = useRegistry((s) => s.draggingRun);
  const models = useRegistry((s) => s.models);
  const list = visibleModels(models, { showPrompts: false, storeId });
  const w = useWritable(storeId);
  const expanded = open || dragging;

  if (!expanded) {
    return (
      <button
        type="button"
        className="reg-dock-tab"
        onClick={() => useRegistry.setState({ dockOpen: true })}
        onDragEnter={(e) => {
          if (carriesRun(e)) useRegistry.setState({ draggingRun: true });
        }}
        title="Registry: drop a run on a model to register it"
        aria-expanded={false}
        data-testid="registry-dock-toggle"
      >
        <span className="reg-dock-tab-label">Registry</span>
        <span className="count-badge">{list.length}</span>
      </button>
    );
  }

  return (
    <aside className={`reg-dock${dragging ? ' dragging' : ''}`} aria-label="Model registry" data-testid="registry-dock">
      <div className="reg-dock-head">
        <span className="section-label">Registry</span>
        <div className="topbar-spacer" />
        <button
          type="button"
          className="icon-button small"
          onClick={() => useRegistry.setState({ dockOpen: false, draggingRun: false })}
          aria-label="Collapse the registry dock"
          aria-expanded={true}
          data-testid="registry-dock-toggle"
        >
          ›
        </button>
      </div>
      <p className="reg-dock-lead muted small">{w.canWrite || !w.reason ? 'Drag a run onto a model to register it as a new version.' : w.reason}</p>
      <div className="reg-dock-list">
        {storeId ? (
          <DropTarget storeId={storeId} target={{ kind: 'new' }} testId="dock-new-model" className="reg-dock-new">
            <span className="reg-dock-plus" aria-hidden="true">
              +
            </span>
            New model…
          </DropTarget>
        ) : null}
        {list.map((m) => {
          const latest = latestPerStage(m);
          return (
            <DropTarget key={m.name} storeId={m.storeId} target={{ kind: 'model', storeId: m.storeId, name: m.name }} testId={`dock-model-${m.name}`} onClick={() => openModel(m.storeId, m.name)}>
              <span className="reg-dock-name" title={m.name}>
                {m.name}
              </span>
              <span className="reg-dock-stages">
                {STAGES.filter((s) => latest[s] !== undefined && s !== 'Archived').map((s) => (
                  <span key={s} className="reg-dock-stage">
                    <StageDot stage={s} />v{latest[s]}
                  </span>
                ))}
                {STAGES.every((s) => s === 'Archived' || latest[s] === undefined) ? <span className="muted small">no live versions</span> : null}
              </span>
            </DropTarget>
          );
        })}
        {list.length === 0 ? <div className="muted small reg-dock-empty">No registered models in this store yet.</div> : null}
      </div>
    </aside>
  );
}

function DropTarget({
  storeId,
  target,
  testId,
  children,
  className = '',
  onClick,
}: {
  storeId: string;
  target: RegisterTarget;
  testId: string;
  children: ReactNode;
  className?: string;
  onClick?: () => void;
}) {
  const w = useWritable(storeId);
  // Accepted even when the store is read-only: the drop then says why (refusing it would only
  // show a forbidden cursor, with no reason).
  const zone = useDropZone(
    carriesRun,
    (e) => {
      const run = droppedRun(e);
      endRunDrag();
      if (!run) return;
      // The dock stays unfolded after a drop on it, so the new version shows up where it went.
      useRegistry.setState({ dockOpen: true });
      e.preventDefault();
      if (!w.canWrite && w.reason) {
        toast('error', w.reason);
        return;
      }
      void startRegister(run, target);
    },
    'copy',
  );
  return (
    <div
      className={`reg-drop ${className}${zone.over ? ' drop-over' : ''}${w.canWrite ? '' : ' readonly'}`}
      role={onClick ? 'button' : undefined}
      tabIndex={onClick ? 0 : undefined}
      onClick={onClick}
      onKeyDown={(e) => {
        if (onClick && e.key === 'Enter') onClick();
      }}
      {...zone.props}
      title={w.reason ?? (target.kind === 'new' ? 'Drop a run here to register its model under a new name' : 'Drop a run here to add it as a new version; click to open the model')}
      data-testid={testId}
      data-drop-over={zone.over}
    >
      {children}
    </div>
  );
}
