// The panel for the focused run: everything MLflow's run page shows, plus how to reproduce the
// run. Text from the store (description, tags, params) is rendered as text, never as HTML.
import { useMemo, useState, type ReactNode } from 'react';
import type { MetricPoint, RunDetail } from '../../../../preload/api.ts';

type DatasetInput = RunDetail['run']['inputs']['datasets'][number];
import { exactNumber, formatDuration, formatNumber, formatRelative, formatTime, formatTimeExact } from '../../lib/format.ts';
import { useApp } from '../../state/store.ts';
import { ArtifactsBrowser } from './ArtifactsBrowser.tsx';
import { StatusBadge } from '../../ui/StatusBadge.tsx';
import { selectIds } from '../../core/selection.ts';
import { closeDetail } from '../../state/detail-loader.ts';
import { CopyButton } from './CopyButton.tsx';
import { Sparkline } from './Sparkline.tsx';

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
          <Overview
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

function focusRun(runId: string) {
  useApp.getState().setSelection(selectIds([runId]));
}

function Section({ title, count, children, open = true, testId }: { title: string; count?: number; children: ReactNode; open?: boolean; testId?: string }) {
  return (
    <details className="section" open={open} data-testid={testId}>
      <summary>
        <span className="section-title">{title}</span>
        {count !== undefined ? <span className="count-badge subtle">{count}</span> : null}
      </summary>
      <div className="section-body">{children}</div>
    </details>
  );
}

function Overview({ data, history, openArtifact }: { data: RunDetail; history: Record<string, MetricPoint[]> | null; openArtifact: (path: string) => void }) {
  const { run } = data;
  const experiments = useApp((s) => s.experiments);
  const experiment = experiments.find((e) => e.storeId === data.storeId && e.experimentId === run.experimentId);
  const now = Date.now();
  const description = run.tags['mlflow.note.content'];
  const params = Object.entries(run.params).sort(([a], [b]) => a.localeCompare(b));
  const metrics = Object.entries(run.metrics).sort(([a], [b]) => a.localeCompare(b));
  const userTags = Object.entries(run.tags).filter(([k]) => !k.startsWith('mlflow.')).sort(([a], [b]) => a.localeCompare(b));
  const systemTags = Object.entries(run.tags).filter(([k]) => k.startsWith('mlflow.')).sort(([a], [b]) => a.localeCompare(b));
  const duration = run.startTime !== null ? (run.endTime ?? (run.status === 'RUNNING' ? now : null)) : null;

  return (
    <div className="overview">
      <dl className="meta-grid">
        <dt>Experiment</dt>
        <dd title={`id ${run.experimentId}`}>{experiment?.name ?? run.experimentId}</dd>
        <dt>Created</dt>
        <dd title={run.startTime !== null ? formatTimeExact(run.startTime) : ''}>
          {run.startTime !== null ? (
            <>
              {formatTime(run.startTime)} <span className="muted">· {formatRelative(run.startTime, now)}</span>
            </>
          ) : (
            '—'
          )}
        </dd>
        <dt>Duration</dt>
        <dd>{duration !== null && run.startTime !== null ? formatDuration(duration - run.startTime) + (run.endTime === null ? ' (running)' : '') : '—'}</dd>
        <dt>User</dt>
        <dd>{run.userId || '—'}</dd>
        {run.lifecycleStage === 'deleted' ? (
          <>
            <dt>Lifecycle</dt>
            <dd>
              <span className="pill danger">deleted</span>
              {run.deletedTime ? <span className="muted"> {formatTime(run.deletedTime)}</span> : null}
            </dd>
          </>
        ) : null}
      </dl>

      {description ? (
        <Section title="Description" testId="detail-description">
          <div className="description">{description}</div>
        </Section>
      ) : null}

      <Section title="Parameters" count={params.length} testId="detail-params">
        {params.length === 0 ? <Empty>No parameters</Empty> : <KeyValueTable rows={params} filterable={params.length > 12} testPrefix="param" />}
      </Section>

      <Section title="Metrics" count={metrics.length} testId="detail-metrics">
        {metrics.length === 0 ? (
          <Empty>No metrics</Empty>
        ) : (
          <table className="kv metrics-table">
            <tbody>
              {metrics.map(([k, m]) => (
                <tr key={k} data-testid={`metric-${k}`}>
                  <th title={k}>{k}</th>
                  <td className="num" title={`${exactNumber(m.value)} at step ${m.step}`} data-value={exactNumber(m.value)}>
                    <span className={Number.isFinite(m.value) ? undefined : 'special-num'}>{formatNumber(m.value)}</span>
                  </td>
                  <td className="spark-cell">
                    <Sparkline history={history ? (history[k] ?? []) : undefined} />
                  </td>
                  <td className="muted small num step-cell" title={`step ${m.step}`}>
                    {m.step !== 0 ? `@${formatNumber(m.step)}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      {run.inputs.datasets.length > 0 ? (
        <Section title="Datasets" count={run.inputs.datasets.length} testId="detail-datasets">
          <ul className="dataset-list">
            {run.inputs.datasets.map((d, i) => (
              <DatasetItem key={`${d.name}-${d.digest}-${i}`} d={d} />
            ))}
          </ul>
        </Section>
      ) : null}

      {data.parent || data.children.length > 0 ? (
        <Section title="Nested runs" testId="detail-lineage">
          {data.parent ? (
            <div className="lineage-row">
              <span className="muted">Parent</span>
              <button type="button" className="link-button" onClick={() => focusRun(data.parent!.runId)} data-testid={`run-link-${data.parent.runId}`}>
                {data.parent.runName}
              </button>
            </div>
          ) : null}
          {data.children.length > 0 ? (
            <div className="lineage-row top">
              <span className="muted">Children</span>
              <ul className="link-list">
                {data.children.map((c) => (
                  <li key={c.runId}>
                    <span className={`status-dot status-${c.status.toLowerCase()}`} />
                    <button type="button" className="link-button" onClick={() => focusRun(c.runId)} data-testid={`run-link-${c.runId}`}>
                      {c.runName || c.runId}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </Section>
      ) : null}

      {data.loggedModels.length > 0 || data.artifactModels.length > 0 ? (
        <Section title="Models" count={data.loggedModels.length + data.artifactModels.length} testId="detail-models">
          <ul className="model-list">
            {data.loggedModels.map((m) => (
              <li key={m.modelId} className="model-item">
                <div className="model-name">
                  {m.name}
                  {m.status !== 'READY' && m.status !== 'UNSPECIFIED' ? <span className={`pill ${m.status === 'FAILED' ? 'danger' : 'warn'}`}>{m.status.toLowerCase()}</span> : null}
                </div>
                <div className="muted small mono">
                  {m.modelId}
                  {m.modelType ? ` · ${m.modelType}` : ''}
                  {m.sourceRunId && m.sourceRunId !== run.runId ? ' · from another run' : ''}
                </div>
              </li>
            ))}
            {data.artifactModels.map((m) => (
              <li key={m.path} className="model-item">
                <button type="button" className="link-button" onClick={() => openArtifact(`${m.path}/MLmodel`)}>
                  {m.path}
                </button>
                <div className="muted small">MLmodel in run artifacts</div>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}

      <Reproducibility data={data} openArtifact={openArtifact} />

      <Section title="Tags" count={userTags.length} testId="detail-tags">
        {userTags.length === 0 ? <Empty>No tags</Empty> : <KeyValueTable rows={userTags} testPrefix="tag" />}
      </Section>
      <Section title="System tags" count={systemTags.length} open={false} testId="detail-system-tags">
        <KeyValueTable rows={systemTags} testPrefix="tag" />
      </Section>
    </div>
  );
}

function Empty({ children }: { children: ReactNode }) {
  return <div className="muted small">{children}</div>;
}

function KeyValueTable({ rows, filterable = false, testPrefix }: { rows: [string, string][]; filterable?: boolean; testPrefix: string }) {
  const [q, setQ] = useState('');
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return needle ? rows.filter(([k, v]) => k.toLowerCase().includes(needle) || v.toLowerCase().includes(needle)) : rows;
  }, [rows, q]);
  return (
    <>
      {filterable ? <input className="input small kv-search" placeholder="Search" value={q} onChange={(e) => setQ(e.target.value)} /> : null}
      <table className="kv">
        <tbody>
          {shown.map(([k, v]) => (
            <tr key={k} data-testid={`${testPrefix}-${k}`}>
              <th title={k}>{k}</th>
              <td>
                <LongText text={v} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function LongText({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  if (text === '') return <span className="nil">""</span>;
  const lines = text.split('\n');
  if (text.length <= 300 && lines.length <= 6) return <span className="kv-value pre">{text}</span>;
  return (
    <div className="long-text">
      <div className={`kv-value pre${open ? '' : ' clamped'}`}>{open ? text : lines.slice(0, 6).join('\n').slice(0, 300)}</div>
      <button type="button" className="link-button small" onClick={() => setOpen(!open)}>
        {open ? 'Show less' : `Show all (${text.length.toLocaleString()} chars)`}
      </button>
    </div>
  );
}

function DatasetItem({ d }: { d: DatasetInput }) {
  const context = d.tags['mlflow.data.context'];
  return (
    <li className="dataset">
      <div className="dataset-name">
        {d.name}
        {context ? <span className="pill">{context}</span> : null}
      </div>
      <div className="muted small mono">
        digest {d.digest} · {d.sourceType}
      </div>
    </li>
  );
}

function Reproducibility({ data, openArtifact }: { data: RunDetail; openArtifact: (path: string) => void }) {
  const r = data.reproducibility;
  const rows: [string, ReactNode][] = [];
  if (r.sourceName) rows.push(['Source', <span className="mono">{r.sourceName}</span>]);
  if (r.sourceType) rows.push(['Type', r.sourceType]);
  if (r.entryPoint) rows.push(['Entry point', <span className="mono">{r.entryPoint}</span>]);
  if (r.gitCommit)
    rows.push([
      'Git commit',
      <span className="mono" title={r.gitCommit}>
        {r.gitCommit.slice(0, 12)}
        {r.gitDirty === 'true' ? <span className="pill warn">uncommitted changes</span> : null}
      </span>,
    ]);
  if (r.gitBranch) rows.push(['Branch', <span className="mono">{r.gitBranch}</span>]);
  if (r.gitRepoUrl) rows.push(['Repository', <span className="mono">{r.gitRepoUrl}</span>]);
  const project = r.entryPoint !== null || r.sourceType === 'PROJECT';
  return (
    <Section title="Reproduce" testId="detail-repro">
      {rows.length === 0 && !r.command && r.environmentFiles.length === 0 ? (
        <Empty>MLflow recorded no source information for this run.</Empty>
      ) : (
        <>
          <table className="kv">
            <tbody>
              {rows.map(([k, v]) => (
                <tr key={k}>
                  <th>{k}</th>
                  <td>{v}</td>
                </tr>
              ))}
              {r.environmentFiles.length > 0 ? (
                <tr>
                  <th>Environment</th>
                  <td>
                    <ul className="link-list">
                      {r.environmentFiles.map((f) => (
                        <li key={`${f.source}:${f.modelId ?? ''}:${f.path}`}>
                          {f.source === 'run' ? (
                            <button type="button" className="link-button mono" onClick={() => openArtifact(f.path)} data-testid="env-file">
                              {f.path}
                            </button>
                          ) : (
                            <span className="mono" data-testid="env-file" title={`In logged model ${f.modelId}`}>
                              {f.path} <span className="muted">(model {f.modelId?.slice(0, 10)})</span>
                            </span>
                          )}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          {r.command ? (
            <div className="command">
              <div className="command-head">
                <span className="section-label">Command</span>
                <CopyButton text={r.command} testId="copy-command" />
              </div>
              <pre className="command-text" data-testid="repro-command">
                {r.command}
              </pre>
              {!project ? <p className="muted small">MLflow does not record the command line: this assumes the script takes its params as <code>--name value</code> flags.</p> : null}
            </div>
          ) : null}
        </>
      )}
    </Section>
  );
}
