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

// ---- the registry read back as MLflow's dump ----------------------------------------------------

type J = Record<string, unknown>;
export interface DumpVersion extends J {
  version: number;
  current_stage: string;
  aliases: string[];
  tags: Record<string, string>;
  last_updated_timestamp: number;
}
export interface DumpModel extends J {
  name: string;
  aliases: Record<string, number>;
  versions: DumpVersion[];
  latest_versions: { current_stage: string; version: number }[];
  last_updated_timestamp: number;
}
export interface DumpRegistry extends J {
  registered_models: DumpModel[];
}

/**
 * The fixture's expected-registry.json after the edits a test made (stages, aliases, new
 * versions): `touched` names the versions a write may stamp, whose last_updated and runsight.*
 * tags are taken from the actual dump (after checking the audit tag parses). Everything else must
 * be exactly as MLflow reported it, latest_versions recomputed as MLflow does.
 */
export function expectedRegistry(
  expected: DumpRegistry,
  actual: DumpRegistry,
  model: string,
  touched: number[],
  edit: (m: DumpModel) => void,
): DumpRegistry {
  const exp = structuredClone(expected);
  const m = exp.registered_models.find((x) => x.name === model) as DumpModel;
  const a = actual.registered_models.find((x) => x.name === model) as DumpModel;
  edit(m);
  m.last_updated_timestamp = a.last_updated_timestamp;
  for (const v of m.versions) {
    if (!touched.includes(v.version)) continue;
    const av = a.versions.find((x) => x.version === v.version) as DumpVersion;
    v.last_updated_timestamp = av.last_updated_timestamp;
    for (const [k, val] of Object.entries(av.tags)) if (k.startsWith('runsight.')) v.tags = { ...v.tags, [k]: val };
    JSON.parse(av.tags['runsight.audit'] as string);
  }
  for (const v of m.versions) v.aliases = Object.entries(m.aliases).filter(([, n]) => n === v.version).map(([k]) => k).sort();
  const latest = new Map<string, number>();
  for (const v of m.versions) latest.set(v.current_stage, Math.max(latest.get(v.current_stage) ?? 0, v.version));
  m.latest_versions = [...latest].map(([current_stage, version]) => ({ current_stage, version })).sort((x, y) => x.version - y.version);
  return exp;
}
