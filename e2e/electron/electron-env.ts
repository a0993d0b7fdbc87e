// Finding the Electron binary without `require('electron')`: the electron package's index.js
// tries to download the binary when it is missing (there is no network for that here), so the
// files it would read are checked directly instead.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type ElectronBinary = { ok: true; executablePath: string } | { ok: false; reason: string };

export function findElectronBinary(root = repoRoot, env: NodeJS.ProcessEnv = process.env): ElectronBinary {
  const pkg = path.join(root, 'node_modules/electron');
  if (!existsSync(path.join(pkg, 'package.json'))) {
    return { ok: false, reason: `Electron binary not available on this machine: ${pkg} is not installed` };
  }
  const pathTxt = path.join(pkg, 'path.txt');
  const relative = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const exe = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return existsSync(exe)
      ? { ok: true, executablePath: exe }
      : { ok: false, reason: `Electron binary not available on this machine: ELECTRON_OVERRIDE_DIST_PATH is set but ${exe} does not exist` };
  }
  const dist = path.join(pkg, 'dist');
  if (!relative) {
    return {
      ok: false,
      reason: `Electron binary not available on this machine: ${pathTxt} is missing and ${dist} ${existsSync(dist) ? 'exists but is incomplete' : 'does not exist'} (the electron package was installed without downloading its binary)`,
    };
  }
  const exe = path.join(dist, relative);
  return existsSync(exe)
    ? { ok: true, executablePath: exe }
    : { ok: false, reason: `Electron binary not available on this machine: ${exe} (from ${pathTxt}) does not exist` };
}

/** Linux needs a display server for a real window; under CI, run through xvfb-run. */
export function displayProblem(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | null {
  if (platform !== 'linux' || env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  return 'No display for an Electron window (DISPLAY and WAYLAND_DISPLAY are unset): run under `xvfb-run -a`';
}
