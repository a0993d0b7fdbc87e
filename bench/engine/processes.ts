// The engine benchmarks' processes: every measurement in a forked bench/child.ts (its own memory,
// JIT state and peak RSS), every store generated in a forked bench/generate-store.ts.
import { fork } from 'node:child_process';
import path from 'node:path';
import type { Task } from '../child.ts';
import { ensureStore, type GeneratedStore, type StoreKind } from '../generate-store.ts';
import { BENCH_DIR } from '../lib/paths.ts';

const CHILD = path.join(BENCH_DIR, 'child.ts');
const GENERATOR = path.join(BENCH_DIR, 'generate-store.ts');

export function runChild<T>(task: Task, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify(task)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`${task.mode}: no result after ${timeoutMs / 1000} s (killed)`));
    }, timeoutMs);
    child.on('message', (m: { ok: boolean; result?: T; error?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (m.ok) resolve(m.result as T);
      else reject(new Error(`${task.mode}: ${m.error}`));
    });
    child.on('exit', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${task.mode}: child exited with code ${code} before reporting`));
    });
  });
}

/** Generation in its own process, with more libuv threads (it is bound by small-file creation). */
export function generate(kind: StoreKind, runs: number): Promise<GeneratedStore> {
  return new Promise((resolve, reject) => {
    const child = fork(GENERATOR, ['--kind', kind, '--runs', String(runs)], {
      env: { ...process.env, UV_THREADPOOL_SIZE: '16' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`generating ${kind} ${runs}: exit ${code}`));
      // The child left a complete cache entry: read its description.
      ensureStore(kind, runs).then(resolve, reject);
    });
  });
}
