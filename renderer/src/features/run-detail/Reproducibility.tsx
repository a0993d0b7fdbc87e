// The Overview's "Reproduce" section: source, entry point, git commit, environment files and the
// command line, from what MLflow recorded.
import type { ReactNode } from 'react';
import type { RunDetail } from '../../../../preload/api.ts';
import { CopyButton } from './CopyButton.tsx';
import { Empty, Section } from './detail-sections.tsx';

export function Reproducibility({ data, openArtifact }: { data: RunDetail; openArtifact: (path: string) => void }) {
  const r = data.reproducibility;
  const rows: [string, ReactNode][] = [];
  if (r.sourceName) rows.push(['Source', <span className="mono">{r.sourceName}</span>]);
  if (r.sourceType) rows.push(['Type', r.sourceType]);
  if (r.entryPoint) rows.push(['Entry point', <span className="mono">{r.entryPoint}</span>]);
  if (r.gitCommit)
    rows.push([
      'Git commit',
      <span className="mono" title={r.gitCommit}>
        {r.gitCommit.slice(0, 12)}
        {r.gitDirty === 'true' ? <span className="pill warn">uncommitted changes</span> : null}
      </span>,
    ]);
  if (r.gitBranch) rows.push(['Branch', <span className="mono">{r.gitBranch}</span>]);
  if (r.gitRepoUrl) rows.push(['Repository', <span className="mono">{r.gitRepoUrl}</span>]);
  const project = r.entryPoint !== null || r.sourceType === 'PROJECT';
  return (
    <Section title="Reproduce" testId="detail-repro">
      {rows.length === 0 && !r.command && r.environmentFiles.length === 0 ? (
        <Empty>MLflow recorded no source information for this run.</Empty>
      ) : (
        <>
          <table className="kv">
            <tbody>
              {rows.map(([k, v]) => (
                <tr key={k}>
                  <th>{k}</th>
                  <td>{v}</td>
                </tr>
              ))}
              {r.environmentFiles.length > 0 ? (
                <tr>
                  <th>Environment</th>
                  <td>
                    <ul className="link-list">
                      {r.environmentFiles.map((f) => (
                        <li key={`${f.source}:${f.modelId ?? ''}:${f.path}`}>
                          {f.source === 'run' ? (
                            <button type="button" className="link-button mono" onClick={() => openArtifact(f.path)} data-testid="env-file">
                              {f.path}
                            </button>
                          ) : (
                            <span className="mono" data-testid="env-file" title={`In logged model ${f.modelId}`}>
                              {f.path} <span className="muted">(model {f.modelId?.slice(0, 10)})</span>
                            </span>
                          )}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          {r.command ? (
            <div className="command">
              <div className="command-head">
                <span className="section-label">Command</span>
                <CopyButton text={r.command} testId="copy-command" />
              </div>
              <pre className="command-text" data-testid="repro-command">
                {r.command}
              </pre>
              {!project ? <p className="muted small">MLflow does not record the command line: this assumes the script takes its params as <code>--name value</code> flags.</p> : null}
            </div>
          ) : null}
        </>
      )}
    </Section>
  );
}
