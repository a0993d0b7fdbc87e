// The registry's dialogs: confirm a stage change (or request one), choose which model of a run to
// register and under what name, and confirm deleting a version.
import { useMemo, useState } from 'react';
import { formatTime } from '../../lib/format.ts';
import { Modal, StageBadge } from './controls.tsx';
import { confirmRegister, deleteVersion, requestTransition, transition } from './registry-loader.ts';
import { canArchiveExisting, canonicalStage, DELETED_STAGE, modelKey, needsApproval, STAGES, type Stage } from './registry-logic.ts';
import { useRegistry, type StageDialogState } from './registry-store.ts';

export function StageDialog() {
  const d = useRegistry((s) => s.stageDialog);
  if (!d) return null;
  // A fresh form per dialog (stage, checkbox and comment never leak from the previous one).
  return <StageForm key={`${d.storeId}\u0000${d.name}\u0000${d.version}\u0000${d.to}`} d={d} />;
}

function StageForm({ d }: { d: StageDialogState }) {
  const model = useRegistry((s) => s.models.find((m) => m.storeId === d.storeId && m.name === d.name));
  const review = useRegistry((s) => (s.reviewKey === modelKey(d.storeId, d.name) ? s.review : null));
  const [stage, setStage] = useState<Stage>(d.to);
  const [archive, setArchive] = useState(false);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => useRegistry.setState({ stageDialog: null });
  const to = d.mode === 'request' ? stage : d.to;
  const others = (model?.versions ?? []).filter((v) => v.version !== d.version && canonicalStage(v.currentStage) === to);
  const requests = review?.versions.find((v) => v.version === d.version)?.requests ?? [];
  const blocked = d.mode === 'transition' && needsApproval(review?.policy.productionRequiresApproval ?? false, to, requests);
  const archivable = canArchiveExisting(to);

  const submit = async () => {
    setBusy(true);
    setError(null);
    const text = comment.trim() || null;
    const fn = d.mode === 'request' ? requestTransition : transition;
    const out = await fn(d.storeId, d.name, d.version, to, archivable && archive, text);
    setBusy(false);
    if (out.ok) close();
    else setError(out.message);
  };

  return (
    <Modal
      title={d.mode === 'request' ? `Request a transition of ${d.name} v${d.version}` : `Move ${d.name} v${d.version} to ${to}`}
      onClose={close}
      testId="stage-dialog"
    >
      <form
        className="reg-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="reg-stage-move">
          <StageBadge stage={d.from} />
          <span className="reg-arrow" aria-hidden="true">
            →
          </span>
          {d.mode === 'request' ? (
            <select className="input small reg-select" autoFocus value={stage} onChange={(e) => setStage(e.target.value as Stage)} aria-label="Target stage" data-testid="stage-dialog-stage">
              {STAGES.filter((s) => s !== canonicalStage(d.from)).map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          ) : (
            <StageBadge stage={to} />
          )}
        </div>
        {d.mode === 'request' ? <p className="muted small reg-lead">A reviewer approves the request (the version then moves) or rejects it with a comment. Requests and decisions are kept in the version's tags, so they travel with the store.</p> : null}
        {archivable ? (
          <label className="reg-check">
            <input type="checkbox" checked={archive} onChange={(e) => setArchive(e.target.checked)} data-testid="stage-dialog-archive" />
            <span>
              Archive existing {to} versions
              {others.length > 0 ? (
                <span className="muted"> ({others.map((v) => `v${v.version}`).join(', ')} → Archived)</span>
              ) : (
                <span className="muted"> (none at the moment)</span>
              )}
            </span>
          </label>
        ) : null}
        <label className="field-label" htmlFor="stage-dialog-comment">
          Comment <span className="muted">(optional, kept in the audit trail)</span>
        </label>
        <textarea id="stage-dialog-comment" className="input reg-textarea" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="stage-dialog-comment" />
        {blocked ? (
          <div className="banner warn" data-testid="stage-dialog-policy">
            This model's rule says Production needs an approved request.{' '}
            <button type="button" className="link-button" onClick={() => useRegistry.setState({ stageDialog: { ...d, mode: 'request' } })} data-testid="stage-dialog-switch-request">
              Request the transition instead
            </button>
          </div>
        ) : null}
        {error ? (
          <div className="banner error" role="alert" data-testid="stage-dialog-error">
            {error}
          </div>
        ) : null}
        <div className="reg-modal-actions">
          <button type="button" className="button" onClick={close} data-testid="stage-dialog-cancel">
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy || blocked} autoFocus={d.mode === 'transition'} data-testid="stage-dialog-confirm">
            {busy ? <span className="spinner" /> : null}
            {d.mode === 'request' ? 'Request transition' : `Move to ${to}`}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function RegisterDialog() {
  const d = useRegistry((s) => s.register);
  const models = useRegistry((s) => s.models);
  const names = useMemo(() => (d ? models.filter((m) => m.storeId === d.storeId && !m.isPrompt).map((m) => m.name).sort((a, b) => a.localeCompare(b)) : []), [models, d]);
  if (!d) return null;
  const close = () => useRegistry.setState({ register: null });
  const update = (patch: Partial<typeof d>) => useRegistry.setState({ register: { ...d, ...patch, error: null } });
  const name = d.modelName.trim();
  const exists = names.includes(name);
  return (
    <Modal title={`Register a model from run ${d.runName || d.runId}`} onClose={close} testId="register-dialog" wide>
      <form
        className="reg-form"
        onSubmit={(e) => {
          e.preventDefault();
          void confirmRegister();
        }}
      >
        <div className="field-label">{d.candidates.length > 1 ? 'This run has several models: which one?' : 'Model'}</div>
        <ul className="reg-candidates" role="radiogroup" aria-label="Model to register">
          {d.candidates.map((c, i) => (
            <li key={c.kind === 'logged-model' ? c.modelId : c.artifactPath}>
              <label className={`reg-candidate${i === d.chosen ? ' chosen' : ''}${c.registrable ? '' : ' disabled'}`} data-testid={`register-candidate-${i}`} data-name={c.name}>
                <input type="radio" name="candidate" checked={i === d.chosen} disabled={!c.registrable} onChange={() => update({ chosen: i })} />
                <span className="reg-candidate-body">
                  <span className="reg-candidate-name">
                    {c.name}
                    <span className="pill">{c.kind === 'logged-model' ? 'logged model' : 'MLmodel folder'}</span>
                    {c.kind === 'logged-model' && c.step !== null ? <span className="pill">step {c.step}</span> : null}
                  </span>
                  <span className="muted small mono">{c.source}</span>
                  {c.kind === 'logged-model' && c.creationTimestamp !== null ? <span className="muted small">logged {formatTime(c.creationTimestamp)}</span> : null}
                  {c.registeredAs.length > 0 ? (
                    <span className="muted small">already registered as {c.registeredAs.map((r) => `${r.name} v${r.version} (${r.stage})`).join(', ')}</span>
                  ) : null}
                  {c.reason ? <span className="error-text small">{c.reason}</span> : null}
                </span>
              </label>
            </li>
          ))}
        </ul>
        {d.askName ? (
          <>
            <label className="field-label" htmlFor="register-model-name">
              Registered model
            </label>
            <input
              id="register-model-name"
              className="input"
              list="register-model-names"
              value={d.modelName}
              onChange={(e) => update({ modelName: e.target.value })}
              placeholder="Existing model or a new name"
              autoFocus
              data-testid="register-model-name"
            />
            <datalist id="register-model-names">
              {names.map((n) => (
                <option key={n} value={n} />
              ))}
            </datalist>
            <div className="muted small reg-hint" data-testid="register-name-hint">
              {!name ? 'Pick an existing model or type a new name.' : exists ? `${name} exists: a new version will be added.` : `A new registered model "${name}" will be created.`}
            </div>
          </>
        ) : (
          <div className="reg-target">
            Adds a new version to <strong>{d.modelName}</strong>.
          </div>
        )}
        {d.error ? (
          <div className="banner error" role="alert" data-testid="register-error">
            {d.error}
          </div>
        ) : null}
        <div className="reg-modal-actions">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={d.busy} autoFocus={!d.askName} data-testid="register-confirm">
            {d.busy ? <span className="spinner" /> : null}
            Register
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function DeleteVersionDialog({ storeId, name, version, onClose }: { storeId: string; name: string; version: number; onClose: () => void }) {
  const model = useRegistry((s) => s.models.find((m) => m.storeId === storeId && m.name === name));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const v = model?.versions.find((x) => x.version === version);
  const aliases = v?.aliases ?? [];
  return (
    <Modal title={`Delete ${name} v${version}?`} onClose={onClose} testId="delete-dialog">
      <p className="reg-lead">
        Like MLflow, the version is marked deleted (<code>{DELETED_STAGE}</code>) and hidden; its number is never reused.
        {aliases.length > 0 ? ` Its aliases (${aliases.map((a) => `@${a}`).join(', ')}) are removed.` : ''} Undo brings it back in this session.
      </p>
      {error ? (
        <div className="banner error" role="alert" data-testid="delete-error">
          {error}
        </div>
      ) : null}
      <div className="reg-modal-actions">
        <button type="button" className="button" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          className="button danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            const out = await deleteVersion(storeId, name, version, null);
            setBusy(false);
            if (out.ok) {
              useRegistry.setState({ versionOpen: null });
              onClose();
            } else setError(out.message);
          }}
          data-testid="delete-confirm"
        >
          Delete version {version}
        </button>
      </div>
    </Modal>
  );
}
