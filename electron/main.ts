// Electron entry: lifecycle, single-instance lock, the app:// protocol, the hardened session and
// window, and createBackend() wrapped by IPC. Everything decision-shaped lives in electron/app/ as
// pure functions with unit tests; this file only wires them to Electron.
//
// node:sqlite under Electron 45 — the SQLite store reader (engine/stores/mlflow-sqlite) uses
// Node's built-in `node:sqlite` (DatabaseSync). Electron embeds Node 24 since Electron 40 (40.0.0
// shipped Node 24.11.1; 45 is later on the same line), where node:sqlite needs no flag. Electron
// builds Node with its own GN build files, and for a while those left SQLite out: when Node added
// the build option to omit it (nodejs/node#58122), `require('node:sqlite')` failed in Electron
// (electron/electron#47671) until electron/electron#47706 (merged July 2025, "Fixed an issue where
// require('node:sqlite') didn't work") put it back. Electron 45 is built well after that fix, so
// node:sqlite is expected to be present. This could not be run here (no Electron binary can be
// downloaded on this machine), so the engine is loaded with a dynamic import below: if a runtime
// ever lacks the module (the reader imports it statically), the app still starts and says why
// in a dialog instead of dying before a window exists, and `logSqliteSupport` names the cause.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell } from 'electron';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from './engine/backend/index.ts';
import { APP_SCHEME, devOriginFrom, entryUrl, type AppOrigins } from './app/app-url.ts';
import { contentSecurityPolicy } from './app/csp.ts';
import { forwardEvents, registerIpcHandlers } from './app/ipc.ts';
import { folderFromArgv, parseInstanceData, type InstanceData } from './app/launch-args.ts';
import { buildMenuTemplate } from './app/menu.ts';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app/protocol.ts';
import { hardenSession, hardenWebContents, isTrustedSender } from './app/security.ts';
import { loadWindowState, windowStateFile } from './app/window-state.ts';
import { createMainWindow } from './app/window.ts';

// out/main/main.js → out/preload/index.cjs, out/renderer/ (inside app.asar when packaged).
const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD = path.join(here, '../preload/index.cjs');
const RENDERER_DIR = path.join(here, '../renderer');

// Tests (and anyone wanting a throwaway profile) point userData elsewhere. It must happen before
// the single-instance lock, which is keyed on the userData folder.
if (process.env.RUNSIGHT_USER_DATA_DIR) app.setPath('userData', path.resolve(process.env.RUNSIGHT_USER_DATA_DIR));

// Privileged schemes can only be registered before `ready`.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

const launchFolder = folderFromArgv(process.argv, { defaultApp: process.defaultApp === true, cwd: process.cwd() });
const instanceData: InstanceData = { folder: launchFolder };

if (!app.requestSingleInstanceLock(instanceData)) {
  // The first instance got our folder through 'second-instance' and focuses itself.
  app.quit();
} else {
  void start().catch((e: unknown) => {
    dialog.showErrorBox('Runsight could not start', e instanceof Error ? (e.stack ?? e.message) : String(e));
    app.exit(1);
  });
}

async function start(): Promise<void> {
  let mainWindow: BrowserWindow | null = null;
  let backend: Backend | null = null;
  /** Folders asked for before the backend existed (second instance, macOS open-file). */
  const queued: string[] = [];
  const isMac = process.platform === 'darwin';

  const origins: AppOrigins = { devOrigin: devOriginFrom(process.env.ELECTRON_RENDERER_URL, app.isPackaged) };
  const csp = contentSecurityPolicy({ devOrigin: origins.devOrigin });

  const liveWindow = (): BrowserWindow | null => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null);

  function focusWindow(): void {
    const win = liveWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  async function showError(message: string, detail: string): Promise<void> {
    const win = liveWindow();
    const options = { type: 'error' as const, title: 'Runsight', message, detail };
    await (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
  }

  async function pickFolder(): Promise<string | null> {
    const options = { title: 'Open an MLflow project folder', properties: ['openDirectory' as const] };
    const win = liveWindow();
    const r = await (win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options));
    return r.canceled ? null : (r.filePaths[0] ?? null);
  }

  async function pickSavePath(defaultName: string, format: string): Promise<string | null> {
    const names: Record<string, string> = { html: 'HTML report', pdf: 'PDF', md: 'Markdown', csv: 'CSV' };
    const options = {
      title: 'Export comparison report',
      defaultPath: path.join(app.getPath('documents'), defaultName),
      filters: [{ name: names[format] ?? format, extensions: [format] }],
    };
    const win = liveWindow();
    const r = await (win ? dialog.showSaveDialog(win, options) : dialog.showSaveDialog(options));
    return r.canceled ? null : (r.filePath ?? null);
  }

  async function refreshMenu(): Promise<void> {
    const recent = backend ? await backend.call('listRecentProjects', {}) : null;
    const template = buildMenuTemplate(
      { platform: process.platform, appName: app.name, recentProjects: recent?.ok ? recent.value.paths : [], dev: !app.isPackaged },
      {
        openFolder: () => {
          void pickFolder().then((folder) => (folder ? openFromMain(folder) : undefined));
        },
        openRecent: (folder) => void openFromMain(folder),
      },
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  /**
   * A project opened from outside the page (menu, command line, second instance, drop): the
   * contract has no "project changed" event, so the page is reloaded and starts over from
   * getStatus — as soon as the engine has switched (its first progress event for the new folder),
   * so the indexing progress shows rather than the old project.
   */
  async function openFromMain(folder: string): Promise<void> {
    if (!backend) {
      queued.push(folder);
      return;
    }
    focusWindow();
    const target = path.resolve(folder);
    let reloaded = false;
    const reload = () => {
      if (reloaded) return;
      reloaded = true;
      liveWindow()?.webContents.reload();
    };
    const off = backend.on('indexProgress', (p) => {
      if (p.storeId === target) reload();
    });
    const result = await backend.call('openProject', { path: target });
    off();
    reload();
    await refreshMenu();
    if (!result.ok) await showError(`Could not open ${target}`, result.error.message);
  }

  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    const data = parseInstanceData(additionalData);
    const folder = data ? data.folder : folderFromArgv(argv, { defaultApp: process.defaultApp === true, cwd: workingDirectory });
    focusWindow();
    if (folder) void openFromMain(folder);
  });

  // macOS: a folder dropped on the Dock icon or opened with "Open With".
  app.on('open-file', (event, file) => {
    event.preventDefault();
    void openFromMain(file);
  });

  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, {
      origins,
      openExternal: (url) => void shell.openExternal(url),
      openPath: (dropped, from) => {
        if (from === liveWindow()?.webContents) void openFromMain(dropped);
      },
    });
  });

  app.on('window-all-closed', () => {
    if (!isMac) app.quit();
  });

  let disposed = false;
  app.on('will-quit', (event) => {
    if (disposed || !backend) return;
    // Close watchers and databases before the process goes away, then quit for real.
    event.preventDefault();
    const b = backend;
    backend = null;
    void b.dispose().finally(() => {
      disposed = true;
      app.quit();
    });
  });

  await app.whenReady();

  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rendererDir: RENDERER_DIR, csp }));
  hardenSession(session.defaultSession, { origins, csp });
  logSqliteSupport();

  let engineError: unknown = null;
  try {
    const { createBackend } = await import('./engine/backend/index.ts');
    const { electronReportPrinter } = await import('./app/report-print.ts');
    backend = await createBackend({
      host: 'electron',
      configDir: app.getPath('userData'),
      // A store's next open starts from the snapshot its last read left there (engine/snapshot/).
      snapshotDir: path.join(app.getPath('userData'), 'index-snapshots'),
      pickFolder,
      pickSavePath,
      reportPrinter: electronReportPrinter({ BrowserWindow, fromPartition: (p, o) => session.fromPartition(p, o) }),
      sqlWasmPath: sqlWasmPath(),
    });
  } catch (e) {
    engineError = e;
  }

  if (backend) {
    registerIpcHandlers({
      ipcMain,
      backend,
      isTrustedSender: (event) =>
        isTrustedSender(
          {
            contentsId: event.sender.id,
            frame: event.senderFrame ? { url: event.senderFrame.url, parent: event.senderFrame.parent } : null,
          },
          liveWindow()?.webContents.id ?? null,
          origins,
        ),
      afterCall: (method) => {
        if (method === 'openProject') void refreshMenu();
      },
    });
    forwardEvents(backend, () => {
      const contents = liveWindow()?.webContents;
      return contents && !contents.isDestroyed() ? contents : null;
    });

    // The first project: the command line, else a folder that arrived while starting, else the demo.
    const first = launchFolder ?? queued.shift() ?? (await demoProject());
    if (first) {
      // Not awaited: the page shows indexing progress while big stores are read.
      void backend.call('openProject', { path: first }).then(async (r) => {
        await refreshMenu();
        if (!r.ok) await showError(`Could not open ${first}`, r.error.message);
      });
    }
  }

  await refreshMenu();
  const stateFile = windowStateFile(app.getPath('userData'));
  const createWindow = async () => {
    mainWindow = createMainWindow(
      { BrowserWindow, screen, savedState: await loadWindowState(stateFile), stateFile },
      { preloadPath: PRELOAD, iconPath: devIconPath() },
    );
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
    await mainWindow.loadURL(entryUrl(origins, process.env.ELECTRON_RENDERER_URL));
  };
  await createWindow();
  app.on('activate', () => {
    if (!liveWindow()) void createWindow();
  });

  if (engineError) {
    await showError(
      'The Runsight engine could not be loaded',
      `${engineError instanceof Error ? engineError.message : String(engineError)}\n\nRunning on Electron ${process.versions.electron}, Node ${process.versions.node}.`,
    );
  }
  for (const folder of queued.splice(0)) void openFromMain(folder);

  async function demoProject(): Promise<string | null> {
    try {
      const { ensureDemoProject } = await import('./engine/demo/demo-project.ts');
      return await ensureDemoProject();
    } catch (e) {
      await showError('Could not create the demo project', e instanceof Error ? e.message : String(e));
      return null;
    }
  }
}

/**
 * sql.js reads its wasm from disk. Dev and unpackaged builds resolve it from node_modules; a
 * packaged app has it in app.asar.unpacked (electron-builder asarUnpack), since the asar archive is
 * a virtual file system only Electron's patched fs understands.
 */
function sqlWasmPath(): string {
  const resolved = createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
  const unpacked = resolved.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
  return unpacked !== resolved && existsSync(unpacked) ? unpacked : resolved;
}

function devIconPath(): string | undefined {
  if (app.isPackaged) return undefined;
  const icon = path.join(here, '../../resources/icon.png');
  return existsSync(icon) ? icon : undefined;
}

function logSqliteSupport(): void {
  let available: boolean;
  try {
    available = Boolean(process.getBuiltinModule?.('node:sqlite'));
  } catch {
    available = false;
  }
  if (!available) {
    console.warn(
      `runsight: node:sqlite is not available in this runtime (Electron ${process.versions.electron}, Node ${process.versions.node}); MLflow SQLite stores cannot be read.`,
    );
  }
}
