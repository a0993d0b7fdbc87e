// Small form controls shared by the compare views and the runs table's toolbar. Native selects on
// purpose: keyboard, screen readers and tests (selectOption) work with them out of the box, with
// any number of columns.
import type { ReactNode } from 'react';

/** A column to choose (core/column-data.ts builds these as ColumnChoice), listed under its kind. */
export interface ColumnOption {
  key: string;
  label: string;
  kind: 'metric' | 'param' | 'attribute' | 'tag';
}

const GROUPS: [ColumnOption['kind'], string][] = [
  ['metric', 'Metrics'],
  ['param', 'Parameters'],
  ['attribute', 'Attributes'],
  ['tag', 'Tags'],
];

export function ColumnSelect(props: {
  label: string;
  value: string | null;
  choices: ColumnOption[];
  onChange: (key: string | null) => void;
  /** Text of the "nothing" option; absent: a column must be chosen. */
  none?: string;
  testId: string;
  kinds?: ColumnOption['kind'][];
}) {
  const { label, value, choices, onChange, none, testId, kinds } = props;
  const shown = kinds ? choices.filter((c) => kinds.includes(c.kind)) : choices;
  const known = value === null || shown.some((c) => c.key === value);
  return (
    <label className="cmp-field">
      <span className="cmp-field-label">{label}</span>
      <select className="cmp-select" value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)} data-testid={testId}>
        {none !== undefined || value === null ? <option value="">{none ?? 'Choose…'}</option> : null}
        {!known && value !== null ? <option value={value}>{value}</option> : null}
        {GROUPS.map(([kind, title]) => {
          const opts = shown.filter((c) => c.kind === kind);
          if (opts.length === 0) return null;
          return (
            <optgroup key={kind} label={title}>
              {opts.map((c) => (
                <option key={c.key} value={c.key}>
                  {c.label}
                </option>
              ))}
            </optgroup>
          );
        })}
      </select>
    </label>
  );
}

export function Segmented<T extends string>(props: { label?: string; value: T; options: { id: T; label: ReactNode; title?: string }[]; onChange: (v: T) => void; testId: string }) {
  const { label, value, options, onChange, testId } = props;
  return (
    <div className="cmp-field">
      {label ? <span className="cmp-field-label">{label}</span> : null}
      <div className="segmented" role="group" aria-label={label} data-testid={testId} data-value={value}>
        {options.map((o) => (
          <button
            key={o.id}
            type="button"
            className={`segment${o.id === value ? ' on' : ''}`}
            aria-pressed={o.id === value}
            title={o.title}
            onClick={() => onChange(o.id)}
            data-testid={`${testId}-${o.id}`}
          >
            {o.label}
          </button>
        ))}
      </div>
    </div>
  );
}

export function CheckToggle(props: { label: string; checked: boolean; onChange: (v: boolean) => void; testId: string; title?: string; disabled?: boolean }) {
  return (
    <label className={`cmp-check${props.disabled ? ' disabled' : ''}`} title={props.title}>
      <input type="checkbox" checked={props.checked} disabled={props.disabled} onChange={(e) => props.onChange(e.target.checked)} data-testid={props.testId} />
      {props.label}
    </label>
  );
}

export function EmptyChart({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="cmp-empty" data-testid={testId}>
      {children}
    </div>
  );
}
