// `npm start [folder]`: the desktop app where an Electron binary exists, otherwise browser mode
// (same UI, same engine, on 127.0.0.1 with a token) — on the demo project when no folder is given.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);
const args = process.argv.slice(2);
// Tools start with `#!/usr/bin/env node`: the project's Node (v24) first on PATH, as npm does.
const env = { ...process.env, PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}` };

function run(cmd: string, cmdArgs: string[]): number {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
  return r.status ?? 1;
}

/** Electron ≥ 42 installs without its binary; it is only usable where dist/ was fetched. */
function electronBinary(): string | null {
  const dist = path.join(root, 'node_modules/electron/dist');
  const exe = process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app' : 'electron';
  const p = path.join(dist, exe);
  return existsSync(p) ? p : null;
}

const electron = process.env.RUNSIGHT_BROWSER ? null : electronBinary();
if (electron) {
  process.exitCode = run(bin('electron-vite'), ['build']) || run(electron, ['.', ...args]);
} else {
  process.stdout.write(
    'Electron binary not available here (node_modules/electron/dist is missing and cannot be downloaded): starting browser mode.\n',
  );
  // The page and the CLI as the package ships them (npm pack builds the same two): the bundle
  // starts faster than the sources, whose TypeScript Node would strip file by file on each start.
  const code =
    run(bin('vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']) ||
    run(bin('vite'), ['build', '--config', 'electron/cli/vite.config.ts', '--logLevel', 'warn']);
  process.exitCode = code || run(process.execPath, [path.join(root, 'dist/cli/main.js'), 'serve', ...args]);
}
