// electron-vite looks under src/ by default; our layout (electron/, preload/, renderer/) names every entry.
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import { rendererConfig } from './renderer/vite.config.ts';
import { WORKER_ENTRIES, workerUrls } from './scripts/vite-workers.ts';

export default defineConfig({
  main: {
    plugins: [workerUrls()],
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      // The stores' helper threads are entries of their own beside main.js, output flat so that
      // their relative URLs hold from any chunk (scripts/vite-workers.ts).
      rollupOptions: {
        input: { main: resolve(__dirname, 'electron/main.ts'), ...WORKER_ENTRIES },
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot load ES modules or other files: one CommonJS bundle.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
