// The main window: the security-relevant webPreferences in one place (checked by unit tests and by
// the e2e suite through getLastWebPreferences()), and bounds remembered across launches.
import type { BrowserWindow, BrowserWindowConstructorOptions, Screen } from 'electron';
import { MIN_SIZE, restoreBounds, saveWindowState, type WindowState } from './window-state.ts';

export function mainWindowOptions(options: {
  preloadPath: string;
  bounds: { x?: number; y?: number; width: number; height: number };
  iconPath?: string;
}): BrowserWindowConstructorOptions {
  return {
    ...options.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'Runsight',
    // Shown on ready-to-show: no white flash before the (possibly dark) UI paints.
    show: false,
    backgroundColor: '#1e1e1e',
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // A folder (or mlflow.db) dropped on a page that does not handle the drop becomes a
      // navigation to its file:// URL, which security.ts turns into "open this project" and
      // cancels. This keeps drag and drop entirely in main: window.runsight stays exactly the
      // contract (no path helper), and no renderer code is needed. A renderer drop zone that calls
      // preventDefault simply takes over.
      navigateOnDragDrop: true,
      spellcheck: false,
    },
  };
}

export interface CreateWindowDeps {
  BrowserWindow: typeof BrowserWindow;
  screen: Screen;
  savedState: WindowState | null;
  stateFile: string;
}

export function createMainWindow(deps: CreateWindowDeps, options: { preloadPath: string; iconPath?: string }): BrowserWindow {
  const workAreas = deps.screen.getAllDisplays().map((d) => d.workArea);
  const primary = deps.screen.getPrimaryDisplay().workArea;
  // restoreBounds falls back to the first work area: make it the primary display.
  const ordered = [primary, ...workAreas.filter((a) => a !== primary)];
  const { bounds, maximized } = restoreBounds(deps.savedState, ordered);
  const win = new deps.BrowserWindow(mainWindowOptions({ preloadPath: options.preloadPath, bounds, iconPath: options.iconPath }));
  win.once('ready-to-show', () => {
    if (maximized) win.maximize();
    win.show();
  });
  win.on('close', () => {
    // getNormalBounds: the size to come back to, even when closed maximized or minimized.
    const state: WindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
    void saveWindowState(deps.stateFile, state).catch(() => undefined);
  });
  return win;
}
