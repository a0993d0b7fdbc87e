// The only renderer code that knows the transport. In Electron the preload exposes
// `window.runsight` (IPC); in browser mode we speak the same contract over a WebSocket to the
// bridge server that served this page. Everything above this file sees one typed `api`.
import type {
  ApiArgs,
  ApiError,
  ApiEvent,
  ApiEvents,
  ApiMethod,
  ApiValue,
  Result,
  RunsightBridge,
} from '../../../preload/api.ts';
import { parseWireJson } from '../../../common/wire-json.ts';

declare global {
  interface Window {
    runsight?: RunsightBridge;
  }
}

export class ApiCallError extends Error {
  readonly code: ApiError['code'];
  readonly position: number | undefined;
  readonly length: number | undefined;
  constructor(error: ApiError) {
    super(error.message);
    this.code = error.code;
    this.position = error.position;
    this.length = error.length;
  }
}

type Pending = { resolve: (r: Result<unknown>) => void };

function createWebSocketBridge(): RunsightBridge {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Map<ApiEvent, Set<(p: unknown) => void>>();
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;

  function connect(): Promise<WebSocket> {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
      ws.onopen = () => {
        socket = ws;
        opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        opening = null;
        reject(new Error('Cannot reach the Runsight backend (is `runsight serve` still running?)'));
      };
      ws.onclose = () => {
        socket = null;
        for (const [, p] of pending) {
          p.resolve({ ok: false, error: { code: 'INTERNAL', message: 'Connection to the Runsight backend was lost' } });
        }
        pending.clear();
        // Reconnect so events resume (e.g. after the laptop slept).
        setTimeout(() => void connect().catch(() => undefined), 1000);
      };
      ws.onmessage = (ev) => {
        const msg = parseWireJson(String(ev.data)) as
          | { type: 'result'; id: number; result: Result<unknown> }
          | { type: 'event'; event: ApiEvent; payload: unknown };
        if (msg.type === 'result') {
          pending.get(msg.id)?.resolve(msg.result);
          pending.delete(msg.id);
        } else if (msg.type === 'event') {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        }
      };
    });
    return opening;
  }

  return {
    async call(method, args) {
      const ws = await connect();
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, { resolve: resolve as (r: Result<unknown>) => void });
        ws.send(JSON.stringify({ type: 'call', id, method, args }));
      });
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(event, set);
      void connect().catch(() => undefined);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
}

export const bridge: RunsightBridge = window.runsight ?? createWebSocketBridge();

/** One unwrap for the whole renderer: errors-as-data become ApiCallError. */
export async function call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiValue<M>> {
  const r = await bridge.call(method, args);
  if (r.ok) return r.value;
  throw new ApiCallError(r.error);
}

export function on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
  return bridge.on(event, listener);
}
