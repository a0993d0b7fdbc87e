// Browser mode: the same backend the Electron main process wraps, served to the renderer over
// HTTP + WebSocket on loopback. Used where Electron cannot run and by the e2e suite.
// Security: loopback only, a per-launch token (in the printed URL, then an HttpOnly SameSite
// cookie), Host and Origin checked on every request and on the WebSocket upgrade (DNS rebinding
// and cross-site pages), and a strict CSP on the app shell.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { toWireJson } from '../../common/wire-json.ts';
import { API_EVENTS, API_METHODS, type ApiMethod } from '../../preload/api.ts';
import type { Backend } from '../engine/backend/index.ts';
import { staticMime } from '../engine/fs/mime.ts';
import { StaticFiles } from './static-files.ts';

export interface BridgeServerOptions {
  backend: Backend;
  /** The built renderer (index.html + assets). */
  staticDir: string;
  port?: number;
  /** Fixed token (tests); a random one per launch otherwise. */
  token?: string;
}

export interface BridgeServer {
  url: string;
  origin: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const COOKIE = 'runsight_token';

export async function startBridgeServer(options: BridgeServerOptions): Promise<BridgeServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const statics = new StaticFiles(options.staticDir);
  statics.preload();
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  function tokenOf(req: IncomingMessage, url: URL): string | null {
    const q = url.searchParams.get('token');
    if (q) return q;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return auth.slice(7);
    const cookie = req.headers.cookie ?? '';
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === COOKIE) return decodeURIComponent(v.join('='));
    }
    return null;
  }

  function tokenOk(candidate: string | null): boolean {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** null when allowed, else the status and reason to refuse with. */
  function refuse(req: IncomingMessage, url: URL): [number, string] | null {
    if (!allowedHosts().has(req.headers.host ?? '')) return [403, 'Forbidden host'];
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return [403, 'Forbidden origin'];
    if (!tokenOk(tokenOf(req, url))) return [401, 'Missing or wrong token: open the URL Runsight printed'];
    return null;
  }

  const server = createServer((req, res) => {
    try {
      handleHttp(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const denied = refuse(req, url);
    if (denied) {
      res.writeHead(denied[0], { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${denied[1]}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405);
      res.end();
      return;
    }
    const headers: Record<string, string> = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    };
    if (url.searchParams.has('token')) {
      headers['set-cookie'] = `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
    }
    let rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    if (rel === '' || !path.extname(rel)) rel = 'index.html';
    const found = statics.lookup(rel);
    if (!found) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      res.end(rel === 'index.html' ? 'The renderer is not built: run `npm run build` first\n' : 'Not found\n');
      return;
    }
    const file = found.file;
    const ext = path.extname(file);
    headers['content-type'] = staticMime(ext);
    if (ext === '.html') {
      headers['content-security-policy'] = [
        "default-src 'self'",
        "script-src 'self'",
        // plotly and React inline style attributes; no inline scripts anywhere.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
        "frame-src 'self' blob: data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; ');
      headers['x-frame-options'] = 'DENY';
    }
    // Vite names every asset by a hash of its content: a browser may keep them for good.
    if (rel.startsWith('assets/')) headers['cache-control'] = 'public, max-age=31536000, immutable';
    res.writeHead(200, { ...headers, 'content-length': String(found.kind === 'memory' ? found.body.length : found.size) });
    if (req.method === 'HEAD') res.end();
    else if (found.kind === 'memory') res.end(found.body);
    else createReadStream(file).pipe(res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const denied = url.pathname === '/ws' ? refuse(req, url) : ([404, 'Not found'] as [number, string]);
    if (denied) {
      socket.write(`HTTP/1.1 ${denied[0]} ${denied[1]}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const unsubscribe = API_EVENTS.map((event) =>
      options.backend.on(event, (payload) => {
        if (ws.readyState === ws.OPEN) ws.send(toWireJson({ type: 'event', event, payload }));
      }),
    );
    ws.on('message', (data) => {
      void handleMessage(ws, data.toString());
    });
    ws.on('close', () => {
      for (const u of unsubscribe) u();
    });
  });

  async function handleMessage(ws: WebSocket, text: string): Promise<void> {
    let msg: { type?: unknown; id?: unknown; method?: unknown; args?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.type !== 'call' || typeof msg.id !== 'number' || typeof msg.method !== 'string') return;
    const method = msg.method as ApiMethod;
    const result = API_METHODS.includes(method)
      ? await options.backend.call(method, msg.args)
      : { ok: false as const, error: { code: 'INVALID_ARGUMENT' as const, message: `Unknown method ${msg.method}` } };
    if (ws.readyState === ws.OPEN) ws.send(toWireJson({ type: 'result', id: msg.id, result }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    server,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
