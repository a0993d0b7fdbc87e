// Synthetic MLflow stores for the engine benchmarks: N runs × 10 params × 10 metrics × 100 steps ×
// 5 tags (+ the 4 system tags every MLflow run has), written through the tracking writer so the
// result is byte-for-byte what MLflow 3.5 would have written for the same calls.
//
// Deterministic: the same (kind, runs, seed) gives the same store — every run draws from its own
// PRNG stream seeded from (seed, run index), so the bounded-concurrency writing order does not
// matter. Stores are cached under bench/.cache/ (gitignored), keyed by those parameters and the
// generator version; a store is reused only if generation finished (`generated.json`) and no
// benchmark left it modified (`.dirty`, see markDirty).
//
// CLI: node bench/generate-store.ts --kind file|sqlite --runs 10000 [--out DIR] [--seed 1]
//      (without --out: the cache entry, reused when present)
//
// The parts: store/rng.ts (the PRNG), store/plan.ts (one run's content), store/generate.ts
// (writing a store), store/cache.ts (the shared cache); this file keeps their public surface and
// the command line.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readArgs } from './lib/args.ts';
import { ensureStore, MARKER } from './store/cache.ts';
import { generateStore, type GeneratedStore, type StoreKind } from './store/generate.ts';

export { BENCH_DIR, CACHE_DIR } from './lib/paths.ts';
export { cacheDirFor, ensureStore, markClean, markDirty } from './store/cache.ts';
export { generateStore, GENERATOR_VERSION, type GeneratedStore, type GenerateOptions, type StoreKind } from './store/generate.ts';
export { METRIC_KEYS, METRICS_PER_RUN, PARAM_KEYS, PARAMS_PER_RUN, planRun, RUNS_PER_EXPERIMENT, STEPS, TAG_KEYS, USER_TAGS_PER_RUN } from './store/plan.ts';
export { createRng } from './store/rng.ts';

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2), {
    usage: `A synthetic MLflow store (deterministic for the same kind, runs and seed).

  node bench/generate-store.ts --kind file|sqlite --runs 10000 [--out DIR] [--seed 1]
       (without --out: the cache entry in bench/.cache/, reused when present)`,
    options: {
      kind: { kind: 'string', value: 'file|sqlite', help: 'the store: an mlruns folder or an mlflow.db (default file)' },
      runs: { kind: 'number', value: 'N', help: 'runs (default 10000)' },
      out: { kind: 'string', value: 'DIR', help: 'the project folder to create instead of the cache entry' },
      seed: { kind: 'number', value: 'N', help: 'seed (default 1)' },
    },
  });
  const kind = (args.kind ?? 'file') as StoreKind;
  if (kind !== 'file' && kind !== 'sqlite') throw new Error('--kind must be file or sqlite');
  const runs = args.runs ?? 10_000;
  const seed = args.seed ?? 1;
  const log = (m: string): void => console.error(m);
  let store: GeneratedStore;
  if (args.out) {
    store = await generateStore({
      kind,
      runs,
      seed,
      out: args.out,
      onProgress: (d, t) => {
        if (d % 10_000 === 0 || d === t) log(`${d}/${t} runs`);
      },
    });
    await writeFile(path.join(store.projectDir, MARKER), `${JSON.stringify(store, null, 2)}\n`);
  } else {
    store = await ensureStore(kind, runs, { seed, log });
  }
  console.log(JSON.stringify({ projectDir: store.projectDir, storePath: store.storePath, runs: store.runs, generationMs: store.generationMs }));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
