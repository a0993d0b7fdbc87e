// The building blocks of the detail panel's Overview: a collapsible section, an empty note, and a
// key/value table whose long values fold (text from the store, rendered as text, never as HTML).
import { useMemo, useState, type ReactNode } from 'react';

export function Section({ title, count, children, open = true, testId }: { title: string; count?: number; children: ReactNode; open?: boolean; testId?: string }) {
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

export function Empty({ children }: { children: ReactNode }) {
  return <div className="muted small">{children}</div>;
}

export function KeyValueTable({ rows, filterable = false, testPrefix }: { rows: [string, string][]; filterable?: boolean; testPrefix: string }) {
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
