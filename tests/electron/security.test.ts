// The Electron security decisions, as pure functions of URLs and senders (no Electron binary
// needed), plus the wiring functions driven with fake webContents / session objects.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { Session, WebContents } from 'electron';
import { APP_ENTRY_URL, devOriginFrom, entryUrl, isAppUrl, type AppOrigins } from '../../electron/app/app-url.ts';
import { contentSecurityPolicy } from '../../electron/app/csp.ts';
import {
  decideNavigation,
  decideWindowOpen,
  externalUrl,
  hardenSession,
  hardenWebContents,
  isTrustedSender,
  permissionAllowed,
  redirectAllowed,
  requestAllowed,
} from '../../electron/app/security.ts';

const built: AppOrigins = { devOrigin: null };
const dev: AppOrigins = { devOrigin: 'http://localhost:5173' };

describe('app URLs', () => {
  it('recognises only app://runsight and, in dev, the Vite origin', () => {
    expect(isAppUrl('app://runsight/index.html', built)).toBe(true);
    expect(isAppUrl('app://runsight/assets/x.js?v=1#a', built)).toBe(true);
    expect(isAppUrl('app://evil/index.html', built)).toBe(false);
    expect(isAppUrl('app://user:pw@runsight/index.html', built)).toBe(false);
    expect(isAppUrl('file:///index.html', built)).toBe(false);
    expect(isAppUrl('http://localhost:5173/', built)).toBe(false);
    expect(isAppUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://localhost:5173.evil.com/', dev)).toBe(false);
    expect(isAppUrl('not a url', dev)).toBe(false);
  });

  it('trusts the dev server only when unpackaged, on loopback http', () => {
    expect(devOriginFrom('http://localhost:5173/', false)).toBe('http://localhost:5173');
    expect(devOriginFrom('http://127.0.0.1:5173', false)).toBe('http://127.0.0.1:5173');
    expect(devOriginFrom('http://localhost:5173/', true)).toBeNull();
    expect(devOriginFrom('https://example.com/', false)).toBeNull();
    expect(devOriginFrom('http://192.168.1.4:5173/', false)).toBeNull();
    expect(devOriginFrom(undefined, false)).toBeNull();
    expect(entryUrl(built)).toBe(APP_ENTRY_URL);
    expect(entryUrl(dev, 'http://localhost:5173/')).toBe('http://localhost:5173/');
  });
});

describe('navigation', () => {
  it('allows our own pages and refuses everything else', () => {
    expect(decideNavigation('app://runsight/index.html', built)).toEqual({ action: 'allow' });
    for (const url of ['https://example.com/', 'http://localhost:5173/', 'javascript:alert(1)', 'data:text/html,hi', 'chrome://gpu', 'app://other/']) {
      expect(decideNavigation(url, built)).toEqual({ action: 'deny' });
    }
  });

  it('turns a dropped folder or file (file:// navigation) into a path to open', () => {
    expect(decideNavigation('file:///home/u/my%20project/', built)).toEqual({ action: 'open-path', path: '/home/u/my project/' });
    expect(decideNavigation('file:///data/mlflow.db', built)).toEqual({ action: 'open-path', path: '/data/mlflow.db' });
    // A remote host in a file URL is not a local path.
    expect(decideNavigation('file://server/share/x', built)).toEqual({ action: 'deny' });
  });

  it('never opens a window; only https goes to the OS browser', () => {
    expect(decideWindowOpen('https://mlflow.org/docs/')).toEqual({ action: 'deny', openExternal: 'https://mlflow.org/docs/' });
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'smb://host/share', 'javascript:alert(1)', 'app://runsight/', 'https://user:pw@example.com/', 'about:blank', '']) {
      expect(decideWindowOpen(url)).toEqual({ action: 'deny', openExternal: null });
    }
    expect(externalUrl('HTTPS://Example.com/a b')).toBe('https://example.com/a%20b');
  });

  it('allows redirects only to our own pages', () => {
    expect(redirectAllowed('app://runsight/index.html', built)).toBe(true);
    expect(redirectAllowed('https://example.com/', built)).toBe(false);
  });
});

describe('permissions and requests', () => {
  it('grants clipboard writes to our page and nothing else', () => {
    expect(permissionAllowed('clipboard-sanitized-write', 'app://runsight/index.html', built)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'app://runsight', built)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://example.com/', built)).toBe(false);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid']) {
      expect(permissionAllowed(p, 'app://runsight/index.html', built)).toBe(false);
    }
  });

  it('lets no request leave the machine', () => {
    for (const url of ['app://runsight/assets/a.js', 'data:image/png;base64,AA==', 'blob:app://runsight/123', 'about:blank', 'devtools://devtools/x']) {
      expect(requestAllowed(url, built)).toBe(true);
    }
    for (const url of ['https://example.com/', 'http://127.0.0.1:8080/', 'ws://localhost:5173/', 'file:///etc/passwd', 'ftp://x/']) {
      expect(requestAllowed(url, built)).toBe(false);
    }
    expect(requestAllowed('http://localhost:5173/@vite/client', dev)).toBe(true);
    expect(requestAllowed('ws://localhost:5173/', dev)).toBe(true);
    expect(requestAllowed('ws://localhost:9999/', dev)).toBe(false);
  });
});

describe('IPC sender', () => {
  const top = { url: 'app://runsight/index.html', parent: null };
  it('accepts only the main window top frame on our page', () => {
    expect(isTrustedSender({ contentsId: 1, frame: top }, 1, built)).toBe(true);
    expect(isTrustedSender({ contentsId: 2, frame: top }, 1, built)).toBe(false);
    expect(isTrustedSender({ contentsId: 1, frame: top }, null, built)).toBe(false);
    expect(isTrustedSender({ contentsId: 1, frame: null }, 1, built)).toBe(false);
    expect(isTrustedSender({ contentsId: 1, frame: { url: 'app://runsight/index.html', parent: {} } }, 1, built)).toBe(false);
    expect(isTrustedSender({ contentsId: 1, frame: { url: 'https://example.com/', parent: null } }, 1, built)).toBe(false);
    expect(isTrustedSender({ contentsId: 1, frame: { url: 'blob:app://runsight/1', parent: null } }, 1, built)).toBe(false);
  });
});

class FakeContents extends EventEmitter {
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}

function navEvent(url: string) {
  return { url, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
}

describe('hardenWebContents', () => {
  it('wires navigation, redirects, window.open and webview attachment', () => {
    const contents = new FakeContents();
    const openExternal = vi.fn();
    const openPath = vi.fn();
    hardenWebContents(contents as unknown as WebContents, { origins: built, openExternal, openPath });

    const ok = navEvent('app://runsight/index.html');
    contents.emit('will-navigate', ok);
    expect(ok.defaultPrevented).toBe(false);

    const away = navEvent('https://example.com/');
    contents.emit('will-navigate', away);
    expect(away.defaultPrevented).toBe(true);
    expect(openExternal).not.toHaveBeenCalled();

    const drop = navEvent('file:///tmp/project/');
    contents.emit('will-navigate', drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(openPath).toHaveBeenCalledWith('/tmp/project/', contents);

    const redirect = navEvent('https://example.com/');
    contents.emit('will-redirect', redirect);
    expect(redirect.defaultPrevented).toBe(true);

    expect(contents.openHandler?.({ url: 'https://mlflow.org/' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://mlflow.org/');
    expect(contents.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledTimes(1);

    const webview = navEvent('');
    contents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
  });
});

describe('hardenSession', () => {
  it('installs permission handlers, the request filter and the CSP header', () => {
    const handlers: Record<string, (...args: never[]) => unknown> = {};
    const fake = {
      setPermissionRequestHandler: (h: never) => (handlers.request = h),
      setPermissionCheckHandler: (h: never) => (handlers.check = h),
      setDevicePermissionHandler: (h: never) => (handlers.device = h),
      webRequest: {
        onBeforeRequest: (h: never) => (handlers.before = h),
        onHeadersReceived: (h: never) => (handlers.headers = h),
      },
    };
    const csp = contentSecurityPolicy();
    hardenSession(fake as unknown as Session, { origins: built, csp });

    const granted: boolean[] = [];
    const request = handlers.request as (wc: unknown, p: string, cb: (g: boolean) => void, d: { requestingUrl: string }) => void;
    request(null, 'media', (g) => granted.push(g), { requestingUrl: 'app://runsight/index.html' });
    request(null, 'clipboard-sanitized-write', (g) => granted.push(g), { requestingUrl: 'app://runsight/index.html' });
    expect(granted).toEqual([false, true]);
    expect((handlers.check as (wc: unknown, p: string, o: string) => boolean)(null, 'notifications', 'app://runsight')).toBe(false);
    expect((handlers.device as () => boolean)()).toBe(false);

    const before = handlers.before as (d: { url: string }, cb: (r: { cancel?: boolean }) => void) => void;
    const decisions: (boolean | undefined)[] = [];
    before({ url: 'https://example.com/' }, (r) => decisions.push(r.cancel));
    before({ url: 'app://runsight/index.html' }, (r) => decisions.push(r.cancel));
    expect(decisions).toEqual([true, false]);

    const headers = handlers.headers as (
      d: { url: string; resourceType: string; responseHeaders?: Record<string, string[]> },
      cb: (r: { responseHeaders?: Record<string, string[]> }) => void,
    ) => void;
    let page: Record<string, string[]> | undefined;
    headers(
      { url: 'app://runsight/index.html', resourceType: 'mainFrame', responseHeaders: { 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] } },
      (r) => (page = r.responseHeaders),
    );
    expect(page?.['Content-Security-Policy']).toEqual([csp]);
    expect(page?.['content-security-policy']).toBeUndefined();
    expect(page?.['Content-Type']).toEqual(['text/html']);
    let other: unknown = 'unset';
    headers({ url: 'app://runsight/assets/a.js', resourceType: 'script' }, (r) => (other = r.responseHeaders));
    expect(other).toBeUndefined();
  });
});
