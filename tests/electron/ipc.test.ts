// IPC handlers: one per contract method, sender checked before anything runs, arguments validated
// by the real backend, events forwarded. The last test drives the real engine on a seed-rf copy
// through the same handlers the Electron main process registers.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { API_EVENTS, API_METHODS, ipcChannel, type ApiEvent, type Result } from '../../preload/api.ts';
import { createBackend, type Backend } from '../../electron/engine/backend/index.ts';
import { forwardEvents, registerIpcHandlers, UNTRUSTED_SENDER, type IpcMainLike } from '../../electron/app/ipc.ts';
import { copyFixture, tempDir } from '../helpers/fixtures.ts';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  async invoke(channel: string, trusted: boolean, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h({ trusted } as unknown as IpcMainInvokeEvent, ...args);
  }
}

const isTrusted = (e: IpcMainInvokeEvent) => (e as unknown as { trusted: boolean }).trusted;

describe('registerIpcHandlers', () => {
  it('registers one handler per contract method and removes them all', () => {
    const ipc = new FakeIpcMain();
    const off = registerIpcHandlers({ ipcMain: ipc, backend: { call: vi.fn() }, isTrustedSender: isTrusted });
    expect([...ipc.handlers.keys()].sort()).toEqual(API_METHODS.map(ipcChannel).sort());
    off();
    expect(ipc.handlers.size).toBe(0);
  });

  it('refuses untrusted senders before the backend sees anything', async () => {
    const ipc = new FakeIpcMain();
    const call = vi.fn();
    registerIpcHandlers({ ipcMain: ipc, backend: { call }, isTrustedSender: isTrusted });
    expect(await ipc.invoke(ipcChannel('openProject'), false, { path: '/etc' })).toEqual(UNTRUSTED_SENDER);
    expect(call).not.toHaveBeenCalled();
  });

  it('passes the one argument to backend.call and reports successes', async () => {
    const ipc = new FakeIpcMain();
    const call = vi.fn(async (method: string, args: unknown): Promise<Result<unknown>> =>
      method === 'getRun' ? { ok: false, error: { code: 'NOT_FOUND', message: 'no' } } : { ok: true, value: args },
    );
    const afterCall = vi.fn();
    registerIpcHandlers({ ipcMain: ipc, backend: { call } as never, isTrustedSender: isTrusted, afterCall });
    expect(await ipc.invoke(ipcChannel('openProject'), true, { path: '/x' })).toEqual({ ok: true, value: { path: '/x' } });
    expect(call).toHaveBeenLastCalledWith('openProject', { path: '/x' });
    expect(afterCall).toHaveBeenCalledWith('openProject', { ok: true, value: { path: '/x' } });
    await ipc.invoke(ipcChannel('getRun'), true, { storeId: 's', runId: 'r' });
    expect(afterCall).toHaveBeenCalledTimes(1);
    // Extra arguments are not silently dropped: the validator gets them all and refuses.
    await ipc.invoke(ipcChannel('getStatus'), true, {}, 'extra');
    expect(call).toHaveBeenLastCalledWith('getStatus', [{}, 'extra']);
  });
});

describe('forwardEvents', () => {
  it('sends every contract event to the current window, or drops it when there is none', () => {
    const listeners = new Map<ApiEvent, (p: unknown) => void>();
    const backend = {
      on: (event: ApiEvent, l: (p: unknown) => void) => {
        listeners.set(event, l);
        return () => listeners.delete(event);
      },
    };
    const sent: [string, unknown][] = [];
    let target: { send(c: string, p: unknown): void } | null = { send: (c, p) => sent.push([c, p]) };
    const off = forwardEvents(backend as never, () => target);
    expect([...listeners.keys()].sort()).toEqual([...API_EVENTS].sort());
    listeners.get('indexChanged')!({ generation: 1 });
    target = null;
    listeners.get('indexChanged')!({ generation: 2 });
    expect(sent).toEqual([[ipcChannel('indexChanged'), { generation: 1 }]]);
    off();
    expect(listeners.size).toBe(0);
  });
});

describe('the real backend behind the IPC handlers', () => {
  let backend: Backend;
  const cleanups: (() => Promise<void>)[] = [];
  let project: string;
  const ipc = new FakeIpcMain();

  beforeAll(async () => {
    const config = await tempDir('runsight-ipc-config-');
    const fixture = await copyFixture('seed-rf');
    cleanups.push(config.cleanup, fixture.cleanup);
    project = fixture.dir;
    backend = await createBackend({ host: 'electron', configDir: config.dir, watch: false, pickFolder: async () => project });
    registerIpcHandlers({ ipcMain: ipc, backend, isTrustedSender: isTrusted });
  });
  afterAll(async () => {
    await backend?.dispose();
    for (const c of cleanups) await c();
  });

  it('opens seed-rf, lists its 16 runs and remembers the project', async () => {
    const picked = (await ipc.invoke(ipcChannel('pickFolder'), true, {})) as Result<{ path: string | null }>;
    expect(picked).toEqual({ ok: true, value: { path: project } });
    const opened = (await ipc.invoke(ipcChannel('openProject'), true, { path: project })) as Result<{ stores: unknown[] }>;
    expect(opened.ok && opened.value.stores.length).toBe(1);
    const status = (await ipc.invoke(ipcChannel('getStatus'), true, {})) as Result<{ host: string; project: string; stores: { id: string }[] }>;
    if (!status.ok) throw new Error(status.error.message);
    expect(status.value.host).toBe('electron');
    expect(status.value.project).toBe(project);
    const storeId = status.value.stores[0]!.id;
    const runs = (await ipc.invoke(ipcChannel('queryRuns'), true, { storeId, experimentIds: [] })) as Result<{ total: number }>;
    if (!runs.ok) throw new Error(runs.error.message);
    expect(runs.value.total).toBe(16);
    const recent = (await ipc.invoke(ipcChannel('listRecentProjects'), true, {})) as Result<{ paths: string[] }>;
    expect(recent).toEqual({ ok: true, value: { paths: [project] } });
  });

  it('returns invalid arguments as data', async () => {
    const r = (await ipc.invoke(ipcChannel('getRun'), true, { storeId: 42 })) as Result<unknown>;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('INVALID_ARGUMENT');
  });
});
