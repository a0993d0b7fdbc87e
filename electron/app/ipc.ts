// The contract over Electron IPC: one ipcMain.handle per API method, one webContents.send per
// event, all derived from preload/api.ts. The sender is checked here (only our window's top frame);
// the arguments are validated by backend.call, which also turns every failure into a Result.
// Structured clone carries NaN/±Infinity/-0 metric values as they are (no JSON tagging needed).
import type { IpcMainInvokeEvent } from 'electron';
import { API_EVENTS, API_METHODS, ipcChannel, type ApiMethod, type Result } from '../../preload/api.ts';
import type { Backend } from '../engine/backend/index.ts';

/** The slice of ipcMain used here (tests pass a fake). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown> | unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcOptions {
  ipcMain: IpcMainLike;
  backend: Pick<Backend, 'call'>;
  isTrustedSender(event: IpcMainInvokeEvent): boolean;
  /** After every successful call from the renderer (main rebuilds the recent-projects menu on openProject). */
  afterCall?(method: ApiMethod, result: Result<unknown>): void;
}

export const UNTRUSTED_SENDER: Result<never> = {
  ok: false,
  error: { code: 'INVALID_ARGUMENT', message: 'Refused: IPC accepted only from the Runsight window' },
};

/** Registers one handler per contract method; returns a function that removes them. */
export function registerIpcHandlers(options: IpcOptions): () => void {
  const { ipcMain, backend } = options;
  for (const method of API_METHODS) {
    ipcMain.handle(ipcChannel(method), async (event, ...rest) => {
      if (!options.isTrustedSender(event)) return UNTRUSTED_SENDER;
      // The contract is one object argument; anything else reaches the validator as is and is refused.
      const result = await backend.call(method, rest.length === 1 ? rest[0] : rest);
      if (result.ok) options.afterCall?.(method, result);
      return result;
    });
  }
  return () => {
    for (const method of API_METHODS) ipcMain.removeHandler(ipcChannel(method));
  };
}

/** Where events go: the main window's webContents while it exists. */
export interface EventSink {
  send(channel: string, payload: unknown): void;
}

/** Forwards every contract event to whatever `target()` returns (null: no window, dropped). */
export function forwardEvents(backend: Pick<Backend, 'on'>, target: () => EventSink | null): () => void {
  const offs = API_EVENTS.map((event) =>
    backend.on(event, (payload) => {
      target()?.send(ipcChannel(event), payload);
    }),
  );
  return () => {
    for (const off of offs) off();
  };
}
