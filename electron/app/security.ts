// The Electron half of the security checklist (docs/architecture.md): navigation and new windows
// denied, no <webview>, permissions denied, no network but our own origin, CSP on our pages, IPC
// only from our top frame. The decisions are pure functions of URLs (unit-tested under plain Node
// in tests/electron/security.test.ts); the `harden*` functions only wire them to Electron objects,
// which they take as parameters so this module never loads `electron` itself.
import { fileURLToPath } from 'node:url';
import type { Session, WebContents } from 'electron';
import { isAppUrl, parseUrl, type AppOrigins } from './app-url.ts';
import { withCspHeaders } from './csp.ts';

export type NavigationDecision =
  | { action: 'allow' }
  | { action: 'deny' }
  /**
   * Denied in the window; a file or folder dropped on a page that did not handle the drop makes
   * Chromium navigate to its file:// URL — we open that path as a project instead.
   */
  | { action: 'open-path'; path: string };

/**
 * will-navigate (main frame): stay on our own pages, always. External links belong in
 * target=_blank (→ decideWindowOpen, which hands https URLs to the OS browser); a plain navigation
 * to them is refused, so a link dragged onto the window does nothing.
 */
export function decideNavigation(raw: string, origins: AppOrigins): NavigationDecision {
  // Reloads and in-app URLs (Vite's full reload in dev) keep the window on our own content.
  if (isAppUrl(raw, origins)) return { action: 'allow' };
  const url = parseUrl(raw);
  if (url?.protocol === 'file:' && (url.host === '' || url.host === 'localhost')) {
    try {
      return { action: 'open-path', path: fileURLToPath(url) };
    } catch {
      return { action: 'deny' };
    }
  }
  return { action: 'deny' };
}

/**
 * window.open / target=_blank: never a new Electron window. Only https URLs are handed to the OS
 * browser (shell.openExternal with file:, smb:, custom schemes… can launch programs).
 */
export function decideWindowOpen(raw: string): { action: 'deny'; openExternal: string | null } {
  return { action: 'deny', openExternal: externalUrl(raw) };
}

/** The URL if it is safe to give to the OS browser: https with a host, no credentials. */
export function externalUrl(raw: string): string | null {
  const url = parseUrl(raw);
  if (!url || url.protocol !== 'https:' || !url.hostname || url.username || url.password) return null;
  return url.href;
}

/** will-redirect: a redirect may only land on our own pages. */
export function redirectAllowed(raw: string, origins: AppOrigins): boolean {
  return isAppUrl(raw, origins);
}

/**
 * The one permission granted: writing text to the clipboard from our own page (the "copy command"
 * buttons). Everything else — camera, notifications, geolocation, HID, fullscreen, … — is denied.
 */
export function permissionAllowed(permission: string, requestingUrl: string, origins: AppOrigins): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl, origins);
}

const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:', 'devtools:']);

/**
 * Every request of the session goes through this: the app has no business on the network. Our
 * pages, in-memory URLs (data:/blob: for images and sandboxed HTML artifacts) and DevTools pass;
 * http(s), ws(s), file: and anything else are cancelled — a second wall behind the CSP that also
 * covers subframes with their own policies. In dev the Vite server (and its HMR socket) pass too.
 */
export function requestAllowed(raw: string, origins: AppOrigins): boolean {
  if (isAppUrl(raw, origins)) return true;
  const url = parseUrl(raw);
  if (!url) return false;
  if (LOCAL_SCHEMES.has(url.protocol)) return true;
  if (origins.devOrigin && url.protocol === 'ws:') return url.host === new URL(origins.devOrigin).host;
  return false;
}

export interface SenderInfo {
  /** `event.sender.id` */
  contentsId: number;
  /** `event.senderFrame`: null once the frame navigated away or was destroyed. */
  frame: { url: string; parent: unknown } | null;
}

/**
 * IPC is served only to the main window's top frame while it shows our own page: not to an
 * iframe (an HTML artifact), not to another webContents, not after a navigation we failed to stop.
 */
export function isTrustedSender(sender: SenderInfo, mainContentsId: number | null, origins: AppOrigins): boolean {
  if (mainContentsId === null || sender.contentsId !== mainContentsId) return false;
  const frame = sender.frame;
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url, origins);
}

export interface HardenOptions {
  origins: AppOrigins;
  /** shell.openExternal, called only with https URLs. */
  openExternal(url: string): void;
  /** A path dropped on `contents` (see NavigationDecision). */
  openPath(path: string, contents: WebContents): void;
}

/** Applied to every webContents the app creates (app 'web-contents-created'). */
export function hardenWebContents(contents: WebContents, options: HardenOptions): void {
  contents.on('will-navigate', (event) => {
    const decision = decideNavigation(event.url, options.origins);
    if (decision.action === 'allow') return;
    event.preventDefault();
    if (decision.action === 'open-path') options.openPath(decision.path, contents);
  });
  contents.on('will-redirect', (event) => {
    if (!redirectAllowed(event.url, options.origins)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.openExternal) options.openExternal(decision.openExternal);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Permission handlers, the request filter and the CSP header for the window's session. */
export function hardenSession(session: Session, options: { origins: AppOrigins; csp: string }): void {
  const { origins, csp } = options;
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(permissionAllowed(permission, details.requestingUrl, origins));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    permissionAllowed(permission, requestingOrigin, origins),
  );
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !requestAllowed(details.url, origins) });
  });
  // app:// responses already carry the policy (protocol.ts); this also covers the dev server's
  // pages and anything that reaches the window some other way.
  session.webRequest.onHeadersReceived((details, callback) => {
    const page = details.resourceType === 'mainFrame' || details.resourceType === 'subFrame';
    if (page && isAppUrl(details.url, origins)) {
      callback({ responseHeaders: withCspHeaders(details.responseHeaders, csp) });
    } else {
      callback({});
    }
  });
}
