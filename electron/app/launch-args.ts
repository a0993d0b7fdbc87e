// Which folder a launch asks for. `runsight /path/to/project` (packaged) and
// `electron out/main/main.js /path/to/project` (dev, `process.defaultApp`) both work; Chromium and
// Node switches (`--inspect=0`, `--remote-debugging-port=0`, … — Playwright adds these) may
// appear anywhere and are skipped.
import path from 'node:path';

export function folderFromArgv(argv: readonly string[], options: { defaultApp: boolean; cwd: string }): string | null {
  // argv[0] is the executable; with defaultApp the first positional argument is the app itself.
  const positional = argv.slice(1).filter((a) => a !== '' && !a.startsWith('-'));
  if (options.defaultApp) positional.shift();
  const first = positional[0];
  return first === undefined ? null : path.resolve(options.cwd, first);
}

/**
 * What a second instance hands the first through requestSingleInstanceLock(additionalData).
 * Chromium may reorder or rewrite a second instance's argv (see app 'second-instance' docs), so the
 * folder travels resolved against the second instance's own working directory.
 */
export interface InstanceData {
  folder: string | null;
}

export function parseInstanceData(raw: unknown): InstanceData | null {
  if (!raw || typeof raw !== 'object') return null;
  const folder = (raw as { folder?: unknown }).folder;
  if (folder === null) return { folder: null };
  if (typeof folder !== 'string' || folder === '' || folder.includes('\0') || !path.isAbsolute(folder)) return null;
  return { folder };
}
