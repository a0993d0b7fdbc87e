// Choosing the project folder. Electron has a native dialog (pickFolder); a browser cannot see
// the disk, so browser mode offers a path field (the backend resolves it on its machine) and the
// recent projects. Both show the path field, since pasting a path is quicker than a dialog.
import { useState } from 'react';
import { openProject, pickAndOpenProject } from '../../state/actions.ts';
import { useApp } from '../../state/store.ts';

export function ProjectPicker({ variant }: { variant: 'welcome' | 'modal' }) {
  const recent = useApp((s) => s.recentProjects);
  const project = useApp((s) => s.project);
  const opening = useApp((s) => s.opening);
  const openError = useApp((s) => s.openError);
  const [path, setPath] = useState(project ?? '');
  // The backend says which host it runs in (the picker shows only once it has answered).
  const electron = useApp((s) => s.host) === 'electron';

  const submit = () => void openProject(path);

  return (
    <div className={variant === 'modal' ? 'modal picker' : 'splash-card picker'} role="dialog" aria-label="Open a project" data-testid="project-picker">
      <div className="picker-head">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-title">Runsight</span>
        </div>
        {variant === 'modal' ? (
          <button type="button" className="icon-button" aria-label="Close" onClick={() => useApp.getState().setPanel(null)}>
            ×
          </button>
        ) : null}
      </div>
      <p className="picker-lead">
        Open a folder that contains MLflow runs: an <code>mlruns/</code> folder, an <code>mlflow.db</code>, or a project holding them.
      </p>
      {electron ? (
        <button type="button" className="button primary wide" onClick={() => void pickAndOpenProject()} disabled={opening} data-testid="project-pick-button">
          Open folder…
        </button>
      ) : null}
      <form
        className="picker-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field-label" htmlFor="project-path">
          {electron ? 'Or type a path' : 'Folder path on this machine'}
        </label>
        <div className="picker-row">
          <input
            id="project-path"
            className="input mono"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/home/me/projects/my-model"
            spellCheck={false}
            autoFocus={!electron}
            data-testid="project-path-input"
          />
          <button type="submit" className={electron ? 'button' : 'button primary'} disabled={opening || path.trim() === ''} data-testid="project-open-button">
            {opening ? 'Opening…' : 'Open'}
          </button>
        </div>
      </form>
      {openError ? (
        <p className="error-text" role="alert" data-testid="project-open-error">
          {openError}
        </p>
      ) : null}
      {recent.length > 0 ? (
        <div className="recent">
          <div className="section-label">Recent</div>
          <ul className="recent-list" data-testid="recent-projects">
            {recent.map((p) => (
              <li key={p}>
                <button type="button" className={`recent-item mono${p === project ? ' current' : ''}`} onClick={() => void openProject(p)} disabled={opening} title={p} data-testid="recent-project">
                  {`\u200E${p}\u200E`}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
