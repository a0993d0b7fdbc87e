// The benchmark generator must be deterministic (cached stores are keyed by their parameters) and
// produce the advertised shape through the tracking writer.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { generateStore, METRIC_KEYS, PARAM_KEYS, STEPS, TAG_KEYS } from '../../bench/generate-store.ts';
import { tempDir } from '../helpers/fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function contents(dir: string, base = dir, out = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      out.set(`${path.relative(base, p)}/`, '');
      contents(p, base, out);
    } else out.set(path.relative(base, p), readFileSync(p, 'utf8'));
  }
  return out;
}

describe('generateStore', () => {
  it('writes the same file store for the same seed, whatever the I/O mode, and N × 10 × 10 × 100 × 5', async () => {
    const t = await tempDir('runsight-gen-');
    cleanups.push(t.cleanup);
    const a = await generateStore({ kind: 'file', runs: 6, out: path.join(t.dir, 'a'), seed: 3 });
    const b = await generateStore({ kind: 'file', runs: 6, out: path.join(t.dir, 'b'), seed: 3, blockingIo: false, concurrency: 4 });
    const ca = contents(a.storePath);
    const cb = contents(b.storePath);
    // Artifact URIs embed the store path: compare with it abstracted.
    const norm = (m: Map<string, string>, root: string) => new Map([...m].map(([k, v]) => [k, v.split(root).join('<root>')]));
    expect(norm(ca, a.storePath)).toEqual(norm(cb, b.storePath));
    const other = await generateStore({ kind: 'file', runs: 6, out: path.join(t.dir, 'c'), seed: 4 });
    expect([...contents(other.storePath).keys()]).not.toEqual([...ca.keys()]);

    expect(a.experiments).toHaveLength(1);
    const expDir = path.join(a.storePath, a.experiments[0]?.id as string);
    const runDirs = readdirSync(expDir).filter((n) => /^[0-9a-f]{32}$/.test(n));
    expect(runDirs).toHaveLength(6);
    for (const r of runDirs) {
      const runDir = path.join(expDir, r);
      expect(readdirSync(path.join(runDir, 'params')).sort()).toEqual([...PARAM_KEYS].sort());
      for (const key of METRIC_KEYS) {
        const lines = readFileSync(path.join(runDir, 'metrics', ...key.split('/')), 'utf8').trimEnd().split('\n');
        expect(lines).toHaveLength(STEPS);
        expect(lines[0]).toMatch(/^\d{13} -?\d[^ ]* 0$/);
      }
      const tags = readdirSync(path.join(runDir, 'tags'));
      for (const k of TAG_KEYS) expect(tags).toContain(k);
      expect(tags).toHaveLength(TAG_KEYS.length + 4);
      expect(statSync(path.join(runDir, 'meta.yaml')).size).toBeGreaterThan(0);
    }
  });

  it('writes the same rows into a SQLite store', async () => {
    const t = await tempDir('runsight-gen-');
    cleanups.push(t.cleanup);
    const s = await generateStore({ kind: 'sqlite', runs: 4, out: path.join(t.dir, 's'), seed: 3 });
    const db = new DatabaseSync(s.storePath, { readOnly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM runs')).toBe(4);
    expect(count('SELECT count(*) AS n FROM params')).toBe(4 * PARAM_KEYS.length);
    expect(count('SELECT count(*) AS n FROM metrics')).toBe(4 * METRIC_KEYS.length * STEPS);
    expect(count('SELECT count(*) AS n FROM latest_metrics')).toBe(4 * METRIC_KEYS.length);
    expect(count('SELECT count(*) AS n FROM tags')).toBe(4 * (TAG_KEYS.length + 4));
    expect(count('SELECT count(*) AS n FROM latest_metrics WHERE step = 99')).toBe(4 * METRIC_KEYS.length);
    db.close();
  });
});
