// Warm start of a file store from a persisted snapshot (engine/snapshot/): the reader's cache is
// rebuilt from the snapshot instead of the files, then checked against the files — every run
// folder whose files (names, sizes, mtimes) differ from what they were when it was read, every run
// folder that appeared or went, every experiment's datasets/ and models/ that changed — and those
// paths go through the ordinary refresh (refresh.ts), which re-reads them exactly as a live change
// would. The invariant the tests check: a warm start ends in the state a cold load reads.
//
// A signature is only recorded for a unit whose files were all older than the read that produced
// the snapshot (minus MTIME_SLACK_MS, for file systems with coarse timestamps): a file written
// during or after that read may not be in the snapshot, so such a unit has no signature and is
// re-read on the next warm start. So is every unit that had a diagnostic (re-reading it reports
// the problem again, or finds it fixed).
import { createHash } from 'node:crypto';
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import type { WarmRecords } from '../reader.ts';
import { listExperimentChildren } from './experiment-read.ts';
import { errCode, yieldToLoop } from './fs-util.ts';
import type { ReadContext } from './read-context.ts';
import { runDir, type ExpEntry, type StoreCache } from './store-cache.ts';

const MTIME_SLACK_MS = 2000;
/** Longest stretch of synchronous stat calls before the event loop gets a turn. */
const SLICE_MS = 8;
const STATE_FORMAT = 1;

/** What the snapshot keeps for the reader (structured-cloneable). */
export interface FileWarmState {
  format: number;
  root: string;
  exps: { id: string; dir: string; trashed: boolean; datasets: string | null; models: string | null }[];
  /** Columns, one entry per cached run. */
  runs: { ids: string[]; exps: string[]; refs: (readonly string[])[]; sigs: (string | null)[] };
  models: { modelId: string; expId: string; dir: string }[];
}


/**
 * The signature of the files under `dir`: names, sizes and mtimes, in name order. Folders `skip`
 * names (relative, '/'-separated) are left out. `notBefore`: null when any file's mtime is at or
 * after it (the unit may have changed while it was read).
 */
export function signTree(dir: string, skip: (rel: string) => boolean, notBefore = Infinity): string | null {
  const h = createHash('sha1');
  let recent = false;
  const walk = (d: string, rel: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (e) {
      h.update(`!${rel}\0${errCode(e)}\n`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (skip(r)) continue;
        h.update(`d${r}\n`);
        walk(p, r);
        continue;
      }
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) {
        h.update(`?${r}\n`);
        continue;
      }
      if (st.isDirectory()) {
        // A symlinked folder.
        if (skip(r)) continue;
        h.update(`l${r}\n`);
        walk(p, r);
        continue;
      }
      if (st.mtimeMs >= notBefore) recent = true;
      h.update(`f${r}\0${st.size}\0${st.mtimeMs}\n`);
    }
  };
  walk(dir, '');
  return recent ? null : h.digest('base64');
}

const skipRunArtifacts = (rel: string) => rel === 'artifacts';
const skipModelArtifacts = (rel: string) => /^[^/]+\/artifacts$/.test(rel);

/** Run folders per batch handed to the signing threads (~35 stat calls each: a few ms). */
const SIGN_BATCH = 32;
/** Below this many run folders a second thread (~0.1 s to start) costs about what it saves. */
const PARALLEL_SIGN_MIN = 2000;

/** The helper thread's part of signing run folders (load-worker.ts, `kind: 'sign'`). */
export interface SignJob {
  kind: 'sign';
  dirs: string[];
  batch: number;
  /** [0]: next batch; [1]: 1 when the helper must stop taking batches. */
  counter: SharedArrayBuffer;
  notBefore: number;
}

export type SignMessage = { batch: number; sigs: (string | null)[] } | { done: true };

export function signRunBatch(job: Pick<SignJob, 'dirs' | 'batch' | 'notBefore'>, b: number): (string | null)[] {
  const out: (string | null)[] = [];
  for (let i = b * job.batch; i < Math.min((b + 1) * job.batch, job.dirs.length); i++) out.push(signTree(job.dirs[i] as string, skipRunArtifacts, job.notBefore));
  return out;
}

/**
 * Signatures of run folders, in order. Big lists are shared with a helper thread (load-worker.ts)
 * batch by batch, as a cold load shares its reads: the walk is one stat call per file, and a second
 * core halves it. A helper that cannot start or dies leaves its batches to this thread.
 */
async function signRunDirs(dirs: string[], notBefore: number, workerUrl: URL | null, signal?: AbortSignal): Promise<(string | null)[]> {
  const out: (string | null)[] = new Array<string | null>(dirs.length).fill(null);
  const batches = Math.ceil(dirs.length / SIGN_BATCH);
  const counter = new Int32Array(new SharedArrayBuffer(8));
  const job: SignJob = { kind: 'sign', dirs, batch: SIGN_BATCH, counter: counter.buffer as SharedArrayBuffer, notBefore };
  const take = (b: number, sigs: (string | null)[]) => sigs.forEach((sig, i) => (out[b * SIGN_BATCH + i] = sig));
  const delivered = new Set<number>();
  const mine = new Set<number>();
  let worker: Worker | null = null;
  let finished: Promise<void> = Promise.resolve();
  if (workerUrl && dirs.length >= PARALLEL_SIGN_MIN) {
    finished = new Promise<void>((resolve) => {
      try {
        worker = new Worker(workerUrl, { workerData: job });
      } catch {
        resolve();
        return;
      }
      worker.on('message', (m: SignMessage) => {
        if ('done' in m) resolve();
        else {
          delivered.add(m.batch);
          take(m.batch, m.sigs);
        }
      });
      worker.on('error', () => resolve());
      worker.on('exit', () => resolve());
    });
  }
  try {
    let last = performance.now();
    for (;;) {
      const b = Atomics.add(counter, 0, 1);
      if (b >= batches) break;
      mine.add(b);
      take(b, signRunBatch(job, b));
      if (performance.now() - last > SLICE_MS) {
        await yieldToLoop();
        signal?.throwIfAborted();
        last = performance.now();
      }
    }
    await finished;
    for (let b = 0; b < batches; b++) if (!mine.has(b) && !delivered.has(b)) take(b, signRunBatch(job, b));
  } finally {
    Atomics.store(counter, 1, 1);
    const w = worker as Worker | null;
    if (w) await w.terminate();
  }
  return out;
}

/** Runs `fn` over `items` in synchronous slices of at most SLICE_MS. */
async function sliced<T>(items: Iterable<T>, fn: (item: T) => void, signal?: AbortSignal): Promise<void> {
  let last = performance.now();
  for (const item of items) {
    fn(item);
    if (performance.now() - last > SLICE_MS) {
      await yieldToLoop();
      signal?.throwIfAborted();
      last = performance.now();
    }
  }
}

const EXPERIMENT_PARTS = new Set(['meta.yaml', 'tags', 'datasets', 'models']);

/** Folders (run or experiment, resolved) that hold a unit with a diagnostic right now. */
function foldersWithProblems(ctx: ReadContext): Set<string> {
  const out = new Set<string>();
  for (const [scope] of ctx.book.scopes()) {
    const p = scope.replace(/#[^/\\]*$/, '');
    const rel = path.relative(ctx.root, p);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const parts = rel.split(path.sep);
    const base = parts[0] === '.trash' ? 1 : 0;
    // A run folder's scopes mark the run; the experiment's own (its folder, meta, datasets,
    // logged models) mark the experiment, whose datasets/ and models/ are then re-read.
    const second = parts[base + 1];
    if (second === undefined || EXPERIMENT_PARTS.has(second)) {
      if (parts.length > base) out.add(path.join(ctx.root, ...parts.slice(0, base + 1)));
    } else out.add(path.join(ctx.root, ...parts.slice(0, base + 2)));
  }
  return out;
}

/**
 * After a load: the state a later warm start needs, and the records it goes with (the cache's, so
 * experiments and logged models added by refreshes since the load are in); `readStarted`: when
 * that load began.
 */
export async function captureWarmState(
  ctx: ReadContext,
  cache: StoreCache,
  readStarted: number,
  workerUrl: URL | null,
  signal?: AbortSignal,
): Promise<{ state: FileWarmState; records: WarmRecords }> {
  const notBefore = readStarted - MTIME_SLACK_MS;
  const problems = foldersWithProblems(ctx);
  const exps: FileWarmState['exps'] = [];
  await sliced(
    cache.exps.values(),
    (e) => {
      const dirty = problems.has(e.dir);
      exps.push({
        id: e.id,
        dir: e.dir,
        trashed: e.trashed,
        datasets: dirty ? null : signTree(path.join(e.dir, 'datasets'), () => false, notBefore),
        models: dirty ? null : signTree(path.join(e.dir, 'models'), skipModelArtifacts, notBefore),
      });
    },
    signal,
  );
  const entries = [...cache.runs.values()];
  const dirs = entries.map(runDir);
  const sigs = await signRunDirs(dirs, notBefore, workerUrl, signal);
  const runs: FileWarmState['runs'] = {
    ids: entries.map((r) => r.runId),
    exps: entries.map((r) => r.exp.id),
    refs: entries.map((r) => r.datasetRefs),
    sigs: sigs.map((sig, i) => (problems.has(dirs[i] as string) ? null : sig)),
  };
  const models = [...cache.models.values()].map((m) => ({ modelId: m.modelId, expId: m.expId, dir: m.dir }));
  return {
    state: { format: STATE_FORMAT, root: ctx.root, exps, runs, models },
    records: {
      experiments: [...cache.exps.values()].map((e) => e.exp),
      loggedModels: [...cache.models.values()].map((m) => m.model),
      registry: cache.registry,
    },
  };
}

function isWarmState(s: unknown, root: string): s is FileWarmState {
  const w = s as Partial<FileWarmState> | null;
  return (
    typeof w === 'object' &&
    w !== null &&
    w.format === STATE_FORMAT &&
    w.root === root &&
    Array.isArray(w.exps) &&
    Array.isArray(w.models) &&
    Array.isArray(w.runs?.ids) &&
    w.runs.ids.length === w.runs.exps?.length &&
    w.runs.ids.length === w.runs.refs?.length &&
    w.runs.ids.length === w.runs.sigs?.length
  );
}

/**
 * Rebuilds the cache (every run cold) from a snapshot's state and records. Throws when they do not
 * fit together; the caller then discards the snapshot and reads cold.
 */
export function restoreWarmState(ctx: ReadContext, cache: StoreCache, state: unknown, records: WarmRecords): void {
  if (!isWarmState(state, ctx.root)) throw new Error('snapshot: reader state of another format or store');
  cache.clear();
  ctx.book.reset();
  const expById = new Map(records.experiments.map((e) => [e.experimentId, e]));
  for (const e of state.exps) {
    const exp = expById.get(e.id);
    if (!exp) throw new Error(`snapshot: experiment ${e.id} has no record`);
    cache.exps.set(e.id, { id: e.id, dir: e.dir, trashed: e.trashed, exp, runIds: new Set(), modelIds: new Set(), datasets: new Map() });
  }
  const { ids, exps, refs } = state.runs;
  for (let i = 0; i < ids.length; i++) {
    const exp = cache.exps.get(exps[i] as string);
    if (!exp) throw new Error(`snapshot: run ${ids[i]} of an unknown experiment`);
    cache.addRun(exp, ids[i] as string, refs[i] as readonly string[], null);
  }
  const modelById = new Map(records.loggedModels.map((m) => [m.modelId, m]));
  for (const m of state.models) {
    const exp = cache.exps.get(m.expId);
    const model = modelById.get(m.modelId);
    if (!exp || !model) throw new Error(`snapshot: logged model ${m.modelId} has no record`);
    cache.addModel(exp, { ...m, model });
  }
  cache.registry = records.registry;
}

/**
 * What changed in the files since the state was captured, as the paths a watcher would have
 * reported: the refresh of these paths brings the restored cache to what a cold load reads.
 */
export async function changedSinceWarmState(
  ctx: ReadContext,
  cache: StoreCache,
  state: FileWarmState,
  workerUrl: URL | null,
  signal?: AbortSignal,
): Promise<string[]> {
  // The top level and the registry are always re-listed (a few files): experiments that appeared,
  // went or moved to or from .trash/ are found there, and re-read whole.
  const changed: string[] = [ctx.root];
  const saved = new Map(state.exps.map((e) => [e.id, e]));
  const sigOf = new Map<string, string | null>();
  for (let i = 0; i < state.runs.ids.length; i++) sigOf.set(state.runs.ids[i] as string, state.runs.sigs[i] as string | null);
  const present: { exp: ExpEntry; runs: string[] }[] = [];
  for (const exp of cache.exps.values()) {
    signal?.throwIfAborted();
    if (!statSync(exp.dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    const was = saved.get(exp.id);
    // Its meta.yaml and tags: one small read each.
    changed.push(path.join(exp.dir, 'meta.yaml'));
    if (was?.datasets == null || signTree(path.join(exp.dir, 'datasets'), () => false) !== was.datasets) {
      changed.push(path.join(exp.dir, 'datasets'));
    }
    if (was?.models == null || signTree(path.join(exp.dir, 'models'), skipModelArtifacts) !== was.models) {
      changed.push(path.join(exp.dir, 'models'));
      for (const id of exp.modelIds) changed.push(path.join(exp.dir, 'models', id));
    }
    present.push({ exp, runs: (await listExperimentChildren(ctx, exp)).runs });
  }
  // Run folders that appeared or went; the others are signed again and compared.
  const check: { dir: string; sig: string }[] = [];
  for (const { exp, runs } of present) {
    const names = new Set(runs);
    for (const id of exp.runIds) if (!names.has(id)) changed.push(path.join(exp.dir, id));
    for (const name of runs) {
      const entry = cache.runs.get(name);
      const dir = path.join(exp.dir, name);
      const sig = sigOf.get(name);
      if (!entry || entry.exp !== exp || sig == null) changed.push(dir);
      else check.push({ dir, sig });
    }
  }
  const now = await signRunDirs(check.map((c) => c.dir), Infinity, workerUrl, signal);
  check.forEach((c, i) => {
    if (now[i] !== c.sig) changed.push(c.dir);
  });
  return changed;
}
