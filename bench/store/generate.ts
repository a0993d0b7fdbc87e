// Writing a synthetic store through the tracking writer, so the result is byte-for-byte what
// MLflow 3.5 would have written for the same calls.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  createFileTrackingWriter,
  createSqliteTrackingWriter,
  type TrackingWriter,
} from '../../electron/engine/writer/tracking-writer.ts';
import { createRng, pick } from './rng.ts';
import { BASE_TIME, METRIC_KEYS, METRICS_PER_RUN, PARAM_KEYS, PARAMS_PER_RUN, planRun, RUNS_PER_EXPERIMENT, TAG_KEYS, TEAMS, USER_TAGS_PER_RUN } from './plan.ts';

/** Bump when the generated content changes, so stale cache entries are not reused. */
export const GENERATOR_VERSION = 1;

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
