// The Content-Security-Policy of the app's own pages in Electron. Same policy as browser mode's
// (electron/serve/server.ts) except connect-src: over IPC the renderer needs no WebSocket, so it
// may connect to nothing but its own origin. tests/electron/csp.test.ts checks the two stay aligned.

const BASE: [string, string[]][] = [
  ['default-src', ["'self'"]],
  ['script-src', ["'self'"]],
  // plotly and React set inline style attributes; no inline scripts anywhere.
  ['style-src', ["'self'", "'unsafe-inline'"]],
  ['img-src', ["'self'", 'data:', 'blob:']],
  ['font-src', ["'self'", 'data:']],
  ['connect-src', ["'self'"]],
  // HTML artifacts are shown in sandboxed blob:/data: iframes.
  ['frame-src', ["'self'", 'blob:', 'data:']],
  ['object-src', ["'none'"]],
  ['base-uri', ["'none'"]],
  ['form-action', ["'none'"]],
  ['frame-ancestors', ["'none'"]],
];

/**
 * The policy string. With `devOrigin` (electron-vite dev only) two relaxations are needed by the
 * Vite dev server: @vitejs/plugin-react injects an inline refresh preamble, and HMR talks over a
 * WebSocket to the same host. Built and packaged apps never get them.
 */
export function contentSecurityPolicy(options: { devOrigin?: string | null } = {}): string {
  const dev = options.devOrigin ? new URL(options.devOrigin) : null;
  return BASE.map(([name, values]) => {
    let v = values;
    if (dev && name === 'script-src') v = [...v, "'unsafe-inline'"];
    if (dev && name === 'connect-src') v = [...v, `ws://${dev.host}`];
    return `${name} ${v.join(' ')}`;
  }).join('; ');
}

/** Parses a policy into directive → sorted sources (tests compare policies with it). */
export function parseCsp(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values.sort());
  }
  return out;
}

const REPLACED = new Set(['content-security-policy', 'content-security-policy-report-only', 'x-content-type-options']);

/**
 * Response headers with our CSP set, replacing any the server sent (header names are
 * case-insensitive, and onHeadersReceived hands us whatever casing the server used).
 */
export function withCspHeaders(
  headers: Record<string, string[] | string> | undefined,
  policy: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const lower = k.toLowerCase();
    if (REPLACED.has(lower)) continue;
    out[k] = Array.isArray(v) ? v : [v];
  }
  out['Content-Security-Policy'] = [policy];
  out['X-Content-Type-Options'] = ['nosniff'];
  return out;
}
