// The renderer's Vite config, shared by electron-vite (desktop build) and the plain Vite build
// used by browser mode (`npm run build:renderer`), so both serve byte-identical bundles.
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export const rendererConfig = {
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: resolve(here, '../out/renderer'),
    emptyOutDir: true,
    // plotly (~4.9 MB minified) is one lazily imported chunk by design (Plot.tsx): the runs table
    // never waits for it. The warning would fire on every build about exactly that chunk.
    chunkSizeWarningLimit: 5500,
    rollupOptions: { input: { index: resolve(here, 'index.html') } },
  },
};

export default defineConfig(rendererConfig);
