// The Electron-only e2e suite (what browser mode cannot show: the window's security settings,
// navigation and window.open denial, IPC end to end). Standalone so the browser-mode config stays
// free of Electron concerns:
//   npm run build && npx playwright test -c e2e/electron/electron.config.ts
// On Linux without a display, wrap it: xvfb-run -a npx playwright test -c e2e/electron/electron.config.ts
// Every test skips, with the reason, where no Electron binary is installed (electron-env.ts).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../../test-results/e2e-electron',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '../../test-results/e2e-electron.json' }]],
  projects: [{ name: 'electron' }],
});
