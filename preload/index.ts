// The preload: exposes `window.runsight` (RunsightBridge) to the sandboxed, context-isolated page.
// It is generated from the contract's method and event lists, so the page gets exactly
// `call(method, args)` for listed methods and `on(event, fn)` for listed events — never
// ipcRenderer, never an arbitrary channel, never the IPC event object (whose `sender` would hand
// the page ipcRenderer back).
//
// Sandboxed preloads cannot load modules: electron-vite bundles this file and the contract into
// one CommonJS file (out/preload/index.cjs); `electron` is the only require left at run time.
// Lint enforces that nothing but `electron` and ./api is imported here.
import { contextBridge, ipcRenderer } from 'electron';
import {
  API_EVENTS,
  API_METHODS,
  ipcChannel,
  type ApiArgs,
  type ApiEvent,
  type ApiMethod,
  type ApiValue,
  type Result,
  type RunsightBridge,
} from './api.ts';

/** The slice of ipcRenderer the bridge uses (tests pass a fake). */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

const methods = new Set<string>(API_METHODS);
const events = new Set<string>(API_EVENTS);

function refused(message: string): Result<never> {
  return { ok: false, error: { code: 'INVALID_ARGUMENT', message } };
}

export function createBridge(ipc: IpcRendererLike): RunsightBridge {
  const bridge: RunsightBridge = {
    async call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<Result<ApiValue<M>>> {
      if (typeof method !== 'string' || !methods.has(method)) return refused(`Unknown method ${String(method)}`);
      try {
        return (await ipc.invoke(ipcChannel(method), args)) as Result<ApiValue<M>>;
      } catch (e) {
        // invoke rejects only when IPC itself fails (no handler yet, arguments not cloneable…).
        return { ok: false, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } };
      }
    },
    on(event, listener) {
      if (typeof event !== 'string' || !events.has(event)) throw new Error(`Unknown event ${String(event)}`);
      if (typeof listener !== 'function') throw new Error('on(event, listener): listener must be a function');
      const channel = ipcChannel(event as ApiEvent);
      const wrapped = (_event: unknown, payload: unknown) => (listener as (p: unknown) => void)(payload);
      ipc.on(channel, wrapped);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(channel, wrapped);
      };
    },
  };
  // Frozen: the page gets a copy through contextBridge anyway; this keeps the preload's own
  // reference honest too.
  return Object.freeze(bridge);
}

contextBridge.exposeInMainWorld('runsight', createBridge(ipcRenderer));
