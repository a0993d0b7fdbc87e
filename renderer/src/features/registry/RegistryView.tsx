// The registry in the main area: the registered models of the open project's stores (latest
// version per stage, aliases, tags), or one model's page. The header carries Undo (also Ctrl/Cmd+Z
// here), the view toggles and who the audit trail will name.
import { useEffect, useRef, useState } from 'react';
import { formatRelative } from '../../lib/format.ts';
import { AliasChip, StageDot, Switch } from './controls.tsx';
import { ModelPage } from './ModelPage.tsx';
import { openModel, saveUserName, undoLast } from './registry-loader.ts';
import { aliasList, isRunsightTag, latestPerStage, liveVersionCount, STAGES, undoStoreId, visibleModels, type RegistryModel } from './registry-logic.ts';
import { useRegistry } from './registry-store.ts';

export function RegistryView() {
  const selected = useRegistry((s) => s.selected);
  const model = useRegistry((s) => (s.selected ? s.models.find((m) => m.storeId === s.selected?.storeId && m.name === s.selected.name) : undefined));
  const loaded = useRegistry((s) => s.loaded);

  // Ctrl/Cmd+Z undoes the last registry action while this view is shown (not inside a text field,
  // where it undoes typing).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.shiftKey || e.altKey || e.key.toLowerCase() !== 'z') return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      if (document.querySelector('[role="dialog"]')) return;
      e.preventDefault();
      void undoLast(undoStoreId(useRegistry.getState()));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="reg-view" data-testid="registry-view" data-loaded={loaded}>
      <RegistryHeader />
      {selected && model ? (
        <ModelPage model={model} />
      ) : selected && loaded ? (
        <div className="empty-state" data-testid="model-missing">
          <div className="empty-icon">∅</div>
          <div>
            {selected.name} is no longer in the registry.{' '}
            <button type="button" className="link-button" onClick={() => useRegistry.setState({ selected: null })}>
              All models
            </button>
          </div>
        </div>
      ) : (
        <ModelList />
      )}
    </div>
  );
}

function RegistryHeader() {
  const selected = useRegistry((s) => s.selected);
  const search = useRegistry((s) => s.search);
  const showPrompts = useRegistry((s) => s.showPrompts);
  const showDeleted = useRegistry((s) => s.showDeleted);
  const undoStore = useRegistry(undoStoreId);
  const undo = useRegistry((s) => (undoStore ? s.capabilities[undoStore]?.undo : null));
  const busy = useRegistry((s) => s.busy);
  return (
    <div className="reg-header">
      <h1 className="reg-h1">
        <button type="button" className="reg-crumb" onClick={() => useRegistry.setState({ selected: null, versionOpen: null })} disabled={!selected}>
          Model registry
        </button>
        {selected ? (
          <>
            <span className="reg-crumb-sep">/</span>
            <span className="reg-crumb-current">{selected.name}</span>
          </>
        ) : null}
      </h1>
      {!selected ? (
        <input className="input small reg-search" placeholder="Search models" value={search} onChange={(e) => useRegistry.setState({ search: e.target.value })} aria-label="Search models" data-testid="registry-search" />
      ) : null}
      <div className="topbar-spacer" />
      {!selected ? <Switch on={showPrompts} onChange={(on) => useRegistry.setState({ showPrompts: on })} label="Prompts" testId="registry-show-prompts" title="Show prompts (MLflow hides them from model lists)" /> : null}
      <Switch on={showDeleted} onChange={(on) => useRegistry.setState({ showDeleted: on })} label="Deleted versions" testId="registry-show-deleted" title="Show versions deleted the MLflow way (Deleted_Internal)" />
      <button
        type="button"
        className="button"
        onClick={() => void undoLast(undoStore)}
        disabled={!undo || busy}
        title={undo ? `Undo: ${undo.summary} (Ctrl/Cmd+Z)` : 'Nothing to undo'}
        data-testid="registry-undo"
        data-undo={undo?.summary ?? ''}
      >
        <span aria-hidden="true" className="button-icon">
          ↶
        </span>
        Undo
      </button>
      <UserName />
    </div>
  );
}

/** Who the audit trail names: the OS account unless changed here (stored in the app settings). */
export function UserName() {
  const userName = useRegistry((s) => s.userName);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', onDown);
    return () => window.removeEventListener('mousedown', onDown);
  }, [open]);
  return (
    <div className="reg-user" ref={box}>
      <button
        type="button"
        className="button"
        onClick={() => {
          setText(userName ?? '');
          setError(null);
          setOpen(!open);
        }}
        title="Who the audit trail names for your actions"
        aria-expanded={open}
        data-testid="registry-user"
      >
        <span className="reg-avatar" aria-hidden="true">
          {(userName ?? '?').slice(0, 1).toUpperCase()}
        </span>
        <span data-testid="registry-user-name">{userName ?? '…'}</span>
      </button>
      {open ? (
        <form
          className="popover reg-user-popover"
          onSubmit={async (e) => {
            e.preventDefault();
            const err = await saveUserName(text);
            if (err) setError(err);
            else setOpen(false);
          }}
          data-testid="user-settings"
        >
          <div className="popover-head">
            <label className="field-label" htmlFor="user-name-input">
              Your name in the audit trail
            </label>
            <input id="user-name-input" className="input small" value={text} onChange={(e) => setText(e.target.value)} autoFocus data-testid="user-name-input" />
            <div className="muted small reg-hint">Saved in the app settings. Leave empty to use your OS account name.</div>
            {error ? <div className="banner error">{error}</div> : null}
          </div>
          <div className="popover-foot">
            <div className="topbar-spacer" />
            <button type="button" className="button small" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="button small primary" data-testid="user-name-save">
              Save
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

function ModelList() {
  const models = useRegistry((s) => s.models);
  const loaded = useRegistry((s) => s.loaded);
  const loadError = useRegistry((s) => s.loadError);
  const showPrompts = useRegistry((s) => s.showPrompts);
  const search = useRegistry((s) => s.search);
  const capabilities = useRegistry((s) => s.capabilities);
  // Stores as the registry reports them (every store of the project, writable or not).
  const stores = Object.values(capabilities).map((c) => ({ id: c.storeId, kind: c.kind, path: c.storeId }));
  for (const m of models) if (!stores.some((s) => s.id === m.storeId)) stores.push({ id: m.storeId, kind: 'file', path: m.storeId });
  const shown = visibleModels(models, { showPrompts, search });
  const hiddenPrompts = showPrompts ? 0 : models.filter((m) => m.isPrompt).length;
  const now = Date.now();

  if (loadError) {
    return (
      <div className="pad">
        <div className="banner error" role="alert" data-testid="registry-error">
          {loadError}
        </div>
      </div>
    );
  }
  if (!loaded) {
    return (
      <div className="pad">
        {[220, 300, 260].map((w, i) => (
          <div key={i} className="skeleton block" style={{ width: w }} />
        ))}
      </div>
    );
  }

  return (
    <div className="reg-list-scroll">
      {stores.map((store) => {
        const list = shown.filter((m) => m.storeId === store.id);
        const cap = capabilities[store.id];
        return (
          <section key={store.id} className="reg-store" data-testid={`registry-store-${store.kind}`}>
            {stores.length > 1 || (cap && !cap.canWrite) ? (
              <header className="reg-store-head">
                <span className={`store-kind kind-${store.kind}`}>{store.kind}</span>
                <span className="mono muted small store-path">{store.path}</span>
                {cap && !cap.canWrite ? (
                  <span className="pill warn" title={cap.reason ?? ''} data-testid="registry-readonly">
                    read-only
                  </span>
                ) : null}
              </header>
            ) : null}
            {list.length === 0 ? (
              <div className="empty-state" data-testid="models-empty">
                <div className="empty-icon">⬡</div>
                <div>{search ? 'No model matches.' : 'No registered models yet.'}</div>
                {!search ? <div className="small">Drag a run from the runs table onto “New model…” in the Registry dock, or use “Register model…” in a run's details.</div> : null}
              </div>
            ) : (
              <table className="reg-table reg-models" data-testid="models-table">
                <thead>
                  <tr>
                    <th>Model</th>
                    {STAGES.map((s) => (
                      <th key={s} className="reg-latest-head">
                        {s}
                      </th>
                    ))}
                    <th>Aliases</th>
                    <th>Tags</th>
                    <th>Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((m) => (
                    <ModelRow key={m.name} m={m} now={now} />
                  ))}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
      {hiddenPrompts > 0 ? (
        <div className="muted small reg-foot">
          {hiddenPrompts} prompt{hiddenPrompts === 1 ? '' : 's'} hidden (as in MLflow).{' '}
          <button type="button" className="link-button" onClick={() => useRegistry.setState({ showPrompts: true })}>
            Show
          </button>
        </div>
      ) : null}
    </div>
  );
}

function ModelRow({ m, now }: { m: RegistryModel; now: number }) {
  const latest = latestPerStage(m);
  const tags = Object.entries(m.tags).filter(([k]) => !isRunsightTag(k));
  const count = liveVersionCount(m);
  return (
    <tr className="reg-row" tabIndex={0} onClick={() => openModel(m.storeId, m.name)} onKeyDown={(e) => e.key === 'Enter' && openModel(m.storeId, m.name)} data-testid={`model-row-${m.name}`}>
      <td className="reg-model-cell">
        <div className="reg-model-name">
          <span className="reg-model-icon" aria-hidden="true">
            ⬡
          </span>
          {m.name}
          {m.isPrompt ? <span className="pill">prompt</span> : null}
          <span className="count-badge" title={`${count} live version(s)`}>
            {count}
          </span>
        </div>
        {m.description ? <div className="muted small reg-model-desc">{m.description}</div> : null}
      </td>
      {STAGES.map((s) => (
        <td key={s} className="reg-latest" data-testid={`model-latest-${m.name}-${s}`} data-version={latest[s] ?? ''}>
          {latest[s] !== undefined ? (
            <span className="reg-latest-chip">
              <StageDot stage={s} />v{latest[s]}
            </span>
          ) : (
            <span className="nil">—</span>
          )}
        </td>
      ))}
      <td>
        <span className="reg-alias-row">
          {aliasList(m).map(([a, v]) => (
            <AliasChip key={a} alias={a} version={v} />
          ))}
        </span>
      </td>
      <td className="reg-tags-cell">
        {tags.map(([k, v]) => (
          <span key={k} className="reg-tag" title={`${k} = ${v}`}>
            {k}
            {v ? <span className="muted">={v}</span> : null}
          </span>
        ))}
      </td>
      <td className="muted nowrap">{m.lastUpdatedTimestamp !== null ? formatRelative(m.lastUpdatedTimestamp, now) : '—'}</td>
    </tr>
  );
}
