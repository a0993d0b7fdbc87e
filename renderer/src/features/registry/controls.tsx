// Small building blocks of the registry views: stage badges, alias chips, the write gate (disabled
// with the store's reason when it cannot be written), an inline description editor, a tag editor
// and a modal frame.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { canonicalStage, isRunsightTag } from './registry-logic.ts';
import { useRegistry } from './registry-store.ts';

export function StageBadge({ stage, testId }: { stage: string; testId?: string }) {
  const s = canonicalStage(stage);
  const label = s === 'Deleted_Internal' ? 'Deleted' : s;
  return (
    <span className={`reg-stage stage-${s.toLowerCase()}`} data-stage={s} data-testid={testId}>
      {label}
    </span>
  );
}

/** A stage as a coloured dot (compact lists: latest version per stage, the dock). */
export function StageDot({ stage }: { stage: string }) {
  const s = canonicalStage(stage);
  return <span className={`reg-dot stage-${s.toLowerCase()}`} title={s} aria-label={s} />;
}

export function AliasChip({ alias, version, onRemove, disabled, reason }: { alias: string; version?: number; onRemove?: () => void; disabled?: boolean; reason?: string | null }) {
  return (
    <span className="reg-alias" data-testid={`alias-chip-${alias}`} data-version={version}>
      <span className="reg-alias-at">@</span>
      {alias}
      {version !== undefined ? <span className="reg-alias-version">v{version}</span> : null}
      {onRemove ? (
        <button
          type="button"
          className="reg-alias-remove"
          onClick={(e) => {
            e.stopPropagation();
            onRemove();
          }}
          disabled={disabled}
          title={disabled ? (reason ?? undefined) : `Remove alias @${alias}`}
          aria-label={`Remove alias ${alias}`}
          data-testid={`alias-remove-${alias}`}
        >
          ×
        </button>
      ) : null}
    </span>
  );
}

/** Whether registry writes to this store can be saved, and why not. */
export function useWritable(storeId: string | null | undefined, locked: string | null = null): { canWrite: boolean; reason: string | null } {
  const cap = useRegistry((s) => (storeId ? s.capabilities[storeId] : undefined));
  const busy = useRegistry((s) => s.busy);
  if (locked) return { canWrite: false, reason: locked };
  if (!cap) return { canWrite: !busy, reason: null };
  return { canWrite: cap.canWrite && !busy, reason: cap.canWrite ? null : cap.reason };
}

/**
 * A write action's button. A disabled button gets no hover events (so no tooltip): the reason
 * sits on a wrapper.
 */
export function WriteButton({
  storeId,
  onClick,
  children,
  className = 'button',
  testId,
  title,
  disabled = false,
  locked = null,
}: {
  storeId: string;
  onClick: () => void;
  children: ReactNode;
  className?: string;
  testId?: string;
  title?: string;
  disabled?: boolean;
  locked?: string | null;
}) {
  const w = useWritable(storeId, locked);
  const off = !w.canWrite || disabled;
  return (
    <span className="reg-gate" title={!w.canWrite && w.reason ? w.reason : title}>
      <button type="button" className={className} onClick={onClick} disabled={off} data-testid={testId} data-readonly={w.reason ? 'true' : undefined}>
        {children}
      </button>
    </span>
  );
}

export function EditableText({
  storeId,
  value,
  placeholder,
  onSave,
  testId,
  locked = null,
}: {
  storeId: string;
  value: string | null;
  placeholder: string;
  onSave: (text: string | null) => Promise<boolean>;
  testId: string;
  /** Why this cannot be edited even where the store can be written. */
  locked?: string | null;
}) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(value ?? '');
  const w = useWritable(storeId, locked);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (editing) area.current?.focus();
  }, [editing]);
  if (editing) {
    const save = async () => {
      const next = text.trim() === '' ? null : text;
      if (next === (value ?? null)) setEditing(false);
      else if (await onSave(next)) setEditing(false);
    };
    return (
      <div className="reg-edit" data-testid={testId}>
        <textarea
          ref={area}
          className="input reg-textarea"
          value={text}
          rows={3}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setEditing(false);
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void save();
          }}
          data-testid={`${testId}-input`}
        />
        <div className="reg-edit-actions">
          <button type="button" className="button primary small" onClick={() => void save()} disabled={!w.canWrite} data-testid={`${testId}-save`}>
            Save
          </button>
          <button type="button" className="button small" onClick={() => setEditing(false)}>
            Cancel
          </button>
          <span className="muted small">Ctrl+Enter saves · Esc cancels</span>
        </div>
      </div>
    );
  }
  return (
    <div className="reg-text" data-testid={testId}>
      <span className={value ? 'reg-text-value' : 'muted'} data-testid={`${testId}-text`}>
        {value || placeholder}
      </span>
      <WriteButton
        storeId={storeId}
        locked={locked}
        className="link-button small reg-edit-link"
        onClick={() => {
          setText(value ?? '');
          setEditing(true);
        }}
        testId={`${testId}-edit`}
      >
        Edit
      </WriteButton>
    </div>
  );
}

/** Tags as key = value rows; Runsight's own `runsight.*` tags are shown by their own UI instead. */
export function TagEditor({
  storeId,
  tags,
  onSet,
  onDelete,
  testId,
  locked = null,
}: {
  storeId: string;
  tags: Record<string, string>;
  onSet: (key: string, value: string) => Promise<boolean>;
  onDelete: (key: string) => Promise<boolean>;
  testId: string;
  locked?: string | null;
}) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const w = useWritable(storeId, locked);
  const rows = Object.entries(tags)
    .filter(([k]) => !isRunsightTag(k))
    .sort(([a], [b]) => a.localeCompare(b));
  const add = async () => {
    if (!key.trim()) return;
    if (await onSet(key.trim(), value)) {
      setKey('');
      setValue('');
    }
  };
  return (
    <div className="reg-tags" data-testid={testId}>
      {rows.length === 0 ? <div className="muted small">No tags</div> : null}
      {rows.length > 0 ? (
        <table className="kv reg-tag-table">
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k} data-testid={`${testId}-tag-${k}`}>
                <th title={k}>{k}</th>
                <td>
                  <span className="kv-value pre">{v === '' ? <span className="nil">""</span> : v}</span>
                </td>
                <td className="reg-tag-x">
                  <button
                    type="button"
                    className="icon-button small"
                    onClick={() => void onDelete(k)}
                    disabled={!w.canWrite}
                    title={w.reason ?? `Remove tag ${k}`}
                    aria-label={`Remove tag ${k}`}
                    data-testid={`${testId}-remove-${k}`}
                  >
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form
        className="reg-tag-add"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
        title={w.reason ?? undefined}
      >
        <input className="input small" placeholder="key" value={key} onChange={(e) => setKey(e.target.value)} disabled={!w.canWrite} aria-label="Tag key" data-testid={`${testId}-key`} />
        <input className="input small" placeholder="value" value={value} onChange={(e) => setValue(e.target.value)} disabled={!w.canWrite} aria-label="Tag value" data-testid={`${testId}-value`} />
        <button type="submit" className="button small" disabled={!w.canWrite || !key.trim()} data-testid={`${testId}-add`}>
          Set tag
        </button>
      </form>
    </div>
  );
}

export function Modal({ title, children, onClose, testId, wide = false }: { title: ReactNode; children: ReactNode; onClose: () => void; testId: string; wide?: boolean }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal reg-modal${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-label={typeof title === 'string' ? title : undefined} data-testid={testId}>
        <div className="reg-modal-head">
          <h2>{title}</h2>
          <button type="button" className="icon-button" onClick={onClose} aria-label="Close">
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

export function Switch({ on, onChange, label, testId, disabled, title }: { on: boolean; onChange: (on: boolean) => void; label: string; testId: string; disabled?: boolean; title?: string }) {
  return (
    <button type="button" role="switch" aria-checked={on} className={`reg-switch${on ? ' on' : ''}`} onClick={() => onChange(!on)} disabled={disabled} title={title} data-testid={testId}>
      <span className="reg-switch-track" aria-hidden="true">
        <span className="reg-switch-thumb" />
      </span>
      {label}
    </button>
  );
}
