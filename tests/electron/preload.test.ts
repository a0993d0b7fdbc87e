// The preload under plain Node: `electron` is replaced by a fake contextBridge and ipcRenderer, and
// the real module is loaded — what it exposes, and how calls and events cross.
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { API_EVENTS, API_METHODS, ipcChannel, type RunsightBridge } from '../../preload/api.ts';

const fake = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  return {
    exposed,
    invoke: { fn: null as null | ((channel: string, ...args: unknown[]) => Promise<unknown>) },
    emitter: null as null | import('node:events').EventEmitter,
  };
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const emitter = new Emitter();
  fake.emitter = emitter;
  return {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => fake.invoke.fn!(channel, ...args),
      on: (channel: string, l: (...a: unknown[]) => void) => emitter.on(channel, l),
      removeListener: (channel: string, l: (...a: unknown[]) => void) => emitter.removeListener(channel, l),
    },
  };
});

const { createBridge } = await import('../../preload/index.ts');

function exposedBridge(): RunsightBridge {
  return fake.exposed.get('runsight') as RunsightBridge;
}

describe('preload', () => {
  beforeEach(() => {
    fake.invoke.fn = async (channel, ...args) => ({ ok: true, value: { channel, args } });
  });

  it('exposes exactly one object, window.runsight, with call and on', () => {
    expect([...fake.exposed.keys()]).toEqual(['runsight']);
    const bridge = exposedBridge();
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on']);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('sends each contract method on its own channel with the single argument', async () => {
    for (const method of API_METHODS) {
      const r = await exposedBridge().call(method, { probe: method } as never);
      expect(r).toEqual({ ok: true, value: { channel: ipcChannel(method), args: [{ probe: method }] } });
    }
  });

  it('refuses methods outside the contract without touching IPC', async () => {
    const invoke = vi.fn();
    fake.invoke.fn = invoke;
    for (const bad of ['evil', 'constructor', '__proto__', 'toString', 42, null]) {
      const r = await exposedBridge().call(bad as never, {} as never);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('INVALID_ARGUMENT');
    }
    expect(invoke).not.toHaveBeenCalled();
  });

  it('turns an IPC failure into an error Result', async () => {
    fake.invoke.fn = async () => {
      throw new Error("No handler registered for 'runsight:getStatus'");
    };
    expect(await exposedBridge().call('getStatus', {})).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: "No handler registered for 'runsight:getStatus'" },
    });
  });

  it('delivers event payloads only (never the IPC event) and unsubscribes', () => {
    const emitter = fake.emitter as EventEmitter;
    const seen: unknown[][] = [];
    const off = exposedBridge().on('indexChanged', (...args: unknown[]) => seen.push(args));
    const ipcEvent = { sender: { send: () => undefined } };
    emitter.emit(ipcChannel('indexChanged'), ipcEvent, { generation: 3 });
    emitter.emit(ipcChannel('indexProgress'), ipcEvent, { phase: 'reading' });
    expect(seen).toEqual([[{ generation: 3 }]]);
    off();
    off();
    emitter.emit(ipcChannel('indexChanged'), ipcEvent, { generation: 4 });
    expect(seen).toHaveLength(1);
    expect(emitter.listenerCount(ipcChannel('indexChanged'))).toBe(0);
  });

  it('accepts every contract event and refuses others', () => {
    for (const event of API_EVENTS) exposedBridge().on(event, () => undefined)();
    expect(() => exposedBridge().on('evil' as never, () => undefined)).toThrow(/Unknown event/);
    expect(() => exposedBridge().on('indexChanged', 'x' as never)).toThrow(/function/);
  });

  it('createBridge works over any ipcRenderer-shaped object', async () => {
    const calls: unknown[] = [];
    const bridge = createBridge({
      invoke: async (...a: unknown[]) => {
        calls.push(a);
        return { ok: true, value: 1 };
      },
      on: () => undefined,
      removeListener: () => undefined,
    });
    await bridge.call('listDiagnostics', {});
    expect(calls).toEqual([['runsight:listDiagnostics', {}]]);
  });
});
