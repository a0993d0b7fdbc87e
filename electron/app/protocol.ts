// app://runsight/… → the built renderer (out/renderer), with path containment and the CSP header
// on every HTML response. The scheme must be registered as privileged before `ready`
// (APP_SCHEME_PRIVILEGES) so it is a standard, secure origin: relative URLs resolve, module
// scripts and fetch work, and it counts as a secure context.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CustomScheme } from 'electron';
import { resolveInside } from '../engine/fs/paths.ts';
import { APP_HOST, APP_SCHEME } from './app-url.ts';
import { staticMime } from '../engine/fs/mime.ts';

export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  // corsEnabled: Vite emits `<script type="module" crossorigin>`, and module scripts are always
  // fetched in CORS mode; on a custom scheme that load depends on this flag (it also makes the
  // scheme readable cross-origin, which exposes nothing: app:// serves only the public bundle).
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
};


/** The file a request maps to, or null (wrong host, escape attempt, bad encoding). */
export function resolveAppAsset(rendererDir: string, rawUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  } catch {
    return null;
  }
  // Client-side routes have no extension: they all get the app shell.
  if (rel === '' || !path.extname(rel)) rel = 'index.html';
  try {
    return resolveInside(rendererDir, rel);
  } catch {
    return null;
  }
}

/** The protocol.handle handler for APP_SCHEME. Uses only web-standard Request/Response. */
export function createAppProtocolHandler(options: { rendererDir: string; csp: string }): (request: Request) => Promise<Response> {
  const rendererDir = path.resolve(options.rendererDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    const file = resolveAppAsset(rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      const missingShell = path.basename(file) === 'index.html';
      return new Response(missingShell ? 'The renderer is not built: run `npm run build` first' : 'Not found', {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    const ext = path.extname(file).toLowerCase();
    const headers: Record<string, string> = {
      'content-type': staticMime(ext),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    };
    if (ext === '.html') headers['content-security-policy'] = options.csp;
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  };
}
