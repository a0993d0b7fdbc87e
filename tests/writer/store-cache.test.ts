// ensureStore is shared by concurrent benchmark processes: it must never regenerate a store that
// another live process is generating or modifying, and must recover from ones that died.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDirFor, CACHE_DIR, ensureStore, markClean, markDirty } from '../../bench/generate-store.ts';

// A seed no benchmark uses, so the real cache entries are never touched.
const SEED = 987_654;
const RUNS = 3;
const dir = cacheDirFor('file', RUNS, SEED);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}.lock`, { force: true });
});

/** A process that stays alive until killed (its pid plays "another benchmark"). */
function otherProcess(): { pid: number; kill: () => void } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  return { pid: child.pid as number, kill: () => child.kill('SIGKILL') };
}

describe('ensureStore (shared bench cache)', () => {
  it('generates once, reuses, waits for a live modifier, regenerates after a dead one', async () => {
    await mkdir(CACHE_DIR, { recursive: true });
    await rm(dir, { recursive: true, force: true });
    const first = await ensureStore('file', RUNS, { seed: SEED });
    const marker = readFileSync(path.join(dir, 'generated.json'), 'utf8');
    const again = await ensureStore('file', RUNS, { seed: SEED });
    expect(again.storePath).toBe(first.storePath);
    expect(readFileSync(path.join(dir, 'generated.json'), 'utf8')).toBe(marker);

    // Our own modification: still ours to use.
    await markDirty(first);
    expect((await ensureStore('file', RUNS, { seed: SEED })).storePath).toBe(first.storePath);
    await markClean(first);

    // Another live process modifies it: wait (not regenerate) until it is done.
    const other = otherProcess();
    writeFileSync(path.join(dir, '.dirty'), `${other.pid}\n`);
    const logs: string[] = [];
    const waiting = ensureStore('file', RUNS, { seed: SEED, log: (m) => logs.push(m) });
    await new Promise((r) => setTimeout(r, 300));
    expect(logs.some((l) => l.includes(`being modified by process ${other.pid}`))).toBe(true);
    await markClean(first);
    await waiting;
    expect(readFileSync(path.join(dir, 'generated.json'), 'utf8')).toBe(marker);

    // A modifier that died: the store may be left modified, so it is regenerated.
    writeFileSync(path.join(dir, '.dirty'), `${other.pid}\n`);
    other.kill();
    await new Promise((r) => setTimeout(r, 200));
    const regenerated = await ensureStore('file', RUNS, { seed: SEED, log: (m) => logs.push(m) });
    expect(logs.some((l) => l.startsWith('removing incomplete or modified'))).toBe(true);
    expect(existsSync(path.join(dir, '.dirty'))).toBe(false);
    expect(regenerated.runs).toBe(RUNS);

    // A stale generation lock (owner gone) does not block forever.
    writeFileSync(`${dir}.lock`, '999999999\n');
    expect((await ensureStore('file', RUNS, { seed: SEED })).runs).toBe(RUNS);
  });
});
