// The e2e suite's binary detection: it must never call require('electron') (which tries to
// download) and must say what it checked when it skips.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { displayProblem, findElectronBinary } from '../../e2e/electron/electron-env.ts';
import { tempDir } from '../helpers/fixtures.ts';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

async function fakeRoot(): Promise<string> {
  const tmp = await tempDir('runsight-electron-env-');
  cleanup = tmp.cleanup;
  await mkdir(path.join(tmp.dir, 'node_modules/electron'), { recursive: true });
  await writeFile(path.join(tmp.dir, 'node_modules/electron/package.json'), '{"name":"electron"}');
  return tmp.dir;
}

describe('findElectronBinary', () => {
  it('explains a missing package, a missing path.txt and a missing executable', async () => {
    const root = await fakeRoot();
    const none = findElectronBinary(path.join(root, 'elsewhere'), {});
    expect(none).toMatchObject({ ok: false, reason: expect.stringMatching(/^Electron binary not available on this machine: .* is not installed$/) });
    const noPath = findElectronBinary(root, {});
    expect(noPath).toMatchObject({ ok: false, reason: expect.stringMatching(/path\.txt is missing and .*dist does not exist/) });
    await writeFile(path.join(root, 'node_modules/electron/path.txt'), 'electron');
    expect(findElectronBinary(root, {})).toMatchObject({ ok: false, reason: expect.stringMatching(/dist\/electron \(from .*path\.txt\) does not exist/) });
  });

  it('finds the executable named by path.txt, or under ELECTRON_OVERRIDE_DIST_PATH', async () => {
    const root = await fakeRoot();
    await writeFile(path.join(root, 'node_modules/electron/path.txt'), 'electron\n');
    await mkdir(path.join(root, 'node_modules/electron/dist'));
    await writeFile(path.join(root, 'node_modules/electron/dist/electron'), '');
    expect(findElectronBinary(root, {})).toEqual({ ok: true, executablePath: path.join(root, 'node_modules/electron/dist/electron') });
    await mkdir(path.join(root, 'custom'));
    await writeFile(path.join(root, 'custom/electron'), '');
    expect(findElectronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: path.join(root, 'custom') })).toEqual({
      ok: true,
      executablePath: path.join(root, 'custom/electron'),
    });
    expect(findElectronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: path.join(root, 'nope') })).toMatchObject({ ok: false });
  });

  it('asks for a display only on Linux', () => {
    expect(displayProblem({}, 'linux')).toMatch(/xvfb-run/);
    expect(displayProblem({ DISPLAY: ':99' }, 'linux')).toBeNull();
    expect(displayProblem({}, 'darwin')).toBeNull();
  });
});
