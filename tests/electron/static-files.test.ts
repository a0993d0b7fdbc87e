// Browser mode's renderer files, answered from memory (electron/serve/static-files.ts): what is
// served is what is on disk now, nothing outside the folder is, and big files are streamed.
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaticFiles } from '../../electron/serve/static-files.ts';
import { tempDir } from '../helpers/fixtures.ts';

describe('StaticFiles', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir('runsight-static-'));
    await mkdir(path.join(root, 'renderer/assets'), { recursive: true });
    await writeFile(path.join(root, 'renderer/index.html'), '<!doctype html>one');
    await writeFile(path.join(root, 'renderer/assets/app-abc.js'), 'console.log(1)');
    await writeFile(path.join(root, 'secret.txt'), 'not served');
  });
  afterEach(() => cleanup());

  it('answers preloaded files from memory, and a rewritten file with its new content', async () => {
    const files = new StaticFiles(path.join(root, 'renderer'));
    files.preload();
    const first = files.lookup('index.html');
    expect(first?.kind).toBe('memory');
    expect(first?.kind === 'memory' && first.body.toString()).toBe('<!doctype html>one');
    expect(files.lookup('index.html')).toEqual(first);
    await writeFile(path.join(root, 'renderer/index.html'), '<!doctype html>two!');
    const later = new Date(Date.now() + 5000);
    await utimes(path.join(root, 'renderer/index.html'), later, later);
    const again = files.lookup('index.html');
    expect(again?.kind === 'memory' && again.body.toString()).toBe('<!doctype html>two!');
    expect(files.lookup('assets/app-abc.js')?.kind).toBe('memory');
  });

  it('serves nothing outside its folder, and no folders or missing files', () => {
    const files = new StaticFiles(path.join(root, 'renderer'));
    expect(files.lookup('../secret.txt')).toBeNull();
    expect(files.lookup('assets/../../secret.txt')).toBeNull();
    expect(files.lookup(path.join(root, 'secret.txt'))).toBeNull();
    expect(files.lookup('assets')).toBeNull();
    expect(files.lookup('assets/nope.js')).toBeNull();
  });

  it('streams a file too big to keep (plotly) instead of holding it', async () => {
    await writeFile(path.join(root, 'renderer/assets/big.js'), Buffer.alloc(3 * 1024 * 1024, 32));
    const found = new StaticFiles(path.join(root, 'renderer')).lookup('assets/big.js');
    expect(found).toEqual({ kind: 'stream', file: path.join(root, 'renderer/assets/big.js'), size: 3 * 1024 * 1024 });
  });
});
