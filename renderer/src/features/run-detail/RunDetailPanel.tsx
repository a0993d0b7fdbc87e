// The panel for the focused run: its header (status, name, id, what other features offer for the
// run), the Overview and Artifacts tabs, and the edge that resizes it. The Overview shows
// everything MLflow's run page shows, plus how to reproduce the run (RunOverview.tsx); text from
// the store (description, tags, params) is rendered as text, never as HTML.
import { useState, type ReactNode } from 'react';
import { closeDetail } from '../../state/detail-loader.ts';
import { useApp } from '../../state/store.ts';
import { StatusBadge } from '../../ui/StatusBadge.tsx';
import { ArtifactsBrowser } from './ArtifactsBrowser.tsx';
import { CopyButton } from './CopyButton.tsx';
import { RunOverview } from './RunOverview.tsx';

/** What another feature offers for the run in the panel's header (App.tsx: the registry's drag handle and "Register model…"). */
export type RunActions = (run: { storeId: string; runId: string; runName: string }) => ReactNode;

export function RunDetailPanel({ runActions }: { runActions?: RunActions }) {
  const detail = useApp((s) => s.detail);
  const tab = useApp((s) => s.detailTab);
  const setTab = useApp((s) => s.setDetailTab);
  const [artifactPath, setArtifactPath] = useState<string | null>(null);
  const data = detail?.data ?? null;
  const width = useApp((s) => s.layout.detailWidth);

  return (
    <aside
      className="detail"
      aria-label="Run details"
      style={width ? { width } : undefined}
      data-testid="run-detail"
      data-run-id={detail?.runId ?? ''}
      data-loaded={!!data}
    >
      <ResizeEdge />
      <div className="detail-head">
        <div className="detail-title-row">
          {data ? <StatusBadge status={data.run.status} /> : null}
          <h2 className="detail-title" title={data?.run.runName}>
            {data ? data.run.runName || data.run.runId : detail?.error ? 'Run unavailable' : 'Loading…'}
          </h2>
          {data && runActions ? runActions({ storeId: data.storeId, runId: data.run.runId, runName: data.run.runName }) : null}
          <button type="button" className="icon-button" aria-label="Close details" onClick={closeDetail} data-testid="run-detail-close">
            ×
          </button>
        </div>
        {detail ? (
          <div className="detail-id mono">
            <span title="Run id">{detail.runId}</span>
            <CopyButton text={detail.runId} label="Copy id" />
          </div>
        ) : null}
        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={tab === 'overview'} className={`tab${tab === 'overview' ? ' active' : ''}`} onClick={() => setTab('overview')} data-testid="detail-tab-overview">
            Overview
          </button>
          <button type="button" role="tab" aria-selected={tab === 'artifacts'} className={`tab${tab === 'artifacts' ? ' active' : ''}`} onClick={() => setTab('artifacts')} data-testid="detail-tab-artifacts">
            Artifacts
          </button>
        </div>
      </div>
      <div className="detail-body">
        {detail?.error && !data ? <div className="banner error">{detail.error}</div> : null}
        {data && tab === 'overview' ? (
          <RunOverview
            data={data}
            history={detail?.history ?? null}
            openArtifact={(p) => {
              setArtifactPath(p);
              setTab('artifacts');
            }}
          />
        ) : null}
        {data && tab === 'artifacts' ? (
          <ArtifactsBrowser key={`${data.storeId}:${data.run.runId}`} storeId={data.storeId} runId={data.run.runId} location={data.artifacts} version={detail?.version ?? 0} initialPath={artifactPath} />
        ) : null}
        {!data && !detail?.error ? <DetailSkeleton /> : null}
      </div>
    </aside>
  );
}

/** Drag the panel's left edge to resize it; double-click restores the default width. */
function ResizeEdge() {
  return (
    <div
      className="panel-resize"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize details panel"
      onDoubleClick={() => useApp.getState().setDetailWidth(null)}
      onPointerDown={(e) => {
        e.preventDefault();
        const panel = e.currentTarget.parentElement as HTMLElement;
        const startX = e.clientX;
        const startW = panel.getBoundingClientRect().width;
        const el = e.currentTarget;
        el.setPointerCapture(e.pointerId);
        const max = Math.max(360, window.innerWidth - 480);
        const move = (ev: PointerEvent) => {
          panel.style.width = `${Math.min(max, Math.max(320, startW - (ev.clientX - startX)))}px`;
        };
        const up = () => {
          el.removeEventListener('pointermove', move);
          el.removeEventListener('pointerup', up);
          useApp.getState().setDetailWidth(Math.round(panel.getBoundingClientRect().width));
        };
        el.addEventListener('pointermove', move);
        el.addEventListener('pointerup', up);
      }}
    />
  );
}

function DetailSkeleton() {
  return (
    <div className="pad">
      {[180, 240, 200, 260, 150].map((w, i) => (
        <div key={i} className="skeleton block" style={{ width: w }} />
      ))}
    </div>
  );
}
