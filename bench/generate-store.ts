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
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createFileTrackingWriter,
  createSqliteTrackingWriter,
  pyFloat,
  type MetricInput,
  type TrackingWriter,
} from '../electron/engine/writer/tracking-writer.ts';
import type { RunStatus } from '../electron/engine/model.ts';
import { readArgs } from './lib/args.ts';
import { BENCH_DIR, CACHE_DIR } from './lib/paths.ts';

/** Bump when the generated content changes, so stale cache entries are not reused. */
export const GENERATOR_VERSION = 1;
export const PARAMS_PER_RUN = 10;
export const METRICS_PER_RUN = 10;
export const STEPS = 100;
export const USER_TAGS_PER_RUN = 5;
/** Runs per experiment (a 10k store has 5 experiments, a 100k store 50). */
export const RUNS_PER_EXPERIMENT = 2000;
/** 2026-01-01T00:00:00Z: a fixed clock keeps stores reproducible. */
const BASE_TIME = 1_767_225_600_000;

export { BENCH_DIR, CACHE_DIR };

export type StoreKind = 'file' | 'sqlite';

export interface GenerateOptions {
  kind: StoreKind;
  runs: number;
  /** Project folder to create: `<out>/mlruns/` (file) or `<out>/mlflow.db` (+ `<out>/mlruns/` artifacts). */
  out: string;
  seed?: number;
  /** Runs written at once (file store, non-blocking I/O only). */
  concurrency?: number;
  /**
   * File store: blocking writes (default true). On a local disk every small-file operation through
   * libuv's pool costs a thread round trip several times the system call itself; blocking calls
   * are the faster way to lay down hundreds of thousands of files.
   */
  blockingIo?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface GeneratedStore {
  kind: StoreKind;
  runs: number;
  seed: number;
  generatorVersion: number;
  /** The project folder (what Engine.openProject is given). */
  projectDir: string;
  /** The store itself: the mlruns folder or the .db file. */
  storePath: string;
  experiments: { id: string; name: string; runs: number }[];
  paramKeys: string[];
  metricKeys: string[];
  tagKeys: string[];
  /** Wall time of the generation (ms). */
  generationMs: number;
  filesWritten: number | null;
}

// ---------------------------------------------------------------------------------------------
// PRNG: sfc32 seeded through splitmix32 (small, fast, good statistical quality for this use)

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

export function createRng(seed: number, stream = 0): () => number {
  const mix = splitmix32((seed * 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const next = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function gauss(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function hex(rng: () => number, n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(rng() * 0x10000).toString(16).padStart(4, '0');
  return s.slice(0, n);
}

function runIdFor(rng: () => number): string {
  const h = hex(rng, 32).split('');
  h[12] = '4';
  h[16] = '89ab'[parseInt(h[16] as string, 16) & 3] as string;
  return h.join('');
}

/** Round to `digits` significant digits, the way people write hyper-parameters (3e-4, 0.0015). */
function sig(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}

// ---------------------------------------------------------------------------------------------
// One run's content

export const PARAM_KEYS = [
  'learning_rate',
  'optimizer',
  'batch_size',
  'max_depth',
  'num_layers',
  'hidden_size',
  'dropout',
  'weight_decay',
  'activation',
  'scheduler',
] as const;

export const METRIC_KEYS = [
  'train_loss',
  'val_loss',
  'train_acc',
  'val_acc',
  'val_f1',
  'val_auc',
  'lr',
  'grad_norm',
  'system/gpu_utilization',
  'system/memory_gb',
] as const;

export const TAG_KEYS = ['team', 'dataset', 'sweep_id', 'stage', 'mlflow.source.git.commit'] as const;

const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop'] as const;
const ACTIVATIONS = ['relu', 'gelu', 'silu', 'tanh'] as const;
const SCHEDULERS = ['cosine', 'step', 'constant', 'onecycle'] as const;
const TEAMS = ['vision', 'nlp', 'tabular', 'speech'] as const;
const DATASETS = ['cifar10', 'imagenet-subset', 'tiny-shakespeare', 'adult-income', 'librispeech-100h'] as const;
const STAGES = ['dev', 'sweep', 'candidate'] as const;
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const ADJ = ['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'kind', 'lively', 'proud', 'silly', 'witty'];
const NOUN = ['ant', 'bee', 'cat', 'dog', 'eel', 'fox', 'gnu', 'hen', 'owl', 'pig', 'ram', 'yak'];

interface RunPlan {
  runId: string;
  runName: string;
  userId: string;
  startTime: number;
  endTime: number | null;
  status: RunStatus;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: MetricInput[];
}

export function planRun(seed: number, index: number, sweepOf: (i: number) => number): RunPlan {
  const rng = createRng(seed, index);
  const runId = runIdFor(rng);
  const lr = sig(10 ** (-5 + 4 * rng()), 2);
  const optimizer = pick(rng, OPTIMIZERS);
  const batchSize = pick(rng, [16, 32, 64, 128, 256]);
  const maxDepth = 2 + Math.floor(rng() * 11);
  const numLayers = 1 + Math.floor(rng() * 12);
  const hidden = pick(rng, [64, 128, 256, 512, 1024]);
  const dropout = Math.round(rng() * 50) / 100;
  const wd = sig(10 ** (-6 + 4 * rng()), 1);
  const params: Record<string, string> = {
    learning_rate: pyFloat(lr),
    optimizer,
    batch_size: String(batchSize),
    max_depth: String(maxDepth),
    num_layers: String(numLayers),
    hidden_size: String(hidden),
    dropout: pyFloat(dropout),
    weight_decay: pyFloat(wd),
    activation: pick(rng, ACTIVATIONS),
    scheduler: pick(rng, SCHEDULERS),
  };

  // How good this configuration is: best near lr = 3e-3, adam(w) a little better, mild dropout.
  const lrPenalty = Math.abs(Math.log10(lr) - Math.log10(3e-3)) * 0.18;
  const optBonus = optimizer === 'adamw' ? -0.05 : optimizer === 'adam' ? -0.03 : optimizer === 'sgd' ? 0.06 : 0;
  const finalVal = Math.max(0.08, 0.3 + lrPenalty + optBonus + Math.abs(dropout - 0.2) * 0.3 + 0.08 * gauss(rng));
  const finalTrain = finalVal * (0.55 + 0.3 * rng());
  const startLoss = 2.3 + 0.2 * rng();
  const tau = 8 + 25 * rng();
  const noise = 0.01 + 0.03 * rng();

  const r = rng();
  const status: RunStatus = r < 0.92 ? 'FINISHED' : r < 0.96 ? 'FAILED' : r < 0.98 ? 'KILLED' : 'RUNNING';
  const startTime = BASE_TIME + index * 60_000 + Math.floor(rng() * 30_000);
  const stepMs = 400 + Math.floor(rng() * 1200);
  const gpuBase = 55 + 40 * rng();
  const memBase = 4 + 30 * rng();

  const metrics: MetricInput[] = [];
  for (let step = 0; step < STEPS; step++) {
    const timestamp = startTime + (step + 1) * stepMs + Math.floor(rng() * 50);
    const decay = Math.exp(-step / tau);
    const valLoss = finalVal + (startLoss - finalVal) * decay + noise * gauss(rng);
    const trainLoss = finalTrain + (startLoss - finalTrain) * decay + noise * 0.7 * gauss(rng);
    const acc = (loss: number): number => Math.min(0.999, Math.max(0.05, 1 - loss / 2.6 + 0.01 * gauss(rng)));
    const valAcc = acc(valLoss);
    const progress = step / (STEPS - 1);
    const values: [string, number][] = [
      ['train_loss', trainLoss],
      ['val_loss', valLoss],
      ['train_acc', acc(trainLoss)],
      ['val_acc', valAcc],
      ['val_f1', Math.max(0, valAcc - 0.03 + 0.01 * gauss(rng))],
      ['val_auc', Math.min(1, 0.5 + valAcc / 2 + 0.005 * gauss(rng))],
      ['lr', lr * (0.5 + 0.5 * Math.cos(Math.PI * progress))],
      ['grad_norm', Math.abs(5 * decay + 0.5 + 0.3 * gauss(rng))],
      ['system/gpu_utilization', Math.min(100, Math.max(0, gpuBase + 5 * gauss(rng)))],
      ['system/memory_gb', memBase + 0.5 * progress + 0.05 * gauss(rng)],
    ];
    for (const [key, value] of values) metrics.push({ key, value, step, timestamp });
  }
  const lastTs = metrics[metrics.length - 1]?.timestamp ?? startTime;

  const sweep = sweepOf(index);
  const tags: Record<string, string> = {
    team: pick(rng, TEAMS),
    dataset: pick(rng, DATASETS),
    sweep_id: `sweep-${String(sweep).padStart(3, '0')}`,
    stage: pick(rng, STAGES),
    'mlflow.source.git.commit': hex(rng, 40),
  };
  return {
    runId,
    runName: `${pick(rng, ADJ)}-${pick(rng, NOUN)}-${index}`,
    userId: pick(rng, USERS),
    startTime,
    endTime: status === 'RUNNING' ? null : lastTs + 500,
    status,
    params,
    tags,
    metrics,
  };
}

// ---------------------------------------------------------------------------------------------

async function runPool(count: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

export async function generateStore(options: GenerateOptions): Promise<GeneratedStore> {
  const { kind, runs } = options;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer (got ${runs})`);
  const projectDir = path.resolve(options.out);
  if (existsSync(projectDir)) throw new Error(`${projectDir} already exists`);
  await mkdir(projectDir, { recursive: true });
  const started = performance.now();
  const rng = createRng(seed, -1);
  let clock = BASE_TIME - 3_600_000;
  const blockingIo = options.blockingIo ?? true;
  const writerOptions = { random: rng, now: () => clock++, durable: false, blockingIo };
  const writer: TrackingWriter =
    kind === 'file'
      ? await createFileTrackingWriter(path.join(projectDir, 'mlruns'), writerOptions)
      : await createSqliteTrackingWriter(path.join(projectDir, 'mlflow.db'), writerOptions);

  try {
    const nExp = Math.max(1, Math.ceil(runs / RUNS_PER_EXPERIMENT));
    const experiments: GeneratedStore['experiments'] = [];
    for (let e = 0; e < nExp; e++) {
      const name = `${pick(rng, TEAMS)}/sweep-${String(e).padStart(3, '0')}`;
      const id = await writer.createExperiment(name, {
        tags: { 'mlflow.note.content': `Synthetic benchmark sweep ${e} (seed ${seed}).` },
      });
      experiments.push({ id, name, runs: 0 });
    }
    const expOf = (i: number): number => Math.min(nExp - 1, Math.floor(i / RUNS_PER_EXPERIMENT));
    for (let i = 0; i < runs; i++) (experiments[expOf(i)] as { runs: number }).runs++;

    let done = 0;
    const writeRun = async (i: number): Promise<void> => {
      const plan = planRun(seed, i, expOf);
      const exp = experiments[expOf(i)] as { id: string };
      await writer.createRun({
        experimentId: exp.id,
        runId: plan.runId,
        runName: plan.runName,
        userId: plan.userId,
        sourceName: 'train.py',
        sourceType: 'LOCAL',
        startTime: plan.startTime,
      });
      await writer.logBatch(plan.runId, { params: plan.params, metrics: plan.metrics, tags: plan.tags });
      if (plan.status !== 'RUNNING') await writer.endRun(plan.runId, plan.status, plan.endTime ?? undefined);
      done++;
      if (options.onProgress && (done % 1000 === 0 || done === runs)) options.onProgress(done, runs);
    };
    // Blocking file writes and SQLite's one synchronous connection gain nothing from interleaving.
    await runPool(runs, kind === 'file' && !blockingIo ? (options.concurrency ?? 48) : 1, writeRun);

    const result: GeneratedStore = {
      kind,
      runs,
      seed,
      generatorVersion: GENERATOR_VERSION,
      projectDir,
      storePath: writer.path,
      experiments,
      paramKeys: [...PARAM_KEYS],
      metricKeys: [...METRIC_KEYS],
      tagKeys: [...TAG_KEYS],
      generationMs: Math.round(performance.now() - started),
      // meta.yaml + params + metrics + system tags + user tags per run, + experiments (meta + tag) + Default.
      filesWritten: kind === 'file' ? runs * (1 + PARAMS_PER_RUN + METRICS_PER_RUN + 4 + USER_TAGS_PER_RUN) + nExp * 2 + 1 : null,
    };
    return result;
  } finally {
    await writer.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Cache

export function cacheDirFor(kind: StoreKind, runs: number, seed = 1): string {
  return path.join(CACHE_DIR, `${kind}-${runs}runs-seed${seed}-v${GENERATOR_VERSION}`);
}

const MARKER = 'generated.json';
const DIRTY = '.dirty';
/** How long ensureStore waits for another process's generation or modification. */
const WAIT_MS = 30 * 60_000;
const POLL_MS = 2000;

// Several processes share bench/.cache/ (engine benchmarks, the UI benchmark, people running both
// at once). Two rules keep them from destroying each other's stores:
// - generation happens under `<entry>.lock` (created exclusively, holding the owner's pid), and a
//   waiting process re-checks the entry once the lock is gone;
// - a benchmark that modifies a store (appends) marks it `.dirty` with its pid: while that process
//   lives, others wait instead of regenerating the store under it; a `.dirty` whose owner is gone
//   (a crash mid-benchmark) means the store may be modified, and it is regenerated.

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ownerOf(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isNaN(pid) ? -1 : pid;
  } catch {
    return null; // no such file
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function isComplete(dir: string): boolean {
  return existsSync(path.join(dir, MARKER));
}

async function readEntry(kind: StoreKind, dir: string): Promise<GeneratedStore> {
  const meta = JSON.parse(await readFile(path.join(dir, MARKER), 'utf8')) as GeneratedStore;
  return { ...meta, projectDir: dir, storePath: path.join(dir, kind === 'file' ? 'mlruns' : 'mlflow.db') };
}

/** The cached store for these parameters, generated first if missing, incomplete or left modified. */
export async function ensureStore(
  kind: StoreKind,
  runs: number,
  options: { seed?: number; log?: (msg: string) => void } = {},
): Promise<GeneratedStore> {
  const seed = options.seed ?? 1;
  const dir = cacheDirFor(kind, runs, seed);
  const lock = `${dir}.lock`;
  const log = options.log ?? (() => {});
  const deadline = Date.now() + WAIT_MS;
  let said = '';
  const waitFor = async (why: string): Promise<void> => {
    if (Date.now() > deadline) throw new Error(`${dir}: ${why} for over ${WAIT_MS / 60_000} min; giving up`);
    if (why !== said) log(`${dir}: ${why}; waiting`);
    said = why;
    await sleep(POLL_MS);
  };
  await mkdir(CACHE_DIR, { recursive: true });
  for (;;) {
    const generator = await ownerOf(lock);
    if (generator !== null && generator !== process.pid && pidAlive(generator)) {
      await waitFor(`being generated by process ${generator}`);
      continue;
    }
    if (isComplete(dir)) {
      const modifier = await ownerOf(path.join(dir, DIRTY));
      if (modifier === null || modifier === process.pid) return readEntry(kind, dir);
      if (pidAlive(modifier)) {
        await waitFor(`being modified by process ${modifier}`);
        continue;
      }
    }
    // Missing, incomplete, or left modified by a process that is gone: (re)generate under the lock.
    if (generator !== null && !pidAlive(generator)) await unlink(lock).catch(() => {});
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
    } catch {
      continue; // someone else took it first: wait for them
    }
    try {
      if (isComplete(dir) && (await ownerOf(path.join(dir, DIRTY))) === null) return readEntry(kind, dir);
      if (existsSync(dir)) {
        log(`removing incomplete or modified cache entry ${dir}`);
        await rm(dir, { recursive: true, force: true });
      }
      log(`generating ${kind} store with ${runs} runs into ${dir}`);
      const store = await generateStore({
        kind,
        runs,
        seed,
        out: dir,
        onProgress: (done, total) => {
          if (done % 10_000 === 0 || done === total) log(`  ${done}/${total} runs`);
        },
      });
      await writeFile(path.join(dir, MARKER), `${JSON.stringify(store, null, 2)}\n`);
      log(`  generated in ${(store.generationMs / 1000).toFixed(1)} s`);
      return store;
    } finally {
      await unlink(lock).catch(() => {});
    }
  }
}

/**
 * Marks a cached store as being modified by this process (e.g. appended metric lines) until
 * `markClean`: other processes wait meanwhile, and if this process dies first the next
 * ensureStore regenerates the store.
 */
export async function markDirty(store: GeneratedStore): Promise<void> {
  await writeFile(path.join(store.projectDir, DIRTY), `${process.pid}\n`);
}

export async function markClean(store: GeneratedStore): Promise<void> {
  await unlink(path.join(store.projectDir, DIRTY)).catch(() => {});
}

// ---------------------------------------------------------------------------------------------
// CLI

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
