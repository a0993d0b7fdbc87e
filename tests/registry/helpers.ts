// Shared setup for the registry writer tests: a temp copy of a fixture opened in an Engine (no
// watcher: the writes themselves must make the index current), a RegistryService with a clock
// that ticks 1 s per call (deterministic timestamps, never wall-clock), and small file helpers.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine } from '../../electron/engine/engine.ts';
import type { StoreInfo } from '../../electron/engine/model.ts';
import { RegistryService, type RegistryServiceOptions } from '../../electron/engine/registry/index.ts';
import { createFileStoreReader } from '../../electron/engine/stores/mlflow-file/index.ts';
import { createSqliteStoreReader } from '../../electron/engine/stores/mlflow-sqlite/index.ts';
import { copyFixture, fixturePath, type FixtureName } from '../helpers/fixtures.ts';

export const T0 = 1_800_000_000_000;

export function tickingClock(start = T0, step = 1000): () => number {
  let t = start - step;
  return () => (t += step);
}

export interface OpenedStore {
  dir: string;
  engine: Engine;
  info: StoreInfo;
  svc: RegistryService;
  cleanup: () => Promise<void>;
}

/**
 * copyFixture through the system's cp/chmod: Node's fs.cp walks the tree in JS and spent ~0.5 s per
 * test on seed-rf's 400 files (the suite has to stay quick); `cp -R` takes a few ms. Falls back to
 * copyFixture where there is no POSIX cp.
 */
export async function copyStore(name: FixtureName): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  if (process.platform === 'win32') return copyFixture(name);
  const base = await mkdtemp(path.join(tmpdir(), `runsight-reg-${name}-`));
  const dir = path.join(base, name);
  execFileSync('cp', ['-R', fixturePath(name), dir]);
  // The shared fixtures have no write bits; as root that would not matter, as anyone else it would.
  execFileSync('chmod', ['-R', 'u+w', dir]);
  return { dir, cleanup: () => rm(base, { recursive: true, force: true }) };
}

export async function openCopy(name: FixtureName, options: RegistryServiceOptions = {}): Promise<OpenedStore> {
  const copy = await copyStore(name);
  const engine = await Engine.create({ watch: false });
  const storePath = name === 'kitchen-sink-sqlite' ? path.join(copy.dir, 'mlflow.db') : path.join(copy.dir, 'mlruns');
  const info = await engine.openStorePath(storePath);
  const svc = new RegistryService(engine, { now: tickingClock(), defaultUser: () => 'alice', ...options });
  return {
    dir: copy.dir,
    engine,
    info,
    svc,
    cleanup: async () => {
      await engine.dispose();
      await copy.cleanup();
    },
  };
}

/** A fresh reader over the store (what a restart sees), with its diagnostics. */
export async function reread(info: StoreInfo) {
  const reader = info.kind === 'file' ? createFileStoreReader(info) : createSqliteStoreReader(info);
  try {
    const snap = await reader.load();
    return { registry: snap.registry, loggedModels: snap.loggedModels, diagnostics: reader.diagnostics() };
  } finally {
    await reader.close();
  }
}

export function read(...parts: string[]): string {
  return readFileSync(path.join(...parts), 'utf8');
}

/** Every file below `dir` (relative, sorted) with its content: a whole-tree comparison. */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(path.join(dir, r)).isDirectory()) walk(r);
      else out[r] = readFileSync(path.join(dir, r), 'utf8');
    }
  };
  walk('');
  return out;
}

/** meta.yaml lines with the given keys replaced: "this file is the fixture's file, except …". */
export function withKeys(yamlText: string, replace: Record<string, string>): string {
  return yamlText
    .split('\n')
    .map((line) => {
      const key = line.slice(0, line.indexOf(':'));
      return key in replace ? `${key}: ${replace[key]}` : line;
    })
    .join('\n');
}

export function keysOf(yamlText: string): string[] {
  return yamlText
    .split('\n')
    .filter((l) => /^[a-z_]+:/.test(l))
    .map((l) => l.slice(0, l.indexOf(':')));
}
