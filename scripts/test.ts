// `npm test`: the whole suite, in order of cost, with one closing line that counts every test:
// typecheck (node + web) → lint → unit/integration (vitest) → build → e2e in browser mode
// (Playwright + Chromium) → Electron e2e (skips with its reason where no Electron binary exists).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);
const only = process.argv.slice(2);
// Tools start with `#!/usr/bin/env node`: put the project's Node (v24) first on PATH, as npm does,
// so running this file directly behaves like `npm test`.
const env = { ...process.env, PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}` };

interface Stage {
  name: string;
  cmd: string[];
  counts?: () => Counts;
}
interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function vitestCounts(): Counts {
  const r = JSON.parse(readFileSync(path.join(root, 'test-results/vitest.json'), 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
}

function playwrightCounts(file: string): () => Counts {
  return () => {
    const r = JSON.parse(readFileSync(path.join(root, file), 'utf8')) as {
      stats: { expected: number; unexpected: number; flaky: number; skipped: number };
    };
    return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped };
  };
}

const stages: Stage[] = [
  { name: 'typecheck', cmd: [bin('tsc'), '-p', 'tsconfig.node.json'] },
  { name: 'typecheck-web', cmd: [bin('tsc'), '-p', 'tsconfig.web.json'] },
  { name: 'typecheck-e2e', cmd: [bin('tsc'), '-p', 'e2e/tsconfig.json'] },
  { name: 'lint', cmd: [bin('eslint'), '.'] },
  {
    name: 'unit',
    cmd: [bin('vitest'), 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json'],
    counts: vitestCounts,
  },
  { name: 'build', cmd: [bin('electron-vite'), 'build'] },
  { name: 'e2e', cmd: [bin('playwright'), 'test'], counts: playwrightCounts('test-results/e2e.json') },
  {
    name: 'e2e-electron',
    cmd: [bin('playwright'), 'test', '-c', 'e2e/electron/electron.config.ts'],
    counts: playwrightCounts('test-results/e2e-electron.json'),
  },
];

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const failedStages: string[] = [];
for (const stage of stages) {
  if (only.length > 0 && !only.includes(stage.name)) continue;
  if (stage.name === 'e2e-electron' && !existsSync(path.join(root, 'e2e/electron/electron.config.ts'))) continue;
  process.stdout.write(`\n── ${stage.name}: ${stage.cmd.map((c) => path.relative(root, c) || c).join(' ')}\n`);
  const r = spawnSync(stage.cmd[0] as string, stage.cmd.slice(1), { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) failedStages.push(stage.name);
  if (stage.counts) {
    try {
      const c = stage.counts();
      total.passed += c.passed;
      total.failed += c.failed;
      total.skipped += c.skipped;
    } catch {
      // The runner died before writing its report: the stage's exit code already says so.
    }
  }
}

process.stdout.write(`\n${failedStages.length ? `failed stages: ${failedStages.join(', ')}\n` : ''}`);
process.stdout.write(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
process.exitCode = failedStages.length > 0 || total.failed > 0 ? 1 : 0;
