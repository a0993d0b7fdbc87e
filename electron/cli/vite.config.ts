// The installable `runsight` command: electron/cli/main.ts bundled for plain Node into dist/cli/
// (what `bin/runsight.js` loads and `npm pack` ships). Everything in node_modules stays external —
// the package's `dependencies` are installed beside it — so the bundle is only our own code.
// Every command module is a dynamic import with a literal path, so each becomes a chunk here and
// a new one (e.g. `report`) needs nothing in this file.
// Files the engine opens relative to its own module at run time travel along under fixed names:
//   - the stores' load helper threads (`new URL('./load-worker.ts', import.meta.url)` and the
//     SQLite store's `sqlite-load-worker.ts`) are entries of their own beside the chunks
//     (scripts/vite-workers.ts);
//   - the SQLite schema of MLflow 3.5 (tracking-writer.ts) is copied as `mlflow-3.5-schema.sql`.
// Output is flat (no sub-folders), so those relative URLs hold from whichever chunk uses them.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { WORKER_ENTRIES, workerUrls } from '../../scripts/vite-workers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SCHEMA = resolve(root, 'electron/engine/writer/mlflow-3.5-schema.sql');

function runtimeFiles(): Plugin {
  return {
    name: 'runsight-cli-runtime-files',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'mlflow-3.5-schema.sql', source: readFileSync(SCHEMA, 'utf8') });
    },
  };
}

export default defineConfig({
  root,
  // No public dir, no .env files: this is a Node program.
  publicDir: false,
  envDir: false,
  logLevel: 'warn',
  plugins: [workerUrls(), runtimeFiles()],
  build: {
    ssr: true,
    // Vite drops emitted assets from SSR builds unless asked: the schema file is one.
    ssrEmitAssets: true,
    outDir: resolve(root, 'dist/cli'),
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    sourcemap: false,
    rollupOptions: {
      input: {
        main: resolve(root, 'electron/cli/main.ts'),
        ...WORKER_ENTRIES,
      },
      external: [/^node:/, ...builtinModules],
      output: {
        format: 'es',
        entryFileNames: '[name].js',
        chunkFileNames: '[name]-[hash].js',
      },
    },
  },
  ssr: { target: 'node' },
});
