// A registered model: its description, tags, aliases and approval rule, then its versions as a
// table or as a board with one column per stage (drag a card to another column to move it).
import { carriesVersion, droppedVersion, startVersionDrag } from '../../core/drag-data.ts';
import { formatRelative, formatTime, formatTimeExact } from '../../lib/format.ts';
import { AliasChip, EditableText, StageBadge, Switch, TagEditor, useWritable } from './controls.tsx';
import { useDropZone } from './drop-zone.ts';
import { closeModel, deleteTag, setDescription, setPolicy, setTag } from './registry-loader.ts';
import {
  aliasList,
  boardColumns,
  canonicalStage,
  isRunsightTag,
  liveVersionCount,
  modelKey,
  pendingRequests,
  policyOn,
  STAGES,
  visibleVersions,
  type ModelVersion,
  type RegistryModel,
  type Stage,
} from './registry-logic.ts';
import { useRegistry } from './registry-store.ts';
import { RunLink, VersionPanel } from './VersionPanel.tsx';

export function ModelPage({ model }: { model: RegistryModel }) {
  const tab = useRegistry((s) => s.modelTab);
  const showDeleted = useRegistry((s) => s.showDeleted);
  const versionOpen = useRegistry((s) => s.versionOpen);
  const store = useRegistry((s) => s.capabilities[model.storeId]);
  const w = useWritable(model.storeId);
  const versions = visibleVersions(model, showDeleted);
  const open = versionOpen !== null ? model.versions.find((v) => v.version === versionOpen) : undefined;
  const policy = policyOn(model);

  return (
    <div className="reg-model-page" data-testid="model-page" data-model={model.name}>
      <div className="reg-model-main">
        <div className="reg-model-head">
          <button type="button" className="link-button small" onClick={closeModel} data-testid="model-back">
            ← All models
          </button>
          <div className="reg-model-title">
            <h1 data-testid="model-title">{model.name}</h1>
            {model.isPrompt ? <span className="pill">prompt</span> : null}
            <span className={`store-kind kind-${store?.kind ?? 'file'}`}>{store?.kind ?? ''}</span>
            <span className="muted small">
              {liveVersionCount(model)} version{liveVersionCount(model) === 1 ? '' : 's'}
              {model.lastUpdatedTimestamp !== null ? ` · updated ${formatRelative(model.lastUpdatedTimestamp, Date.now())}` : ''}
            </span>
          </div>
          {!w.canWrite && w.reason ? (
            <div className="banner warn" data-testid="registry-readonly">
              Read-only: {w.reason}
            </div>
          ) : null}
          <div className="reg-model-grid">
            <div>
              <h3 className="section-label">Description</h3>
              <EditableText
                key={model.description ?? ''}
                storeId={model.storeId}
                value={model.description}
                placeholder="No description"
                onSave={(text) => setDescription(model.storeId, model.name, null, text)}
                testId="model-description"
              />
              <h3 className="section-label reg-gap">Aliases</h3>
              <div className="reg-alias-row" data-testid="model-aliases">
                {aliasList(model).length === 0 ? <span className="muted small">No aliases. Set them on a version.</span> : null}
                {aliasList(model).map(([a, v]) => (
                  <AliasChip key={a} alias={a} version={v} />
                ))}
              </div>
            </div>
            <div>
              <h3 className="section-label">Tags</h3>
              <TagEditor
                storeId={model.storeId}
                tags={model.tags}
                onSet={(k, v) => setTag(model.storeId, model.name, null, k, v)}
                onDelete={(k) => deleteTag(model.storeId, model.name, null, k)}
                testId="model-tags"
              />
              <h3 className="section-label reg-gap">Review rule</h3>
              <span className="reg-gate" title={w.reason ?? undefined}>
                <Switch
                  on={policy}
                  onChange={(on) => void setPolicy(model.storeId, model.name, on)}
                  label="Production needs an approved request"
                  testId="policy-toggle"
                  disabled={!w.canWrite}
                />
              </span>
              <div className="muted small reg-hint">
                {policy ? 'A version reaches Production only through an approved transition request.' : 'Anyone can move a version to Production directly.'}
                {' '}Stored as a model tag, so the rule travels with the store.
              </div>
            </div>
          </div>
        </div>
        <div className="reg-tabs-row">
          <div className="tabs" role="tablist">
            <button type="button" role="tab" aria-selected={tab === 'versions'} className={`tab${tab === 'versions' ? ' active' : ''}`} onClick={() => useRegistry.setState({ modelTab: 'versions' })} data-testid="model-tab-versions">
              Versions <span className="count-badge subtle">{versions.length}</span>
            </button>
            <button type="button" role="tab" aria-selected={tab === 'board'} className={`tab${tab === 'board' ? ' active' : ''}`} onClick={() => useRegistry.setState({ modelTab: 'board' })} data-testid="model-tab-board">
              Board
            </button>
          </div>
        </div>
        <div className="reg-model-content">{tab === 'versions' ? <VersionsTable model={model} versions={versions} /> : <Board model={model} />}</div>
      </div>
      {open ? <VersionPanel key={open.version} model={model} version={open} /> : null}
    </div>
  );
}

function usePendingByVersion(model: RegistryModel): Map<number, number> {
  const review = useRegistry((s) => (s.reviewKey === modelKey(model.storeId, model.name) ? s.review : null));
  const out = new Map<number, number>();
  for (const v of review?.versions ?? []) {
    const n = pendingRequests(v.requests).length;
    if (n > 0) out.set(v.version, n);
  }
  return out;
}

function VersionsTable({ model, versions }: { model: RegistryModel; versions: ModelVersion[] }) {
  const versionOpen = useRegistry((s) => s.versionOpen);
  const pending = usePendingByVersion(model);
  const now = Date.now();
  if (versions.length === 0) {
    return (
      <div className="empty-state" data-testid="versions-empty">
        <div className="empty-icon">∅</div>
        <div>No versions yet. Drag a run from the runs table onto this model in the Registry dock.</div>
      </div>
    );
  }
  return (
    <table className="reg-table" data-testid="versions-table">
      <thead>
        <tr>
          <th>Version</th>
          <th>Stage</th>
          <th>Aliases</th>
          <th>Source run</th>
          <th>Created</th>
          <th>Status</th>
          <th>Description</th>
          <th>Tags</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => {
          const tags = Object.entries(v.tags).filter(([k]) => !isRunsightTag(k));
          return (
            <tr
              key={v.version}
              className={`reg-row${versionOpen === v.version ? ' selected' : ''}${canonicalStage(v.currentStage) === 'Deleted_Internal' ? ' deleted' : ''}`}
              onClick={() => useRegistry.setState({ versionOpen: v.version })}
              tabIndex={0}
              onKeyDown={(e) => {
                if (e.key === 'Enter') useRegistry.setState({ versionOpen: v.version });
              }}
              data-testid={`version-row-${v.version}`}
              data-stage={canonicalStage(v.currentStage)}
              data-aliases={[...v.aliases].sort().join(',')}
            >
              <td className="reg-vnum">
                v{v.version}
                {pending.has(v.version) ? (
                  <span className="reg-pending-dot" title={`${pending.get(v.version)} pending request(s)`} data-testid={`version-pending-${v.version}`}>
                    ●
                  </span>
                ) : null}
              </td>
              <td>
                <StageBadge stage={v.currentStage} testId={`version-stage-${v.version}`} />
              </td>
              <td>
                <span className="reg-alias-row">
                  {[...v.aliases].sort().map((a) => (
                    <AliasChip key={a} alias={a} />
                  ))}
                </span>
              </td>
              <td>
                <RunLink storeId={model.storeId} runId={v.runId} testId={`version-run-${v.version}`} />
              </td>
              <td className="nowrap" title={v.creationTimestamp !== null ? formatTimeExact(v.creationTimestamp) : ''}>
                {v.creationTimestamp !== null ? formatRelative(v.creationTimestamp, now) : '—'}
              </td>
              <td className="muted">{v.status ?? '—'}</td>
              <td className="reg-desc-cell" title={v.description ?? ''}>
                {v.description ?? <span className="nil">—</span>}
              </td>
              <td className="reg-tags-cell">
                {tags.map(([k, val]) => (
                  <span key={k} className="reg-tag" title={`${k} = ${val}`}>
                    {k}
                    {val ? <span className="muted">={val}</span> : null}
                  </span>
                ))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Board({ model }: { model: RegistryModel }) {
  const cols = boardColumns(model);
  const pending = usePendingByVersion(model);
  const w = useWritable(model.storeId);
  return (
    <div className="reg-board" data-testid="board">
      {STAGES.map((stage) => (
        <BoardColumn key={stage} model={model} stage={stage} versions={cols[stage]} pending={pending} canWrite={w.canWrite} reason={w.reason} />
      ))}
    </div>
  );
}

function BoardColumn({
  model,
  stage,
  versions,
  pending,
  canWrite,
  reason,
}: {
  model: RegistryModel;
  stage: Stage;
  versions: ModelVersion[];
  pending: Map<number, number>;
  canWrite: boolean;
  reason: string | null;
}) {
  const zone = useDropZone(
    (e) => canWrite && carriesVersion(e),
    (e) => {
      const d = droppedVersion(e);
      if (!d) return;
      e.preventDefault();
      if (d.storeId !== model.storeId || d.name !== model.name || canonicalStage(d.stage) === stage) return;
      useRegistry.setState({ stageDialog: { storeId: d.storeId, name: d.name, version: d.version, from: d.stage, to: stage, mode: 'transition' } });
    },
    'move',
  );
  return (
    <section
      className={`reg-column stage-col-${stage.toLowerCase()}${zone.over ? ' drop-over' : ''}`}
      {...zone.props}
      data-testid={`board-column-${stage}`}
      data-drop-over={zone.over}
      aria-label={`${stage} versions`}
    >
      <header className="reg-column-head">
        <StageBadge stage={stage} />
        <span className="count-badge">{versions.length}</span>
      </header>
      <div className="reg-column-body">
        {versions.map((v) => (
          <VersionCard key={v.version} model={model} v={v} pending={pending.get(v.version) ?? 0} canWrite={canWrite} reason={reason} />
        ))}
        {versions.length === 0 ? <div className="reg-column-empty">Drop a version here</div> : null}
      </div>
    </section>
  );
}

function VersionCard({ model, v, pending, canWrite, reason }: { model: RegistryModel; v: ModelVersion; pending: number; canWrite: boolean; reason: string | null }) {
  const selected = useRegistry((s) => s.versionOpen === v.version);
  const stage = canonicalStage(v.currentStage);
  return (
    <article
      className={`reg-card${selected ? ' selected' : ''}`}
      draggable={canWrite}
      onDragStart={(e) => startVersionDrag(e, { storeId: model.storeId, name: model.name, version: v.version, stage })}
      onClick={() => useRegistry.setState({ versionOpen: v.version })}
      onKeyDown={(e) => {
        if (e.key === 'Enter') useRegistry.setState({ versionOpen: v.version });
      }}
      tabIndex={0}
      title={canWrite ? 'Drag to another column to change its stage; click for details' : (reason ?? undefined)}
      data-testid={`version-card-${v.version}`}
      data-stage={stage}
    >
      <div className="reg-card-head">
        <span className="reg-card-version">v{v.version}</span>
        {[...v.aliases].sort().map((a) => (
          <AliasChip key={a} alias={a} />
        ))}
        {pending > 0 ? (
          <span className="reg-pending-pill" title="Pending review request">
            {pending} pending
          </span>
        ) : null}
      </div>
      <div className="reg-card-run">
        <RunLink storeId={model.storeId} runId={v.runId} />
      </div>
      <div className="muted small" title={v.creationTimestamp !== null ? formatTimeExact(v.creationTimestamp) : ''}>
        {v.creationTimestamp !== null ? formatTime(v.creationTimestamp) : ''}
      </div>
      {v.description ? <div className="reg-card-desc">{v.description}</div> : null}
    </article>
  );
}
