// electron/main.ts itself, run under plain Node against a fake `electron` module that records what
// the main process asks of it. No Electron binary can run here, so this is where the wiring is
// checked: lock → privileged scheme before ready → protocol + hardened session → backend → IPC →
// window; the launch folder opened; IPC served only to the window's top frame; events forwarded;
// a second instance, a drop and the File menu switching projects; the backend disposed on quit.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ipcChannel } from '../../preload/api.ts';
import { copyFixture, tempDir } from '../helpers/fixtures.ts';

type Handler = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const state = {
    calls: [] as string[],
    paths: new Map<string, string>(),
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (r: Request) => Promise<Response>>(),
    ipcHandlers: new Map<string, (...args: unknown[]) => unknown>(),
    sessionHandlers: {} as Record<string, unknown>,
    windows: [] as unknown[],
    menus: [] as unknown[],
    dialogs: [] as unknown[],
    openDialogResult: null as string | null,
    app: null as null | (import('node:events').EventEmitter & { quit(): void }),
  };
  return state;
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  let nextId = 1;
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    name: 'Runsight',
    setPath: (name: string, p: string) => fake.paths.set(name, p),
    getPath: (name: string) => fake.paths.get(name) ?? `/nonexistent/${name}`,
    requestSingleInstanceLock: (data: unknown) => {
      fake.calls.push(`lock:${JSON.stringify(data)}`);
      return true;
    },
    whenReady: () => {
      fake.calls.push('whenReady');
      return Promise.resolve();
    },
    quit: () => {
      fake.calls.push('quit');
      // What Electron does: ask will-quit listeners, then exit unless one prevented it.
      const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
      app.emit('will-quit', event);
      if (!event.defaultPrevented) fake.calls.push('exited');
    },
    exit: (code: number) => fake.calls.push(`exit:${code}`),
  });
  fake.app = app;

  class WebContents extends Emitter {
    id = nextId++;
    sent: [string, unknown][] = [];
    reloads = 0;
    url = '';
    openHandler: Handler | null = null;
    mainFrame = { url: '', parent: null };
    send(channel: string, payload: unknown) {
      this.sent.push([channel, payload]);
    }
    reload() {
      this.reloads++;
    }
    isDestroyed() {
      return false;
    }
    setWindowOpenHandler(h: Handler) {
      this.openHandler = h;
    }
  }

  class BrowserWindow extends Emitter {
    static getAllWindows = () => fake.windows;
    webContents = new WebContents();
    options: unknown;
    constructor(options: unknown) {
      super();
      this.options = options;
      fake.windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    async loadURL(url: string) {
      fake.calls.push(`loadURL:${url}`);
      this.webContents.url = url;
      this.webContents.mainFrame = { url, parent: null };
      this.emit('ready-to-show');
    }
    isDestroyed() {
      return false;
    }
    isMinimized() {
      return false;
    }
    restore() {}
    show() {}
    focus() {}
    maximize() {}
    isMaximized() {
      return false;
    }
    getNormalBounds() {
      return { x: 0, y: 0, width: 1400, height: 900 };
    }
  }

  return {
    app,
    BrowserWindow,
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        fake.calls.push('registerSchemesAsPrivileged');
        fake.schemes.push(...schemes);
      },
      handle: (scheme: string, h: (r: Request) => Promise<Response>) => {
        fake.calls.push(`protocol.handle:${scheme}`);
        fake.protocolHandlers.set(scheme, h);
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: unknown) => (fake.sessionHandlers.permissionRequest = h),
        setPermissionCheckHandler: (h: unknown) => (fake.sessionHandlers.permissionCheck = h),
        setDevicePermissionHandler: (h: unknown) => (fake.sessionHandlers.device = h),
        webRequest: {
          onBeforeRequest: (h: unknown) => (fake.sessionHandlers.beforeRequest = h),
          onHeadersReceived: (h: unknown) => (fake.sessionHandlers.headersReceived = h),
        },
      },
    },
    ipcMain: {
      handle: (channel: string, h: (...args: unknown[]) => unknown) => fake.ipcHandlers.set(channel, h),
      removeHandler: (channel: string) => fake.ipcHandlers.delete(channel),
    },
    dialog: {
      showOpenDialog: async () => {
        fake.dialogs.push('open');
        return fake.openDialogResult ? { canceled: false, filePaths: [fake.openDialogResult] } : { canceled: true, filePaths: [] };
      },
      showMessageBox: async (...args: unknown[]) => {
        fake.dialogs.push(args.at(-1));
        return { response: 0 };
      },
      showErrorBox: (title: string, content: string) => fake.dialogs.push({ title, content }),
    },
    Menu: {
      buildFromTemplate: (t: unknown) => t,
      setApplicationMenu: (m: unknown) => fake.menus.push(m),
    },
    screen: {
      getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
      getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
    },
    shell: { openExternal: vi.fn(async () => undefined) },
  };
});

interface FakeWindow extends EventEmitter {
  webContents: EventEmitter & {
    id: number;
    sent: [string, unknown][];
    reloads: number;
    openHandler: Handler | null;
    mainFrame: { url: string; parent: unknown };
  };
  options: { webPreferences: Record<string, unknown> };
}

const cleanups: (() => Promise<void>)[] = [];
let seed: string;
let kitchen: string;
let sqlite: string;
let userData: string;
const argv = process.argv;

/** The few fields of IPC answers the tests read. */
interface Res {
  ok: boolean;
  value: { project: string; host: string; total: number; stores: { id: string }[] };
  error?: unknown;
}

function win(): FakeWindow {
  return fake.windows[0] as FakeWindow;
}

async function invoke(method: string, args: unknown, frame: { url: string; parent: unknown } | null = win().webContents.mainFrame, senderId = win().webContents.id) {
  const h = fake.ipcHandlers.get(ipcChannel(method as never));
  if (!h) throw new Error(`no handler for ${method}`);
  return (await h({ sender: { id: senderId }, senderFrame: frame }, args)) as Res;
}

/** Waits until `dir` is the open project, fully indexed, with `runs` runs (or some, if not given). */
async function projectIs(dir: string, runs?: number) {
  await vi.waitFor(
    async () => {
      const status = await invoke('getStatus', {});
      expect(status.value.project).toBe(dir);
      const storeId = status.value.stores[0]!.id;
      const q = await invoke('queryRuns', { storeId, experimentIds: [] });
      if (runs === undefined) expect(q.value.total).toBeGreaterThan(0);
      else expect(q.value.total).toBe(runs);
    },
    { timeout: 20_000, interval: 50 },
  );
}

beforeAll(async () => {
  const a = await copyFixture('seed-rf');
  const b = await copyFixture('kitchen-sink');
  const c = await copyFixture('kitchen-sink-sqlite');
  const u = await tempDir('runsight-main-userdata-');
  cleanups.push(a.cleanup, b.cleanup, c.cleanup, u.cleanup);
  [seed, kitchen, sqlite, userData] = [a.dir, b.dir, c.dir, u.dir];
  process.env.RUNSIGHT_USER_DATA_DIR = userData;
  // As launched by `electron out/main/main.js <folder>` (Playwright puts its switches first).
  process.argv = ['/opt/electron/electron', '--inspect=0', 'out/main/main.js', seed];
  (process as { defaultApp?: boolean }).defaultApp = true;
  await import('../../electron/main.ts');
  await vi.waitFor(() => expect(fake.calls.some((c) => c.startsWith('loadURL:'))).toBe(true), { timeout: 20_000 });
});

afterAll(async () => {
  process.argv = argv;
  delete process.env.RUNSIGHT_USER_DATA_DIR;
  for (const c of cleanups) await c();
});

describe('electron/main.ts under a fake Electron', () => {
  it('starts in the right order with the launch folder handed to the lock', () => {
    const order = fake.calls.filter((c) => !c.startsWith('quit') && c !== 'exited');
    expect(order[0]).toBe('registerSchemesAsPrivileged');
    expect(order[1]).toBe(`lock:${JSON.stringify({ folder: seed })}`);
    expect(order.indexOf('whenReady')).toBeLessThan(order.indexOf('protocol.handle:app'));
    expect(order.at(-1)).toBe('loadURL:app://runsight/index.html');
    expect(fake.paths.get('userData')).toBe(userData);
    expect(fake.schemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(Object.keys(fake.sessionHandlers).sort()).toEqual(['beforeRequest', 'device', 'headersReceived', 'permissionCheck', 'permissionRequest']);
    expect(fake.dialogs).toEqual([]);
  });

  it('creates one locked-down window with the built preload', () => {
    expect(fake.windows).toHaveLength(1);
    expect(win().options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      // Beside main.js: out/main/main.js → out/preload/index.cjs once bundled (here main.ts runs from source).
      preload: path.resolve('electron/../preload/index.cjs'),
    });
    expect(win().webContents.openHandler).toBeTypeOf('function');
  });

  it('serves app:// with the CSP', async () => {
    const res = await fake.protocolHandlers.get('app')!(new Request('app://runsight/index.html'));
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('opens the launch folder and answers the window over IPC', async () => {
    await projectIs(seed, 16);
    const status = await invoke('getStatus', {});
    expect(status.value.host).toBe('electron');
  });

  it('refuses IPC from anything but the window top frame on our page', async () => {
    const refused = { ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/Refused/) } };
    expect(await invoke('getStatus', {}, { url: 'https://example.com/', parent: null })).toEqual(refused);
    expect(await invoke('getStatus', {}, { url: 'app://runsight/index.html', parent: {} })).toEqual(refused);
    expect(await invoke('getStatus', {}, null)).toEqual(refused);
    expect(await invoke('getStatus', {}, undefined, 999)).toEqual(refused);
  });

  it('lists the project in File › Open Recent', async () => {
    await vi.waitFor(() => {
      const menu = fake.menus.at(-1) as { label?: string; submenu?: { label?: string; submenu?: { label?: string }[] }[] }[];
      const recent = menu.find((m) => m.label === '&File')!.submenu!.find((i) => i.label === 'Open Recent')!.submenu!;
      expect(recent.map((r) => r.label)).toEqual([`${path.basename(seed)} — ${path.dirname(seed)}`]);
    });
  });

  it('a second instance hands over its folder; the page reloads onto it', async () => {
    const reloads = win().webContents.reloads;
    fake.app!.emit('second-instance', {}, ['/opt/electron/electron', 'whatever'], '/', { folder: kitchen });
    await projectIs(kitchen);
    expect(win().webContents.reloads).toBeGreaterThan(reloads);
  });

  it('forwards engine events to the window (here: while switching projects)', () => {
    const channels = new Set(win().webContents.sent.map(([c]) => c));
    expect(channels.has(ipcChannel('indexProgress'))).toBe(true);
    expect(channels.has(ipcChannel('indexChanged'))).toBe(true);
  });

  it('a folder dropped on the window (file:// navigation) is opened, and the navigation cancelled', async () => {
    const event = { url: pathToFileURL(sqlite).href + '/', defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    win().webContents.emit('will-navigate', event);
    expect(event.defaultPrevented).toBe(true);
    await vi.waitFor(async () => expect((await invoke('getStatus', {})).value.project).toBe(sqlite), { timeout: 20_000 });
  });

  it('File › Open Folder… opens the picked folder', async () => {
    fake.openDialogResult = seed;
    const menu = fake.menus.at(-1) as { label?: string; submenu?: { label?: string; click?: () => void }[] }[];
    menu.find((m) => m.label === '&File')!.submenu!.find((i) => i.label === 'Open Folder…')!.click!();
    await projectIs(seed, 16);
    // And the contract's pickFolder uses the same dialog.
    expect(await invoke('pickFolder', {})).toEqual({ ok: true, value: { path: seed } });
  });

  it('disposes the backend before quitting', async () => {
    fake.app!.quit();
    await vi.waitFor(() => expect(fake.calls.filter((c) => c === 'exited')).toHaveLength(1), { timeout: 10_000 });
    expect(fake.calls.filter((c) => c === 'quit')).toHaveLength(2);
  });
});
