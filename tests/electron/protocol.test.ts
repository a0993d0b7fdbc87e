// app://runsight/ → out/renderer: containment, SPA fallback, CSP on HTML, methods.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler, resolveAppAsset } from '../../electron/app/protocol.ts';
import { tempDir } from '../helpers/fixtures.ts';

let root: string;
let renderer: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const tmp = await tempDir('runsight-protocol-');
  cleanup = tmp.cleanup;
  root = tmp.dir;
  renderer = path.join(root, 'renderer');
  await mkdir(path.join(renderer, 'assets'), { recursive: true });
  await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>Runsight</title>');
  await writeFile(path.join(renderer, 'assets/app.js'), 'console.log(1)');
  await writeFile(path.join(root, 'secret.txt'), 'outside');
});
afterAll(() => cleanup?.());

describe('resolveAppAsset', () => {
  it('maps paths inside the renderer folder, with the shell for routes', () => {
    expect(resolveAppAsset(renderer, 'app://runsight/assets/app.js')).toBe(path.join(renderer, 'assets/app.js'));
    expect(resolveAppAsset(renderer, 'app://runsight/')).toBe(path.join(renderer, 'index.html'));
    expect(resolveAppAsset(renderer, 'app://runsight/runs/abc')).toBe(path.join(renderer, 'index.html'));
    expect(resolveAppAsset(renderer, 'app://runsight/assets/a%20b.js')).toBe(path.join(renderer, 'assets/a b.js'));
  });

  it('refuses other hosts, escapes and bad encodings', () => {
    expect(resolveAppAsset(renderer, 'app://other/index.html')).toBeNull();
    expect(resolveAppAsset(renderer, 'https://runsight/index.html')).toBeNull();
    // The URL parser already folds dot segments, so these stay inside (and are simply missing).
    expect(resolveAppAsset(renderer, 'app://runsight/%2e%2e/secret.txt')).toBe(path.join(renderer, 'secret.txt'));
    expect(resolveAppAsset(renderer, 'app://runsight/../../secret.txt')).toBe(path.join(renderer, 'secret.txt'));
    // Encoded separators survive parsing and are caught by the containment check.
    expect(resolveAppAsset(renderer, 'app://runsight/assets/%2e%2e%2f%2e%2e%2fsecret.txt')).toBeNull();
    expect(resolveAppAsset(renderer, 'app://runsight/..%5csecret.txt')).toBeNull();
    expect(resolveAppAsset(renderer, 'app://runsight/%00.js')).toBeNull();
    expect(resolveAppAsset(renderer, 'app://runsight/%E0%A4%A.js')).toBeNull();
  });
});

describe('createAppProtocolHandler', () => {
  const csp = "default-src 'self'";
  it('serves HTML with the CSP and assets with their type', async () => {
    const handle = createAppProtocolHandler({ rendererDir: renderer, csp });
    const page = await handle(new Request('app://runsight/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(csp);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>Runsight</title>');
    const js = await handle(new Request('app://runsight/assets/app.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('content-security-policy')).toBeNull();
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers 404 for missing files and escapes, 405 for writes', async () => {
    const handle = createAppProtocolHandler({ rendererDir: renderer, csp });
    expect((await handle(new Request('app://runsight/assets/missing.js'))).status).toBe(404);
    expect((await handle(new Request('app://runsight/%2e%2e/secret.txt'))).status).toBe(404);
    expect((await handle(new Request('app://runsight/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
    const head = await handle(new Request('app://runsight/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('says how to fix a missing build', async () => {
    const handle = createAppProtocolHandler({ rendererDir: path.join(root, 'not-built'), csp });
    const r = await handle(new Request('app://runsight/'));
    expect(r.status).toBe(404);
    expect(await r.text()).toMatch(/npm run build/);
  });
});
