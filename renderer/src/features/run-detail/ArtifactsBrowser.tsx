// Browse a run's artifacts and preview one. Listing is lazy (one folder per listArtifacts call).
// Previews never execute anything: images as data: URLs, text in <pre>, HTML only inside an
// iframe with an empty sandbox (no scripts, no same-origin, no forms, no navigation).
import { useEffect, useState } from 'react';
import type { ArtifactContent, ArtifactEntry, ArtifactLocation } from '../../../../preload/api.ts';
import { parseCsv } from '../../lib/csv.ts';
import { formatBytes } from '../../lib/format.ts';
import { listArtifacts, readArtifact } from './artifacts-loader.ts';

interface Props {
  storeId: string;
  runId: string;
  location: ArtifactLocation;
  /** Bumped when the run changed: listings are fetched again (in place). */
  version: number;
  initialPath: string | null;
}

type Listing = { entries: ArtifactEntry[]; error: string | null } | undefined;

export function ArtifactsBrowser({ storeId, runId, location, version, initialPath }: Props) {
  const [listings, setListings] = useState<Record<string, Listing>>({});
  const [open, setOpen] = useState<Set<string>>(() => new Set(initialPath ? ancestors(initialPath) : []));
  const [selected, setSelected] = useState<string | null>(initialPath);

  const load = (dir: string) => {
    listArtifacts(storeId, runId, dir)
      .then((entries) => setListings((l) => ({ ...l, [dir]: { entries, error: null } })))
      .catch((e: unknown) => setListings((l) => ({ ...l, [dir]: { entries: l[dir]?.entries ?? [], error: e instanceof Error ? e.message : String(e) } })));
  };

  useEffect(() => {
    if (!location.available) return;
    for (const dir of ['', ...open]) load(dir);
    // Re-list every open folder when the run changes (version); toggling a folder loads it itself.
  }, [version, location.available]);

  if (!location.available) {
    return (
      <div className="artifacts-unavailable" data-testid="artifacts-unavailable">
        <div className="empty-icon">{location.remote ? '☁' : '∅'}</div>
        <div>{location.remote ? 'Artifacts are stored remotely' : 'Artifacts not found'}</div>
        <p className="muted small">{location.reason}</p>
      </div>
    );
  }

  const toggle = (dir: string) => {
    const next = new Set(open);
    if (next.has(dir)) next.delete(dir);
    else {
      next.add(dir);
      if (!listings[dir]) load(dir);
    }
    setOpen(next);
  };

  const root = listings[''];
  return (
    <div className="artifacts" data-testid="artifacts">
      <div className="artifact-tree" role="tree" aria-label="Artifacts">
        {root === undefined ? <div className="muted small pad">Loading…</div> : null}
        {root && root.entries.length === 0 && !root.error ? <div className="muted small pad" data-testid="artifacts-empty">No artifacts logged.</div> : null}
        {root?.error ? <div className="error-text small pad">{root.error}</div> : null}
        {root ? <Tree dir="" depth={0} listings={listings} open={open} selected={selected} onToggle={toggle} onSelect={setSelected} /> : null}
      </div>
      <div className="artifact-preview-pane">
        {selected ? <Preview key={`${selected}@${version}`} storeId={storeId} runId={runId} path={selected} /> : <div className="muted small pad">Select a file to preview it.</div>}
      </div>
    </div>
  );
}

function ancestors(p: string): string[] {
  const parts = p.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

function Tree(props: {
  dir: string;
  depth: number;
  listings: Record<string, Listing>;
  open: Set<string>;
  selected: string | null;
  onToggle: (dir: string) => void;
  onSelect: (path: string) => void;
}) {
  const listing = props.listings[props.dir];
  if (!listing) return <div className="muted small tree-loading" style={{ paddingLeft: 8 + props.depth * 14 }}>Loading…</div>;
  const entries = [...listing.entries].sort((a, b) => Number(b.isDir) - Number(a.isDir) || a.path.localeCompare(b.path));
  return (
    <>
      {entries.map((e) => {
        const name = e.path.split('/').pop() ?? e.path;
        const isOpen = props.open.has(e.path);
        return (
          <div key={e.path}>
            <div
              role="treeitem"
              aria-expanded={e.isDir ? isOpen : undefined}
              aria-selected={props.selected === e.path}
              tabIndex={0}
              className={`tree-item${props.selected === e.path ? ' selected' : ''}`}
              style={{ paddingLeft: 8 + props.depth * 14 }}
              onClick={() => (e.isDir ? props.onToggle(e.path) : props.onSelect(e.path))}
              onKeyDown={(ev) => {
                if (ev.key === 'Enter' || ev.key === ' ') {
                  ev.preventDefault();
                  if (e.isDir) props.onToggle(e.path);
                  else props.onSelect(e.path);
                }
              }}
              title={e.path}
              data-testid={`artifact-entry-${e.path}`}
            >
              {e.isDir ? <span className={`disclosure${isOpen ? ' open' : ''}`} aria-hidden="true" /> : <span className="file-icon" aria-hidden="true" />}
              <span className="tree-name">{name}</span>
              {!e.isDir ? <span className="tree-size muted">{formatBytes(e.size)}</span> : null}
            </div>
            {e.isDir && isOpen ? <Tree {...props} dir={e.path} depth={props.depth + 1} /> : null}
          </div>
        );
      })}
    </>
  );
}

function Preview({ storeId, runId, path }: { storeId: string; runId: string; path: string }) {
  const [content, setContent] = useState<ArtifactContent | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    readArtifact(storeId, runId, path)
      .then((c) => live && setContent(c))
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [storeId, runId, path]);

  return (
    <div className="artifact-preview" data-testid="artifact-preview" data-path={path} data-kind={content?.kind ?? ''}>
      <div className="preview-head">
        <span className="mono preview-path" title={path}>
          {path}
        </span>
        {content ? <span className="muted small">{formatBytes(content.size)}</span> : null}
      </div>
      {error ? <div className="error-text small pad">{error}</div> : null}
      {!content && !error ? <div className="muted small pad">Loading…</div> : null}
      {content ? <PreviewBody content={content} /> : null}
    </div>
  );
}

function PreviewBody({ content }: { content: ArtifactContent }) {
  const cut = content.truncated ? <div className="muted small truncated-note">Preview cut at {formatBytes((content.text ?? '').length)} of {formatBytes(content.size)}.</div> : null;
  switch (content.kind) {
    case 'image':
      return content.dataUrl ? (
        <div className="preview-image">
          <img src={content.dataUrl} alt={content.path} />
        </div>
      ) : (
        <Binary size={content.size} />
      );
    case 'html':
      return (
        <>
          {/* Empty sandbox: no scripts, no same-origin, no navigation, no forms. */}
          <iframe className="preview-html" sandbox="" srcDoc={content.text ?? ''} title={content.path} referrerPolicy="no-referrer" />
          {cut}
        </>
      );
    case 'table':
      return (
        <>
          <CsvTable text={content.text ?? ''} delimiter={content.mime === 'text/tab-separated-values' ? '\t' : ','} />
          {cut}
        </>
      );
    case 'text':
      return (
        <>
          <pre className="preview-text">{prettyJson(content)}</pre>
          {cut}
        </>
      );
    case 'binary':
      return <Binary size={content.size} />;
  }
}

function prettyJson(c: ArtifactContent): string {
  const text = c.text ?? '';
  if (c.mime !== 'application/json' || c.truncated || text.length > 200_000) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function Binary({ size }: { size: number }) {
  return (
    <div className="muted pad" data-testid="artifact-binary">
      binary, {size.toLocaleString()} bytes
    </div>
  );
}

function CsvTable({ text, delimiter }: { text: string; delimiter: string }) {
  const { rows, more } = parseCsv(text, 200, delimiter);
  const [head, ...body] = rows;
  if (!head) return <div className="muted small pad">Empty file</div>;
  return (
    <div className="csv-wrap">
      <table className="csv">
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={i}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {body.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {more ? <div className="muted small truncated-note">First 200 rows shown.</div> : null}
    </div>
  );
}
