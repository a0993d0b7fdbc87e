// e2e against browser mode: the real engine on copies of the fixture stores, served by the real
// `runsight serve`, driven in Debian's Chromium (no browser download is possible here).
// The Electron-only journeys live in e2e/electron/ with their own config; they run where an
// Electron binary exists and skip with the reason elsewhere.
import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';

const chromium = process.env.RUNSIGHT_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  testIgnore: ['electron/**'],
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: existsSync(chromium) ? chromium : undefined,
      // Flags from this workplace's notes: no sandbox as root, and no background networking
      // (the closed network makes Chromium's own connections fail noisily).
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'browser', use: { browserName: 'chromium' } }],
});
