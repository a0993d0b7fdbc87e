// The application menu as data (Menu.buildFromTemplate happens in main.ts). File › Open Folder…
// and File › Open Recent drive the same openProject path as the command line and drag and drop.
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openFolder(): void;
  openRecent(folder: string): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  recentProjects: string[];
  /** DevTools and reload only in development builds. */
  dev: boolean;
}

/** "name — /parent/dir" so two projects with the same folder name stay tellable apart. */
export function recentLabel(folder: string): string {
  const name = path.basename(folder) || folder;
  const parent = path.dirname(folder);
  // `&` marks a mnemonic in menu labels on Windows and Linux.
  return `${name} — ${parent}`.replace(/&/g, '&&');
}

export function buildMenuTemplate(options: MenuOptions, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const recent: MenuItemConstructorOptions[] = options.recentProjects.length
    ? options.recentProjects.map((folder) => ({ label: recentLabel(folder), click: () => actions.openRecent(folder) }))
    : [{ label: 'No recent projects', enabled: false }];

  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: options.appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(
    {
      label: '&File',
      submenu: [
        { label: 'Open Folder…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFolder() },
        { label: 'Open Recent', submenu: recent },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: '&View',
      submenu: [
        ...(options.dev
          ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  );
  return template;
}
