// Where the app's own pages live. Packaged and built runs serve the renderer from a privileged
// custom scheme (app://runsight/) rather than file://: Electron's security checklist (#18) warns
// that file:// pages get extra privileges (they can read other file:// URLs), while a standard,
// secure custom scheme is an ordinary origin whose every response we produce ourselves — which is
// also what lets us attach the CSP header to it. `electron-vite dev` serves the renderer from a
// local Vite server instead (ELECTRON_RENDERER_URL); that origin is trusted only when not packaged.

export const APP_SCHEME = 'app';
export const APP_HOST = 'runsight';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

export interface AppOrigins {
  /** Origin of the electron-vite dev server, or null (built or packaged app). */
  devOrigin: string | null;
}

/** The dev server origin from ELECTRON_RENDERER_URL; ignored in a packaged app and if not loopback http. */
export function devOriginFrom(rendererUrl: string | undefined, isPackaged: boolean): string | null {
  if (isPackaged || !rendererUrl) return null;
  const url = parseUrl(rendererUrl);
  if (!url || url.protocol !== 'http:') return null;
  if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return null;
  return url.origin;
}

/** The URL the main window loads. */
export function entryUrl(origins: AppOrigins, rendererUrl?: string): string {
  return origins.devOrigin && rendererUrl ? rendererUrl : APP_ENTRY_URL;
}

/** True for our own pages: app://runsight/… or (dev only) the Vite server's origin. */
export function isAppUrl(raw: string, origins: AppOrigins): boolean {
  const url = parseUrl(raw);
  if (!url) return false;
  // `new URL('app://runsight/x').origin` is "null" for non-special schemes in Node's WHATWG
  // parser, so compare scheme and host rather than origin.
  if (url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === '') return true;
  return origins.devOrigin !== null && url.origin === origins.devOrigin;
}

export function parseUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}
