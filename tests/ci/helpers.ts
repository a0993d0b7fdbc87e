// The CI commands as a pipeline runs them: a real `runsight` process (the TypeScript entry, as
// tests/cli.test.ts; tests/pack.test.ts covers the built bin), its stdout, stderr and exit code,
// on temp copies of the fixtures.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/fixtures.ts';
import { copyStore } from '../registry/helpers.ts';

export const CLI = path.join(repoRoot, 'electron/cli/main.ts');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runsight(args: string[], opts: { wrap?: (argv: string[]) => string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  const argv = [process.execPath, CLI, ...args];
  const [cmd, ...rest] = opts.wrap ? opts.wrap(argv) : argv;
  return new Promise((resolve) => {
    const child = spawn(cmd as string, rest, { env: { ...process.env, RUNSIGHT_USER: 'ci-bot', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export function copies() {
  const cleanups: (() => Promise<void>)[] = [];
  return {
    async copy(name: 'seed-rf' | 'kitchen-sink' | 'kitchen-sink-sqlite'): Promise<string> {
      const c = await copyStore(name);
      cleanups.push(c.cleanup);
      return c.dir;
    },
    async cleanup(): Promise<void> {
      for (const c of cleanups.splice(0)) await c();
    },
  };
}

/** Every file under dir with its bytes: two snapshots are equal iff nothing was written. */
export function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), `${st.size}:${readFileSync(p).toString('base64')}`);
    }
  };
  walk(dir);
  return out;
}
