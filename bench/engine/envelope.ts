// What surrounds the engine benchmarks' numbers in engine.json: the run (kind, date, duration),
// the machine and its load, the commit, how to read the numbers, and the stores measured.
import os from 'node:os';
import path from 'node:path';
import type { GeneratedStore } from '../generate-store.ts';
import { BENCH_DIR } from '../lib/paths.ts';
import { git } from '../lib/report.ts';
import { round } from '../lib/stats.ts';
import type { Settings } from './settings.ts';

export function notes(s: Settings): string[] {
  return [
    'Page cache: warm for every measurement (the stores were just generated or read; caches cannot be dropped reliably without root). Cold-disk numbers would be higher for both the floor and the engine.',
    'Each measurement runs in a fresh forked Node process (bench/child.ts) with --expose-gc; GC is forced between repetitions.',
    'The machine is shared: see loadAverage for background load; timings are wall-clock.',
    `The large store is ${s.largeRuns} runs ≈ ${s.largeRuns * 30} files; at 100k (≈ 3M files, 14 GB allocated on disk) it does not stay in the page cache of this machine next to the other processes, so its load includes real disk reads. It is loaded once, after the small-store benchmarks.`,
  ];
}

/** A store's entry in `stores`. */
export function storeJson(store: GeneratedStore): Record<string, unknown> {
  return {
    projectDir: path.relative(path.dirname(BENCH_DIR), store.projectDir),
    runs: store.runs,
    experiments: store.experiments.length,
    seed: store.seed,
    generatorVersion: store.generatorVersion,
    generationMs: store.generationMs,
    filesWritten: store.filesWritten,
    shape: `${store.runs} runs × ${store.paramKeys.length} params × ${store.metricKeys.length} metrics × 100 steps × ${store.tagKeys.length} tags (+4 system tags)`,
  };
}

export function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemGb: Math.round(os.totalmem() / 1024 ** 3),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
  };
}

/** The commit measured, and the engine files that differ from it. */
export function repo(): { commit: string; uncommittedEngineFiles: string[] } {
  const commit = git(['rev-parse', 'HEAD'])?.trim();
  if (!commit) return { commit: 'unknown', uncommittedEngineFiles: [] };
  const dirty = (git(['status', '--porcelain', '--', 'electron/engine']) ?? '').split('\n').filter(Boolean);
  return { commit, uncommittedEngineFiles: dirty };
}

export const round2 = (xs: number[]): number[] => xs.map((x) => round(x, 2));
