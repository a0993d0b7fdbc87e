// The engine's helper threads, for the bundlers (the CLI's vite.config.ts, electron.vite.config.ts).
// In the sources a store reader starts its thread as `new Worker(new URL('./<name>.ts',
// import.meta.url))`; a bundle ships each thread's module as an entry of its own, `<name>.js`,
// beside the chunks (output flat, so the relative URL holds from whichever chunk uses it), and
// this plugin rewrites those URLs to it.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Entry name -> module, for rollupOptions.input. */
export const WORKER_ENTRIES: Record<string, string> = {
  'load-worker': resolve(root, 'electron/engine/stores/mlflow-file/load-worker.ts'),
  'sqlite-load-worker': resolve(root, 'electron/engine/stores/mlflow-sqlite/sqlite-load-worker.ts'),
};

export function workerUrls(): Plugin {
  const names = Object.keys(WORKER_ENTRIES).map((n) => n.replace(/[-]/g, '\\-'));
  const pattern = new RegExp(`new URL\\((['"])\\./(${names.join('|')})\\.ts\\1, import\\.meta\\.url\\)`, 'g');
  return {
    name: 'runsight-worker-urls',
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      const out = code.replace(pattern, "new URL('./$2.js', import.meta.url)");
      return out === code ? null : { code: out, map: null };
    },
  };
}
