// Setup the tracking-writer tests share: a fresh temp folder per call, removed after each test.
import { afterEach } from 'vitest';
import { tempDir } from '../helpers/fixtures.ts';

/** Call at the top of a test file; the returned function makes a temp folder the test may fill. */
export function useTempDirs(prefix = 'runsight-writer-'): () => Promise<string> {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  return async () => {
    const t = await tempDir(prefix);
    cleanups.push(t.cleanup);
    return t.dir;
  };
}
