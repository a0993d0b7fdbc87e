// Fixture stores live in ../shared/fixtures (beside the clone, read-only). Tests that write copy
// a fixture to a temp dir first; nothing ever writes into shared/.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = process.env.RUNSIGHT_FIXTURES ?? path.resolve(repoRoot, '../shared/fixtures');
export const FIXTURES = ['seed-rf', 'kitchen-sink', 'kitchen-sink-sqlite'] as const;
export type FixtureName = (typeof FIXTURES)[number];

export function fixturePath(name: FixtureName): string {
  return path.join(fixturesDir, name);
}

/** Copies a fixture into a fresh temp dir (writable: the shared copy has no write bits). */
export async function copyFixture(name: FixtureName): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const base = await mkdtemp(path.join(tmpdir(), `runsight-${name}-`));
  const dir = path.join(base, name);
  await cp(fixturePath(name), dir, { recursive: true });
  await makeWritable(dir);
  return { dir, cleanup: () => rm(base, { recursive: true, force: true }) };
}

async function makeWritable(dir: string): Promise<void> {
  const { chmod, readdir } = await import('node:fs/promises');
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(p);
    else if (entry.isFile()) await chmod(p, 0o644);
  }
}

export async function tempDir(prefix = 'runsight-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
