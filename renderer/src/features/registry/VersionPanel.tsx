// One model version: where it came from, its stage and the moves it can make, aliases, description,
// tags, the review requests waiting for a decision, and its audit trail.
import { useState } from 'react';
import type { TransitionRequest, VersionReview } from '../../../../preload/api.ts';
import { formatRelative, formatTime, formatTimeExact } from '../../lib/format.ts';
import { AliasChip, EditableText, StageBadge, TagEditor, useWritable, WriteButton } from './controls.tsx';
import { DeleteVersionDialog } from './dialogs.tsx';
import { approve, deleteAlias, deleteTag, goToRun, reject, setAlias, setDescription, setTag } from './registry-loader.ts';
import { actionLabel, aliasIntent, auditDetail, auditRows, canonicalStage, DELETED_STAGE, modelKey, pendingRequests, STAGES, type ModelVersion, type RegistryModel, type Stage } from './registry-logic.ts';
import { useRegistry } from './registry-store.ts';

export function VersionPanel({ model, version }: { model: RegistryModel; version: ModelVersion }) {
  const { storeId, name } = model;
  const review = useRegistry((s) => (s.reviewKey === modelKey(storeId, name) ? s.review : null));
  const reviewError = useRegistry((s) => (s.reviewKey === modelKey(storeId, name) ? s.reviewError : null));
  const vr = review?.versions.find((v) => v.version === version.version) ?? null;
  const [deleting, setDeleting] = useState(false);
  const stage = canonicalStage(version.currentStage);
  const deleted = stage === DELETED_STAGE;
  const locked = deleted ? 'A deleted version cannot be edited (Undo brings it back in this session).' : null;
  const now = Date.now();

  return (
    <aside className="reg-version-panel" aria-label={`${name} version ${version.version}`} data-testid="version-panel" data-version={version.version} data-stage={stage}>
      <div className="reg-vp-head">
        <div className="reg-vp-title">
          <h2>Version {version.version}</h2>
          <StageBadge stage={stage} testId="version-panel-stage" />
        </div>
        <button type="button" className="icon-button" aria-label="Close version" onClick={() => useRegistry.setState({ versionOpen: null })} data-testid="version-panel-close">
          ×
        </button>
      </div>
      <div className="reg-vp-body">
        <dl className="meta-grid reg-meta">
          <dt>Source run</dt>
          <dd>
            <RunLink storeId={storeId} runId={version.runId} testId="version-panel-run" />
          </dd>
          <dt>Created</dt>
          <dd title={version.creationTimestamp !== null ? formatTimeExact(version.creationTimestamp) : ''}>
            {version.creationTimestamp !== null ? (
              <>
                {formatTime(version.creationTimestamp)} <span className="muted">· {formatRelative(version.creationTimestamp, now)}</span>
              </>
            ) : (
              '—'
            )}
          </dd>
          <dt>Updated</dt>
          <dd>{version.lastUpdatedTimestamp !== null ? formatTime(version.lastUpdatedTimestamp) : '—'}</dd>
          <dt>Status</dt>
          <dd>{version.status ?? '—'}</dd>
          <dt>Source</dt>
          <dd className="mono reg-source" title={version.source ?? ''}>
            {version.source ?? '—'}
          </dd>
        </dl>

        {!deleted ? (
          <section className="reg-section">
            <h3 className="section-label">Stage</h3>
            <div className="reg-stage-actions">
              {STAGES.filter((s) => s !== stage).map((s) => (
                <WriteButton
                  key={s}
                  storeId={storeId}
                  className="button small"
                  onClick={() => useRegistry.setState({ stageDialog: { storeId, name, version: version.version, from: stage, to: s, mode: 'transition' } })}
                  testId={`stage-action-${s}`}
                >
                  Move to {s}
                </WriteButton>
              ))}
              <WriteButton
                storeId={storeId}
                className="button small"
                onClick={() =>
                  useRegistry.setState({
                    stageDialog: { storeId, name, version: version.version, from: stage, to: (stage === 'Production' ? 'Archived' : stage === 'Staging' ? 'Production' : 'Staging') as Stage, mode: 'request' },
                  })
                }
                testId="version-request"
              >
                Request transition…
              </WriteButton>
            </div>
          </section>
        ) : null}

        {!deleted ? <Aliases model={model} version={version} /> : null}

        <section className="reg-section">
          <h3 className="section-label">Description</h3>
          <EditableText
            key={`${version.version}:${version.description ?? ''}`}
            storeId={storeId}
            value={version.description}
            placeholder="No description"
            onSave={(text) => setDescription(storeId, name, version.version, text)}
            testId="version-description"
            locked={locked}
          />
        </section>

        <section className="reg-section">
          <h3 className="section-label">Tags</h3>
          <TagEditor
            storeId={storeId}
            tags={version.tags}
            onSet={(k, v) => setTag(storeId, name, version.version, k, v)}
            onDelete={(k) => deleteTag(storeId, name, version.version, k)}
            testId="version-tags"
            locked={locked}
          />
        </section>

        <Review storeId={storeId} name={name} version={version.version} vr={vr} error={reviewError} deleted={deleted} />

        {!deleted ? (
          <section className="reg-section reg-danger">
            <WriteButton storeId={storeId} className="button small danger-outline" onClick={() => setDeleting(true)} testId="version-delete">
              Delete version…
            </WriteButton>
          </section>
        ) : null}
      </div>
      {deleting ? <DeleteVersionDialog storeId={storeId} name={name} version={version.version} onClose={() => setDeleting(false)} /> : null}
    </aside>
  );
}

export function RunLink({ storeId, runId, testId }: { storeId: string; runId: string | null; testId?: string }) {
  const ref = useRegistry((s) => (runId ? s.runs[modelKey(storeId, runId)] : undefined));
  if (!runId) return <span className="muted">no run</span>;
  if (!ref) {
    return (
      <span className="mono muted" title="This run is not in the index" data-testid={testId}>
        {runId.slice(0, 12)}
      </span>
    );
  }
  return (
    <button
      type="button"
      className="link-button reg-run-link"
      title={`Show run ${runId} in the runs view`}
      onClick={(e) => {
        e.stopPropagation();
        goToRun(storeId, runId);
      }}
      data-testid={testId}
      data-run-id={runId}
    >
      {ref.runName || runId.slice(0, 12)}
      {ref.lifecycleStage === 'deleted' ? <span className="pill danger">deleted</span> : null}
    </button>
  );
}

function Aliases({ model, version }: { model: RegistryModel; version: ModelVersion }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const w = useWritable(model.storeId);
  const intent = aliasIntent(model, version.version, text);
  const submit = async () => {
    if (intent.kind !== 'new' && intent.kind !== 'move') return;
    const out = await setAlias(model.storeId, model.name, intent.alias, version.version);
    if (out.ok) {
      setText('');
      setError(null);
    } else setError(out.message);
  };
  return (
    <section className="reg-section">
      <h3 className="section-label">Aliases</h3>
      <div className="reg-alias-row" data-testid="version-aliases">
        {version.aliases.length === 0 ? <span className="muted small">No aliases</span> : null}
        {[...version.aliases].sort().map((a) => (
          <AliasChip key={a} alias={a} onRemove={() => void deleteAlias(model.storeId, model.name, a)} disabled={!w.canWrite} reason={w.reason} />
        ))}
      </div>
      <form
        className="reg-inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        title={w.reason ?? undefined}
      >
        <input
          className="input small"
          placeholder="champion, challenger…"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
          disabled={!w.canWrite}
          aria-label="Alias"
          data-testid="alias-input"
        />
        <button type="submit" className="button small" disabled={!w.canWrite || (intent.kind !== 'new' && intent.kind !== 'move')} data-testid="alias-set">
          {intent.kind === 'move' ? `Move to v${version.version}` : 'Set alias'}
        </button>
      </form>
      <div className={`small reg-hint${intent.kind === 'move' ? ' move' : intent.kind === 'invalid' ? ' error-text' : ' muted'}`} data-testid="alias-hint" data-intent={intent.kind}>
        {intent.kind === 'move'
          ? `@${intent.alias} is on v${intent.from}: setting it here moves it to v${version.version} (one action; an alias names one version).`
          : intent.kind === 'unchanged'
            ? `@${intent.alias} is already on this version.`
            : intent.kind === 'invalid'
              ? intent.message
              : 'An alias names one version of the model; typing one that another version holds moves it here.'}
      </div>
      {error ? (
        <div className="banner error" role="alert" data-testid="alias-error">
          {error}
        </div>
      ) : null}
    </section>
  );
}

function Review({ storeId, name, version, vr, error, deleted }: { storeId: string; name: string; version: number; vr: VersionReview | null; error: string | null; deleted: boolean }) {
  const requests = vr?.requests ?? [];
  const pending = pendingRequests(requests);
  const decided = requests.filter((r) => r.status !== 'pending').sort((a, b) => b.id - a.id);
  return (
    <>
      <section className="reg-section" data-testid="version-review">
        <h3 className="section-label">
          Review requests {pending.length > 0 ? <span className="count-badge reg-pending-count">{pending.length} pending</span> : null}
        </h3>
        {error ? <div className="banner error">{error}</div> : null}
        {!vr && !error ? <div className="skeleton block" style={{ width: 200 }} /> : null}
        {vr && requests.length === 0 ? <div className="muted small">No requests. “Request transition…” asks a reviewer to move this version.</div> : null}
        {pending.map((r) => (
          <PendingRequest key={r.id} storeId={storeId} name={name} version={version} r={r} deleted={deleted} />
        ))}
        {decided.length > 0 ? (
          <ul className="reg-decided">
            {decided.map((r) => (
              <li key={r.id} data-testid={`request-${r.id}`} data-status={r.status}>
                <span className={`reg-decision ${r.status}`}>{r.status}</span> #{r.id} → {r.stage} · asked by {r.requestedBy}
                {r.decidedBy ? `, ${r.status} by ${r.decidedBy}` : ''}
                {r.decidedAt ? ` ${formatTime(r.decidedAt)}` : ''}
                {r.decisionComment ? <span className="muted"> — “{r.decisionComment}”</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
        {vr && vr.requestsOmitted > 0 ? <div className="muted small">{vr.requestsOmitted} older decided requests were dropped to keep the tag under MLflow's size limit.</div> : null}
      </section>
      <section className="reg-section">
        <h3 className="section-label">Audit trail</h3>
        <AuditTrail vr={vr} />
      </section>
    </>
  );
}

function PendingRequest({ storeId, name, version, r, deleted }: { storeId: string; name: string; version: number; r: TransitionRequest; deleted: boolean }) {
  const [comment, setComment] = useState('');
  const text = () => comment.trim() || null;
  return (
    <div className="reg-request" data-testid={`request-${r.id}`} data-status="pending">
      <div className="reg-request-head">
        <span className="reg-decision pending">pending</span>
        <strong>#{r.id}</strong> move to <StageBadge stage={r.stage} />
        {r.archiveExisting ? <span className="pill">archive existing</span> : null}
      </div>
      <div className="muted small">
        asked by {r.requestedBy} · {formatTime(r.requestedAt)}
      </div>
      {r.comment ? <div className="reg-request-comment">“{r.comment}”</div> : null}
      {!deleted ? (
        <div className="reg-request-actions">
          <input className="input small" placeholder="Decision comment (optional)" value={comment} onChange={(e) => setComment(e.target.value)} aria-label="Decision comment" data-testid={`request-comment-${r.id}`} />
          <WriteButton storeId={storeId} className="button small primary" onClick={() => void approve(storeId, name, version, r.id, text())} testId={`request-approve-${r.id}`}>
            Approve
          </WriteButton>
          <WriteButton storeId={storeId} className="button small" onClick={() => void reject(storeId, name, version, r.id, text())} testId={`request-reject-${r.id}`}>
            Reject
          </WriteButton>
        </div>
      ) : null}
    </div>
  );
}

function AuditTrail({ vr }: { vr: VersionReview | null }) {
  if (!vr) return <div className="skeleton block" style={{ width: 240 }} />;
  const rows = auditRows(vr.audit.entries);
  if (rows.length === 0) return <div className="muted small">Nothing recorded yet. Runsight records who did what here, in the version's tags.</div>;
  return (
    <>
      <table className="reg-audit" data-testid="audit-trail">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e, i) => (
            <tr key={`${e.at}-${i}`} data-testid="audit-entry" data-action={e.action} data-user={e.user}>
              <td title={formatTimeExact(e.at)} className="nowrap">
                {formatTime(e.at)}
              </td>
              <td>{e.user}</td>
              <td>{actionLabel(e.action)}</td>
              <td>
                {auditDetail(e)}
                {e.comment ? <div className="muted">“{e.comment}”</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {vr.audit.omitted > 0 ? <div className="muted small">{vr.audit.omitted} older entries were dropped to stay under MLflow's tag size limit.</div> : null}
    </>
  );
}
