// The Electron CSP: strict, and the same policy browser mode serves except for the WebSocket.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../electron/engine/backend/index.ts';
import { contentSecurityPolicy, parseCsp, withCspHeaders } from '../../electron/app/csp.ts';
import { startBridgeServer, type BridgeServer } from '../../electron/serve/server.ts';
import { tempDir } from '../helpers/fixtures.ts';

describe('contentSecurityPolicy', () => {
  it('allows scripts from our origin only and nothing remote', () => {
    const csp = parseCsp(contentSecurityPolicy());
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    const all = [...csp.values()].flat();
    expect(all.some((s) => /^(https?|wss?):/.test(s) || s === '*' || s === "'unsafe-eval'")).toBe(false);
  });

  it('relaxes only for the dev server, and only what Vite needs', () => {
    const strict = parseCsp(contentSecurityPolicy());
    const dev = parseCsp(contentSecurityPolicy({ devOrigin: 'http://localhost:5173' }));
    expect(dev.get('script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(dev.get('connect-src')).toEqual(["'self'", 'ws://localhost:5173']);
    for (const [k, v] of strict) if (k !== 'script-src' && k !== 'connect-src') expect(dev.get(k)).toEqual(v);
  });

  it('replaces whatever CSP a response carried, whatever its header casing', () => {
    const out = withCspHeaders({ 'Content-Security-Policy': ['default-src *'], 'content-security-policy-report-only': 'x', 'X-Content-Type-Options': ['sniff'], Server: 'vite' }, 'P');
    expect(out).toEqual({ Server: ['vite'], 'Content-Security-Policy': ['P'], 'X-Content-Type-Options': ['nosniff'] });
  });
});

describe('alignment with browser mode', () => {
  let server: BridgeServer;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const tmp = await tempDir('runsight-csp-');
    cleanup = tmp.cleanup;
    await mkdir(path.join(tmp.dir, 'static'));
    await writeFile(path.join(tmp.dir, 'static/index.html'), '<!doctype html><title>t</title>');
    const backend = {
      call: async () => ({ ok: false, error: { code: 'INTERNAL', message: 'unused' } }),
      on: () => () => undefined,
    } as unknown as Backend;
    server = await startBridgeServer({ backend, staticDir: path.join(tmp.dir, 'static') });
  });
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  it('serves the same directives, minus the WebSocket sources', async () => {
    const res = await fetch(server.url);
    const served = parseCsp(res.headers.get('content-security-policy') ?? '');
    const ours = parseCsp(contentSecurityPolicy());
    expect([...ours.keys()].sort()).toEqual([...served.keys()].sort());
    for (const [k, v] of served) {
      expect(ours.get(k), k).toEqual(v.filter((s) => !s.startsWith('ws:')));
    }
  });
});
