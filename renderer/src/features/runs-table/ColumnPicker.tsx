// Choose the visible columns: search across attributes, params, metrics and tags; checking a key
// appends it, unchecking hides it. The choice is remembered for the experiment selection.
import { useEffect, useMemo, useRef, useState } from 'react';
import { ATTRIBUTE_COLUMNS, columnKey, NAME_COLUMN, type ColumnKind } from '../../core/column-keys.ts';
import { updateCurrentScopeSettings } from '../../state/actions.ts';
import { useApp } from '../../state/store.ts';
import { selectColumns } from './columns.ts';

const GROUPS: { kind: ColumnKind; label: string }[] = [
  { kind: 'attribute', label: 'Attributes' },
  { kind: 'metric', label: 'Metrics' },
  { kind: 'param', label: 'Parameters' },
  { kind: 'tag', label: 'Tags' },
];

export function ColumnPicker({ onClose }: { onClose: () => void }) {
  const available = useApp((s) => s.columnsAvailable);
  const columns = useApp(selectColumns);
  const [search, setSearch] = useState('');
  const [showSystemTags, setShowSystemTags] = useState(false);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node) && !(e.target as HTMLElement).closest('[data-testid="column-picker-button"]')) onClose();
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [onClose]);

  const visible = useMemo(() => new Set(columns.map((c) => c.key)), [columns]);
  const q = search.trim().toLowerCase();
  const groups = GROUPS.map((g) => {
    let keys: { key: string; label: string }[];
    if (g.kind === 'attribute') keys = ATTRIBUTE_COLUMNS.map((c) => ({ key: `attributes.${c.key}`, label: c.label }));
    else {
      const list = g.kind === 'metric' ? available.metrics : g.kind === 'param' ? available.params : available.tags;
      keys = list
        .filter((k) => g.kind !== 'tag' || showSystemTags || q !== '' || !k.startsWith('mlflow.'))
        .map((k) => ({ key: columnKey({ kind: g.kind, key: k }), label: k }));
    }
    if (q) keys = keys.filter((k) => k.label.toLowerCase().includes(q) || k.key.toLowerCase().includes(q));
    return { ...g, keys };
  });

  const setColumns = (keys: string[]) => updateCurrentScopeSettings({ columns: keys });
  const current = columns.map((c) => c.key);
  const toggle = (key: string) => {
    if (key === NAME_COLUMN) return;
    setColumns(visible.has(key) ? current.filter((k) => k !== key) : [...current, key]);
  };
  const setGroup = (keys: string[], on: boolean) => {
    const set = new Set(keys);
    setColumns(on ? [...current, ...keys.filter((k) => !visible.has(k))] : current.filter((k) => k === NAME_COLUMN || !set.has(k)));
  };

  return (
    <div className="popover column-picker" ref={ref} role="dialog" aria-label="Columns" data-testid="column-picker">
      <div className="popover-head">
        <input
          className="input small"
          placeholder="Search columns"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          autoFocus
          data-testid="column-picker-search"
        />
      </div>
      <div className="popover-scroll">
        {groups.map((g) =>
          g.keys.length === 0 ? null : (
            <div key={g.kind} className="picker-group">
              <div className="picker-group-head">
                <span className="section-label">
                  {g.label} <span className="muted">{g.keys.length}</span>
                </span>
                {g.kind !== 'attribute' ? (
                  <span className="picker-group-actions">
                    <button type="button" className="link-button" onClick={() => setGroup(g.keys.map((k) => k.key), true)}>
                      all
                    </button>
                    <button type="button" className="link-button" onClick={() => setGroup(g.keys.map((k) => k.key), false)}>
                      none
                    </button>
                  </span>
                ) : null}
              </div>
              {g.keys.slice(0, 500).map((k) => (
                <label key={k.key} className={`picker-option${k.key === NAME_COLUMN ? ' disabled' : ''}`} title={k.key} data-testid={`column-option-${k.key}`}>
                  <input type="checkbox" checked={visible.has(k.key)} disabled={k.key === NAME_COLUMN} onChange={() => toggle(k.key)} />
                  <span className="picker-option-label">{k.label}</span>
                </label>
              ))}
              {g.keys.length > 500 ? <div className="muted small pad">{g.keys.length - 500} more: refine the search</div> : null}
            </div>
          ),
        )}
      </div>
      <div className="popover-foot">
        {available.tags.some((t) => t.startsWith('mlflow.')) ? (
          <label className="small">
            <input type="checkbox" checked={showSystemTags} onChange={(e) => setShowSystemTags(e.target.checked)} /> system tags
          </label>
        ) : null}
        <div className="topbar-spacer" />
        <button type="button" className="button small" onClick={() => updateCurrentScopeSettings({ columns: null })} data-testid="column-picker-reset">
          Reset
        </button>
      </div>
    </div>
  );
}
