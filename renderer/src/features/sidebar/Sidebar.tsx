// Stores of the project and their experiments. Click shows one experiment; Ctrl/Cmd-click or the
// checkbox adds experiments of the same store (the table then shows their runs together).
import { useMemo, useState } from 'react';
import type { ExperimentSummary, StoreInfo } from '../../../../preload/api.ts';
import { selectExperiment, setLifecycle } from '../../state/actions.ts';
import { useApp } from '../../state/store.ts';

export function Sidebar() {
  const stores = useApp((s) => s.stores);
  const experiments = useApp((s) => s.experiments);
  const lifecycle = useApp((s) => s.lifecycle);
  // A store is listed once it is read; until then "none found" would be wrong.
  const reading = useApp((s) => Object.keys(s.indexing).length > 0);
  const [search, setSearch] = useState('');
  const showDeleted = lifecycle === 'deleted';

  const byStore = useMemo(() => {
    const q = search.trim().toLowerCase();
    const map = new Map<string, ExperimentSummary[]>();
    for (const e of experiments) {
      // Deleted experiments only under the toggle; active ones always (their deleted runs live there).
      if (e.lifecycleStage === 'deleted' && !showDeleted) continue;
      if (q && !e.name.toLowerCase().includes(q) && !e.experimentId.includes(q)) continue;
      const list = map.get(e.storeId) ?? [];
      list.push(e);
      map.set(e.storeId, list);
    }
    return map;
  }, [experiments, showDeleted, search]);

  return (
    <nav className="sidebar" aria-label="Experiments">
      <div className="sidebar-head">
        <span className="section-label">Experiments</span>
        <button
          type="button"
          className={`toggle${showDeleted ? ' on' : ''}`}
          role="switch"
          aria-checked={showDeleted}
          onClick={() => setLifecycle(showDeleted ? 'active' : 'deleted')}
          title={showDeleted ? 'Showing deleted runs and experiments' : 'Show deleted runs and experiments'}
          data-testid="deleted-toggle"
        >
          <span className="toggle-track">
            <span className="toggle-thumb" />
          </span>
          Deleted
        </button>
      </div>
      <div className="sidebar-search">
        <input className="input small" placeholder="Search experiments" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="experiment-search" />
      </div>
      <div className="sidebar-scroll">
        {stores.map((store) => (
          <StoreSection key={store.id} store={store} experiments={byStore.get(store.id) ?? []} showDeleted={showDeleted} />
        ))}
        {stores.length > 0 ? null : reading ? (
          <p className="muted pad" data-testid="stores-reading">
            Reading the project's MLflow stores…
          </p>
        ) : (
          <p className="muted pad">No MLflow store found in this folder.</p>
        )}
      </div>
    </nav>
  );
}

function StoreSection({ store, experiments, showDeleted }: { store: StoreInfo; experiments: ExperimentSummary[]; showDeleted: boolean }) {
  const selectedStore = useApp((s) => s.storeId);
  const selectedIds = useApp((s) => s.experimentIds);
  const [open, setOpen] = useState(true);
  return (
    <section className="store" data-testid={`store-${store.kind}`}>
      <button type="button" className="store-head" onClick={() => setOpen(!open)} aria-expanded={open} title={store.path}>
        <span className={`disclosure${open ? ' open' : ''}`} aria-hidden="true" />
        <span className={`store-kind kind-${store.kind}`}>{store.kind === 'sqlite' ? 'SQLite' : 'File'}</span>
        <span className="store-path mono">{shortPath(store.path)}</span>
      </button>
      {open ? (
        <ul className="exp-list">
          {experiments.map((e) => {
            const selected = selectedStore === e.storeId && selectedIds.includes(e.experimentId);
            const count = showDeleted ? e.runCounts.deleted : e.runCounts.active;
            return (
              <li key={e.experimentId}>
                <div
                  role="option"
                  aria-selected={selected}
                  tabIndex={0}
                  className={`exp-item${selected ? ' selected' : ''}${e.lifecycleStage === 'deleted' ? ' deleted' : ''}`}
                  onClick={(ev) => selectExperiment(e, ev.ctrlKey || ev.metaKey)}
                  onKeyDown={(ev) => {
                    if (ev.key === 'Enter' || ev.key === ' ') {
                      ev.preventDefault();
                      selectExperiment(e, ev.ctrlKey || ev.metaKey);
                    }
                  }}
                  title={`${e.name}\nid ${e.experimentId}${e.lifecycleStage === 'deleted' ? '\n(deleted)' : ''}\nCtrl/Cmd-click to compare experiments`}
                  data-testid={`experiment-${e.experimentId}`}
                  data-selected={selected}
                >
                  <input
                    type="checkbox"
                    className="exp-check"
                    checked={selected}
                    onClick={(ev) => ev.stopPropagation()}
                    onChange={() => selectExperiment(e, true)}
                    aria-label={`Include ${e.name}`}
                    tabIndex={-1}
                  />
                  <span className="exp-name">{e.name}</span>
                  <span className="exp-count" data-testid={`experiment-count-${e.experimentId}`}>
                    {count}
                  </span>
                </div>
              </li>
            );
          })}
          {experiments.length === 0 ? <li className="muted pad small">No experiments</li> : null}
        </ul>
      ) : null}
    </section>
  );
}

function shortPath(p: string): string {
  const parts = p.split(/[\\/]/).filter(Boolean);
  return parts.length <= 2 ? p : `…/${parts.slice(-2).join('/')}`;
}
