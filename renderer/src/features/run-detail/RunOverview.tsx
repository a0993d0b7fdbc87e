// The detail panel's Overview tab: what MLflow's run page shows — experiment, times, user,
// description, params, metrics with sparklines, datasets, nested runs, models, tags — and how to
// reproduce the run.
import type { MetricPoint, RunDetail } from '../../../../preload/api.ts';
import { selectIds } from '../../core/selection.ts';
import { exactNumber, formatDuration, formatNumber, formatRelative, formatTime, formatTimeExact } from '../../lib/format.ts';
import { useApp } from '../../state/store.ts';
import { Empty, KeyValueTable, Section } from './detail-sections.tsx';
import { Reproducibility } from './Reproducibility.tsx';
import { Sparkline } from './Sparkline.tsx';

type DatasetInput = RunDetail['run']['inputs']['datasets'][number];

export function RunOverview({ data, history, openArtifact }: { data: RunDetail; history: Record<string, MetricPoint[]> | null; openArtifact: (path: string) => void }) {
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

function focusRun(runId: string) {
  useApp.getState().setSelection(selectIds([runId]));
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
