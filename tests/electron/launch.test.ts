// Launch arguments, single-instance hand-over, window bounds, menu and window preferences.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderFromArgv, parseInstanceData } from '../../electron/app/launch-args.ts';
import { buildMenuTemplate, recentLabel } from '../../electron/app/menu.ts';
import {
  DEFAULT_SIZE,
  loadWindowState,
  MIN_SIZE,
  parseWindowState,
  restoreBounds,
  saveWindowState,
  windowStateFile,
} from '../../electron/app/window-state.ts';
import { mainWindowOptions } from '../../electron/app/window.ts';
import { tempDir } from '../helpers/fixtures.ts';

describe('folderFromArgv', () => {
  const cwd = '/home/u';
  it('reads the first positional argument after the app', () => {
    expect(folderFromArgv(['/opt/Runsight/runsight', '/data/proj'], { defaultApp: false, cwd })).toBe('/data/proj');
    expect(folderFromArgv(['/opt/Runsight/runsight', 'proj'], { defaultApp: false, cwd })).toBe('/home/u/proj');
    expect(folderFromArgv(['/opt/Runsight/runsight'], { defaultApp: false, cwd })).toBeNull();
  });

  it('skips the script in dev and switches anywhere (Playwright adds some)', () => {
    expect(folderFromArgv(['electron', 'out/main/main.js', '/tmp/seed-rf'], { defaultApp: true, cwd })).toBe('/tmp/seed-rf');
    expect(
      folderFromArgv(['electron', '--inspect=0', '--remote-debugging-port=0', 'out/main/main.js', '--no-sandbox', '/tmp/x'], { defaultApp: true, cwd }),
    ).toBe('/tmp/x');
    expect(folderFromArgv(['electron', 'out/main/main.js'], { defaultApp: true, cwd })).toBeNull();
    expect(folderFromArgv(['/opt/Runsight/runsight', '--allow-file-access-from-files', '-x', ''], { defaultApp: false, cwd })).toBeNull();
  });
});

describe('parseInstanceData', () => {
  it('accepts an absolute folder or an explicit null, nothing else', () => {
    expect(parseInstanceData({ folder: '/data/proj' })).toEqual({ folder: '/data/proj' });
    expect(parseInstanceData({ folder: null })).toEqual({ folder: null });
    for (const bad of [null, undefined, 'x', {}, { folder: 'relative' }, { folder: '' }, { folder: 3 }, { folder: '/a\0b' }]) {
      expect(parseInstanceData(bad)).toBeNull();
    }
  });
});

describe('window state', () => {
  const screen = { x: 0, y: 0, width: 1920, height: 1050 };
  const right = { x: 1920, y: 0, width: 2560, height: 1400 };

  it('round-trips through window-state.json, ignoring junk', async () => {
    const tmp = await tempDir('runsight-state-');
    try {
      const file = windowStateFile(tmp.dir);
      expect(await loadWindowState(file)).toBeNull();
      await saveWindowState(file, { bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true });
      expect(await loadWindowState(file)).toEqual({ bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true });
      expect(parseWindowState({ bounds: { x: 1, y: 2, width: 'x', height: 4 } })).toBeNull();
      expect(parseWindowState({ bounds: { x: 1.4, y: 2, width: 800.6, height: 600 } })).toEqual({
        bounds: { x: 1, y: 2, width: 801, height: 600 },
        maximized: false,
      });
      expect(parseWindowState('nope')).toBeNull();
    } finally {
      await tmp.cleanup();
    }
  });

  it('restores saved bounds on a display that still exists', () => {
    const saved = { bounds: { x: 2000, y: 100, width: 1200, height: 800 }, maximized: false };
    expect(restoreBounds(saved, [screen, right])).toEqual({ bounds: saved.bounds, maximized: false });
  });

  it('falls back to a default size when the display is gone', () => {
    const saved = { bounds: { x: 5000, y: 100, width: 1200, height: 800 }, maximized: true };
    expect(restoreBounds(saved, [screen])).toEqual({ bounds: DEFAULT_SIZE, maximized: true });
    expect(restoreBounds(null, [screen])).toEqual({ bounds: DEFAULT_SIZE, maximized: false });
    expect(restoreBounds(null, [{ x: 0, y: 0, width: 1280, height: 700 }]).bounds).toEqual({ width: 1280, height: 700 });
  });

  it('pulls a half-visible window fully onto its display and keeps the minimum size', () => {
    const r = restoreBounds({ bounds: { x: 1500, y: -50, width: 3000, height: 200 }, maximized: false }, [screen]);
    expect(r.bounds).toEqual({ x: 0, y: 0, width: 1920, height: MIN_SIZE.height });
  });
});

describe('menu', () => {
  type Item = { label?: string; role?: string; submenu?: Item[]; click?: () => void; accelerator?: string; enabled?: boolean };
  const find = (items: Item[], label: string): Item | undefined => {
    for (const i of items) {
      if (i.label === label) return i;
      const sub = i.submenu && find(i.submenu, label);
      if (sub) return sub;
    }
    return undefined;
  };

  it('has File › Open Folder… and the recent projects', () => {
    const opened: string[] = [];
    let picked = 0;
    const template = buildMenuTemplate(
      { platform: 'linux', appName: 'Runsight', recentProjects: ['/data/a', '/x/R&D'], dev: false },
      { openFolder: () => picked++, openRecent: (f) => opened.push(f) },
    ) as Item[];
    const open = find(template, 'Open Folder…');
    expect(open?.accelerator).toBe('CmdOrCtrl+O');
    open?.click?.();
    expect(picked).toBe(1);
    const recent = find(template, 'Open Recent')!.submenu!;
    expect(recent.map((i) => i.label)).toEqual([recentLabel('/data/a'), recentLabel('/x/R&D')]);
    expect(recentLabel('/x/R&D')).toBe('R&&D — /x');
    recent[1]!.click!();
    expect(opened).toEqual(['/x/R&D']);
    expect(JSON.stringify(template)).not.toContain('toggleDevTools');
  });

  it('shows an empty recent list, the macOS app menu and dev tools in dev', () => {
    const template = buildMenuTemplate(
      { platform: 'darwin', appName: 'Runsight', recentProjects: [], dev: true },
      { openFolder: () => undefined, openRecent: () => undefined },
    ) as Item[];
    expect(template[0]!.label).toBe('Runsight');
    expect(find(template, 'Open Recent')!.submenu).toEqual([{ label: 'No recent projects', enabled: false }]);
    expect(JSON.stringify(template)).toContain('toggleDevTools');
  });
});

describe('mainWindowOptions', () => {
  it('locks the renderer down', () => {
    const o = mainWindowOptions({ preloadPath: path.resolve('out/preload/index.cjs'), bounds: { width: 800, height: 600 } });
    expect(o.webPreferences).toMatchObject({
      preload: path.resolve('out/preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(o.show).toBe(false);
  });
});
