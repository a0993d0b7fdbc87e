// Persisted index snapshots (engine/snapshot/, stores/mlflow-file/warm-start.ts): a store read
// from its files leaves a snapshot, and the next open starts from it — then checks the files and
// re-reads what changed, so a warm start always ends where a cold read of the files would.
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine, type StoreStart } from '../../electron/engine/engine.ts';
import type { Run } from '../../electron/engine/model.ts';
import { MAX_SNAPSHOTS, pruneSnapshots, SNAPSHOT_SCHEMA, snapshotPath } from '../../electron/engine/snapshot/snapshot-file.ts';
import { copyTree, fastTempDir, fileStoreInfo, writeRun } from '../helpers/file-store.ts';
import { fixturePath } from '../helpers/fixtures.ts';

const MAIN = '387161336320449950';
const METRICS_ZOO = '5e9eac5ae3de4277a82ad6920479969a';
const PARAMS_TAGS = '360df678cf414cf5819763a7c64c39e3';

let base: string;
let root: string;
let cacheDir: string;
let cleanup: () => Promise<void>;
const engines: Engine[] = [];

beforeEach(async () => {
  const tmp = await fastTempDir('runsight-warm-');
  cleanup = tmp.cleanup;
  base = tmp.dir;
  root = path.join(base, 'mlruns');
  cacheDir = path.join(base, 'cache');
  copyTree(path.join(fixturePath('kitchen-sink'), 'mlruns'), root);
  backdate(root);
});

/**
 * Files as a store has them between training sessions: written well before the read. (A fresh
 * copy's files are all "just written", which no snapshot vouches for: they would be re-read.)
 */
function backdate(dir: string): void {
  const then = new Date(Date.now() - 3600_000);
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) utimesSync(path.join(e.parentPath, e.name), then, then);
}

afterEach(async () => {
  for (const e of engines.splice(0)) await e.dispose();
  await cleanup();
});

/** Opens `store` in a new engine (snapshots in `dir`, none when null) and returns what it indexed. */
async function open(store: string, dir: string | null): Promise<{ start: StoreStart | undefined; state: unknown; engine: Engine }> {
  const engine = await Engine.create({ watch: false, ...(dir ? { snapshotDir: dir } : {}) });
  engines.push(engine);
  await engine.openStorePath(store);
  await engine.whenSnapshotted();
  return { start: engine.startOf(path.resolve(store)), state: indexed(engine, path.resolve(store)), engine };
}

/** Everything the index holds for a store, in a stable order, and the store's diagnostics. */
function indexed(engine: Engine, storeId: string): unknown {
  const ids = engine.index.queryRunIds({ storeId, experimentIds: [], lifecycle: 'all', limit: 1_000_000 }).runIds.sort();
  return {
    experiments: engine.index.listExperiments({ storeId, lifecycle: 'all' }).sort((a, b) => a.experimentId.localeCompare(b.experimentId)),
    runs: ids.map((runId) => engine.index.getRun({ storeId, runId })),
    models: engine.index.listLoggedModels({ storeId, includeDeleted: true }).sort((a, b) => a.modelId.localeCompare(b.modelId)),
    registry: engine.index.listRegisteredModels({ storeId, includePrompts: true }),
    diagnostics: engine.diagnostics().map((d) => `${path.relative(root, d.path)}: ${d.problem}`).sort(),
  };
}

/** Files written in the last minutes get an mtime of half an hour ago (still after backdate's). */
function ageRecentFiles(dir: string): void {
  const then = new Date(Date.now() - 1800_000);
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    if (statSync(p).mtimeMs > Date.now() - 600_000) utimesSync(p, then, then);
  }
}

function runDir(expId: string, runId: string): string {
  return path.join(root, expId, runId);
}

describe('index snapshots', () => {
  it('a cold read leaves a snapshot; the next open starts from it and indexes the same state', async () => {
    const cold = await open(root, cacheDir);
    expect(cold.start).toEqual({ start: 'cold', reason: 'no snapshot' });
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.rsnap'))).toHaveLength(1);
    const warm = await open(root, cacheDir);
    // Nothing changed: no run is read again.
    expect(warm.start).toEqual({ start: 'warm', rereadRuns: 0, goneRuns: 0 });
    expect(warm.state).toEqual(cold.state);
    expect(warm.state).toEqual((await open(root, null)).state);
  });

  it('what changed while the app was closed is re-read: appends, edits in place, new, removed and broken runs, a trashed experiment', async () => {
    await open(root, cacheDir);
    // An append to a FINISHED run's metric file (log_metric after end_run).
    const zoo = runDir(MAIN, METRICS_ZOO);
    const metric = readdirSync(path.join(zoo, 'metrics')).find((f) => !f.startsWith('.')) as string;
    appendFileSync(path.join(zoo, 'metrics', metric), `${Date.now()} 42.5 999\n`);
    // A tag rewritten in place, same size, mtime moved on (set_tag over an existing tag).
    const tagsDir = path.join(runDir(MAIN, PARAMS_TAGS), 'tags');
    const tag = readdirSync(tagsDir).find((f) => !f.startsWith('mlflow.')) as string;
    const tagFile = path.join(tagsDir, tag);
    const value = readFileSync(tagFile, 'utf8');
    writeFileSync(tagFile, value.length > 0 ? `${value.slice(0, -1)}${value.endsWith('Z') ? 'Y' : 'Z'}` : 'Z');
    const later = new Date(Date.now() + 5000);
    utimesSync(tagFile, later, later);
    // A run that appeared, one that went, one whose meta.yaml broke.
    await writeRun(root, MAIN, 'f'.repeat(32), { name: 'appeared-while-closed', metrics: { loss: '1 0.25 0\n' } });
    const others = readdirSync(path.join(root, MAIN)).filter((n) => /^[0-9a-f]{32}$/.test(n) && n !== METRICS_ZOO && n !== PARAMS_TAGS && n !== 'f'.repeat(32));
    rmSync(runDir(MAIN, others[0] as string), { recursive: true });
    writeFileSync(path.join(runDir(MAIN, others[1] as string), 'meta.yaml'), 'run_id: [unclosed\n');
    // An experiment moved to .trash (mlflow experiments delete).
    const exps = readdirSync(root).filter((n) => /^\d+$/.test(n) && n !== MAIN && n !== '0');
    mkdirSync(path.join(root, '.trash'), { recursive: true });
    if (exps[0]) renameSync(path.join(root, exps[0]), path.join(root, '.trash', exps[0]));

    ageRecentFiles(root);
    const warm = await open(root, cacheDir);
    // Re-read: the appended, the retagged and the new run, and the trashed experiment's one run
    // (an experiment that moved is read whole); gone: the removed and the broken run.
    expect(warm.start).toEqual({ start: 'warm', rereadRuns: 4, goneRuns: 2 });
    const cold = await open(root, null);
    expect(warm.state).toEqual(cold.state);
    const st = warm.state as { runs: Run[]; diagnostics: string[] };
    expect(st.runs.some((r) => r.runId === 'f'.repeat(32))).toBe(true);
    expect(st.runs.some((r) => r.runId === others[0])).toBe(false);
    expect(st.diagnostics.some((d) => d.includes(others[1] as string))).toBe(true);
    const zooRun = st.runs.find((r) => r.runId === METRICS_ZOO);
    expect(zooRun?.metrics[metric]?.value).toBe(42.5);
    // That start left a snapshot with what it re-read: the next one reads nothing again (but the
    // broken run, to report it).
    const third = await open(root, cacheDir);
    expect(third.start).toEqual({ start: 'warm', rereadRuns: 0, goneRuns: 0 });
    expect(third.state).toEqual(cold.state);
  });

  it('a file changed during the read that made the snapshot is re-read on the next open', async () => {
    // The snapshot's read began before this append: its signature must not vouch for the file.
    const engine = await Engine.create({ watch: false, snapshotDir: cacheDir });
    engines.push(engine);
    await engine.openStorePath(root);
    const zoo = runDir(MAIN, METRICS_ZOO);
    const metric = readdirSync(path.join(zoo, 'metrics')).find((f) => !f.startsWith('.')) as string;
    appendFileSync(path.join(zoo, 'metrics', metric), `${Date.now()} 7.5 1000\n`);
    await engine.whenSnapshotted();
    const warm = await open(root, cacheDir);
    expect(warm.start).toEqual({ start: 'warm', rereadRuns: 1, goneRuns: 0 });
    expect(warm.state).toEqual((await open(root, null)).state);
  });

  it('a corrupt, truncated, other-schema or other-store snapshot is discarded and the store read cold', async () => {
    const first = await open(root, cacheDir);
    const file = snapshotPath(cacheDir, fileStoreInfo(root));
    const good = readFileSync(file);

    const flipped = Buffer.from(good);
    const mid = Math.floor(flipped.length / 2);
    flipped.writeUInt8(flipped.readUInt8(mid) ^ 0x40, mid);
    writeFileSync(file, flipped);
    let again = await open(root, cacheDir);
    expect(again.start).toEqual({ start: 'cold', reason: 'snapshot discarded (corrupt)' });
    expect(again.state).toEqual(first.state);

    writeFileSync(file, good.subarray(0, good.length - 10));
    again = await open(root, cacheDir);
    expect(again.start).toEqual({ start: 'cold', reason: 'snapshot discarded (corrupt)' });

    // Another schema: the header says so and the checksum holds (a snapshot of another version).
    const text = good.toString('latin1');
    const other = Buffer.from(text.replace(`"schema":${SNAPSHOT_SCHEMA},`, `"schema":${(SNAPSHOT_SCHEMA + 1) % 10},`), 'latin1');
    expect(other.equals(good)).toBe(false);
    const body = other.length - 32;
    createHash('sha256').update(other.subarray(0, body - 5)).digest().copy(other, body);
    writeFileSync(file, other);
    again = await open(root, cacheDir);
    expect(again.start).toEqual({ start: 'cold', reason: 'snapshot discarded (schema)' });
    expect(again.state).toEqual(first.state);
  });

  it('a big store is checked by two threads: a change in any of its run folders is found', async () => {
    // Above PARALLEL_SIGN_MIN (warm-start.ts) the run folders are signed in batches shared with
    // the helper thread (load-worker.ts); changes spread over the store fall in both threads' share.
    const big = path.join(base, 'big', 'mlruns');
    copyTree(path.join(fixturePath('kitchen-sink'), 'mlruns'), big);
    const ids = Array.from({ length: 2200 }, (_, i) => `e${String(i).padStart(31, '0')}`);
    for (const id of ids) await writeRun(big, MAIN, id, { name: id, params: { i: id.slice(-4) }, metrics: { loss: '1 0.5 0\n' } });
    backdate(big);
    const cold = await open(big, cacheDir);
    expect(cold.start?.start).toBe('cold');
    const touched = [ids[3], ids[700], ids[1500], ids[2199]] as string[];
    for (const id of touched) appendFileSync(path.join(big, MAIN, id, 'metrics', 'loss'), '2 0.25 1\n');
    ageRecentFiles(big);
    const warm = await open(big, cacheDir);
    expect(warm.start).toEqual({ start: 'warm', rereadRuns: touched.length, goneRuns: 0 });
    expect(warm.state).toEqual((await open(big, null)).state);
  });

  it('the cache folder keeps the most recent snapshots and drops what a crash left', () => {
    mkdirSync(cacheDir, { recursive: true });
    const old = Date.now() / 1000 - 7200;
    for (let i = 0; i < MAX_SNAPSHOTS + 3; i++) {
      const f = path.join(cacheDir, `file-${String(i).padStart(32, '0')}.rsnap`);
      writeFileSync(f, 'x');
      utimesSync(f, old + i, old + i);
    }
    // Left by a crash long ago; by a process that is gone; being written by this one.
    const staleTmp = path.join(cacheDir, `file-x.rsnap.tmp-${process.pid}-1`);
    const deadTmp = path.join(cacheDir, 'file-z.rsnap.tmp-999999999-1');
    const liveTmp = path.join(cacheDir, `file-y.rsnap.tmp-${process.pid}-2`);
    writeFileSync(staleTmp, 'x');
    utimesSync(staleTmp, old - 86400, old - 86400);
    writeFileSync(deadTmp, 'x');
    writeFileSync(liveTmp, 'x');
    pruneSnapshots(cacheDir);
    const left = readdirSync(cacheDir).sort();
    expect(left.filter((f) => f.endsWith('.rsnap'))).toHaveLength(MAX_SNAPSHOTS);
    // The oldest three went.
    for (let i = 0; i < 3; i++) expect(left).not.toContain(`file-${String(i).padStart(32, '0')}.rsnap`);
    expect(left).not.toContain(path.basename(staleTmp));
    expect(left).not.toContain(path.basename(deadTmp));
    expect(left).toContain(path.basename(liveTmp));
  });

  it('a cache folder that cannot be written costs the snapshot only', async () => {
    const notADir = path.join(base, 'not-a-folder');
    writeFileSync(notADir, 'x');
    const blocked = await open(root, path.join(notADir, 'cache'));
    expect(blocked.start).toEqual({ start: 'cold', reason: 'no snapshot' });
    expect(blocked.state).toEqual((await open(root, null)).state);
  });

  it('two stores never share a snapshot', async () => {
    const root2 = path.join(base, 'second', 'mlruns');
    copyTree(path.join(fixturePath('seed-rf'), 'mlruns'), root2);
    await open(root, cacheDir);
    await open(root2, cacheDir);
    const a = snapshotPath(cacheDir, fileStoreInfo(root));
    const b = snapshotPath(cacheDir, fileStoreInfo(root2));
    expect(a).not.toBe(b);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.rsnap')).sort()).toEqual([path.basename(a), path.basename(b)].sort());
    // One store's snapshot under the other's name is recognised as another store's.
    writeFileSync(b, readFileSync(a));
    const second = await open(root2, cacheDir);
    expect(second.start).toEqual({ start: 'cold', reason: 'snapshot discarded (other-store)' });
    expect(second.state).toEqual((await open(root2, null)).state);
  });
});
