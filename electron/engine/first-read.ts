// A store's first read, the one addStore (engine.ts) waits for: cold, from its files, streaming
// the runs into the index and into the store's next snapshot; or warm, from the snapshot its last
// read left (snapshot/snapshot-file.ts), the files then checked against it by the reader. Also the
// completion of snapshots in the background once the store is open.
import type { RunIndex } from './index/index.ts';
import type { Experiment, IndexChangedEvent, IndexProgressEvent, Run, StoreInfo, StoreSnapshot } from './model.ts';
import { dropSnapshot, readSnapshot, SnapshotWriter } from './snapshot/snapshot-file.ts';
import { emptyChange, type StoreReader } from './stores/reader.ts';

/** How often a store's first read tells the app to look again while its runs stream in. */
const STREAM_BUMP_MS = 500;
/** Longest stretch of indexing a snapshot's runs before the event loop gets a turn. */
const SLICE_MS = 8;

/** What a first read needs of the engine. */
export interface FirstReadHost {
  readonly index: RunIndex;
  /** Where snapshots are kept; undefined: always read cold. */
  readonly snapshotDir: string | undefined;
  readonly watching: boolean;
  progress(ev: IndexProgressEvent): void;
  bump(storeId: string, ev: Omit<IndexChangedEvent, 'generation' | 'storeId'>): void;
  /** Why a store is read cold (a warm start is recorded by the engine once its refresh is in). */
  setStart(storeId: string, start: StoreStart): void;
}

/** What completing a snapshot needs of an open store. */
export interface PersistTarget {
  info: StoreInfo;
  reader: StoreReader;
  /** The watcher's start: snapshots are completed after it. */
  watchStart: Promise<void>;
  closing: AbortController;
}

/** After a warm start that re-read runs: what the next snapshot replaces or drops. */
export interface SnapshotRewrite {
  fresh: Run[];
  drop: Set<string>;
}

/**
 * Tells the app to look again as a first read's runs land in the index: at most every
 * STREAM_BUMP_MS (each look is a query of a few ms), the first time as soon as runs landed unless
 * `looked()` said the app just looked.
 */
function streamBumps(host: FirstReadHost, storeId: string): { looked(): void; landed(runs: readonly Run[]): void } {
  let last = 0;
  return {
    looked: () => {
      last = performance.now();
    },
    landed: (runs) => {
      if (performance.now() - last < STREAM_BUMP_MS) return;
      host.bump(storeId, { experimentIds: [...new Set(runs.map((r) => r.experimentId))], runIds: [], registryChanged: false });
      last = performance.now();
    },
  };
}

/** What the watcher needs of a run. */
export type WatchedRunInfo = Pick<Run, 'experimentId' | 'runId' | 'status' | 'startTime' | 'endTime'>;

export function watchedRun(r: Run): WatchedRunInfo {
  return { experimentId: r.experimentId, runId: r.runId, status: r.status, startTime: r.startTime, endTime: r.endTime };
}

/** How a store's first read went (tests and benchmarks ask: Engine.startOf). */
export type StoreStart =
  | { start: 'warm'; /** Runs re-read (changed, new or unverified) and runs gone since the snapshot. */ rereadRuns: number; goneRuns: number }
  | { start: 'cold'; reason: string };

/** What a store's first read (cold or warm) leaves for addStore. */
export interface FirstRead {
  experiments: Experiment[];
  watched: WatchedRunInfo[];
  runCount: number;
  /** When the read began: the watcher's catch-up re-checks what changed after it. */
  snapshotStart: number;
  /** Warm start: what changed in the files since the snapshot (to refresh); cold: null. */
  changedPaths: string[] | null;
  /** Warm start: the snapshot's runs the reader found gone (already out of the index). */
  goneRunIds: string[];
  /** Cold read with a snapshot folder: the store's next snapshot, to complete. */
  persist: SnapshotWriter | null;
}


/**
 * A store's first read from the files. Runs are indexed batch by batch as the reader hands them
 * over (a reader that does not stream returns them all in the snapshot): the Run objects of a big
 * store never all exist at once, which is what keeps a 100k-run load within its memory budget.
 * With a snapshot folder, the batches are also written to the store's next snapshot as they come.
 */
export async function coldRead(host: FirstReadHost, info: StoreInfo, reader: StoreReader): Promise<FirstRead> {
  // The watcher only needs these fields per run (the strings are the ones the index keeps anyway).
  const watched: WatchedRunInfo[] = [];
  const watching = host.watching;
  let indexed = 0;
  // Whatever is written from here on may be missing from the snapshot: the watcher's catch-up
  // re-checks what changed after this instant.
  const snapshotStart = Date.now();
  let writer = snapshotWriter(host, info, reader, snapshotStart);
  const toSnapshot = (runs: readonly Run[]) => {
    try {
      writer?.addRuns(runs);
    } catch {
      // A full disk or a read-only cache folder: no snapshot this time, nothing else lost.
      writer?.abort();
      writer = null;
    }
  };
  host.index.beginSnapshot(info);
  // While the runs stream in, the experiments are listed and queryable already: the app paints
  // its first rows long before a big store is read, and is told to look again as batches land
  // (at most every STREAM_BUMP_MS; each look is a query of a few ms).
  let runFolders: Record<string, number> | undefined;
  const bumps = streamBumps(host, info.id);
  const progress = (done: number, total: number) =>
    host.progress({ storeId: info.id, phase: 'reading', done, total, ...(runFolders ? { runFolders } : {}) });
  let snap: StoreSnapshot;
  try {
    snap = await reader.load({
      onProgress: progress,
      onExperiments: (experiments, folders) => {
        host.index.addSnapshotExperiments(info.id, experiments);
        // The reader's next progress report carries them to the app.
        runFolders = Object.fromEntries(folders);
        host.bump(info.id, { experimentIds: experiments.map((e) => e.experimentId), runIds: [], registryChanged: false });
        bumps.looked();
      },
      onRuns: (runs) => {
        host.index.addSnapshotRuns(info.id, runs);
        toSnapshot(runs);
        indexed += runs.length;
        if (runFolders) bumps.landed(runs);
        if (watching) for (const r of runs) watched.push(watchedRun(r));
      },
    });
    toSnapshot(snap.runs);
    const total = indexed + snap.runs.length;
    host.progress({ storeId: info.id, phase: 'indexing', done: indexed, total });
    host.index.endSnapshot(snap);
  } catch (e) {
    writer?.abort();
    throw e;
  }
  if (watching) for (const r of snap.runs) watched.push(watchedRun(r));
  return { experiments: snap.experiments, watched, runCount: indexed + snap.runs.length, snapshotStart, changedPaths: null, goneRunIds: [], persist: writer };
}

/**
 * A store's first read from its persisted snapshot (engine/snapshot/): the index is filled from
 * it at once (the app paints its rows), then the reader checks the files against it and names
 * what changed, which addStore refreshes. Null when there is no usable snapshot: a missing one, or
 * one that is corrupt, of another schema or another store, or does not fit the reader (deleted).
 */
export async function warmRead(host: FirstReadHost, info: StoreInfo, reader: StoreReader): Promise<FirstRead | null> {
  const dir = host.snapshotDir;
  if (!dir || !reader.warm) {
    host.setStart(info.id, { start: 'cold', reason: dir ? 'the reader has no warm start' : 'no snapshot folder' });
    return null;
  }
  const found = readSnapshot(dir, info);
  if (!found.ok) {
    host.setStart(info.id, { start: 'cold', reason: found.reason === 'missing' ? 'no snapshot' : `snapshot discarded (${found.reason})` });
    return null;
  }
  const { tail } = found.snapshot;
  // Changes from here on are the watcher's catch-up's (as after a cold read's start).
  const snapshotStart = Date.now();
  const watched: WatchedRunInfo[] = [];
  const total = tail.runCount;
  const runFolders = tail.runFolders;
  const progress = (done: number) => host.progress({ storeId: info.id, phase: 'reading', done, total, runFolders });
  try {
    // As a cold read streams: the experiments first, then the runs in the order they were read
    // (the experiment the app opens on first), the app told to look as they land; rows are on
    // screen long before a big snapshot is indexed, and complete ('ready') once the files are
    // checked against it.
    host.index.beginSnapshot(info, total);
    host.index.addSnapshotExperiments(info.id, tail.experiments);
    progress(0);
    host.bump(info.id, { experimentIds: tail.experiments.map((e) => e.experimentId), runIds: [], registryChanged: false });
    // The first turn given back also tells the app (its first rows).
    const bumps = streamBumps(host, info.id);
    let lastYield = performance.now();
    for (const batch of found.snapshot.runBatches()) {
      host.index.addSnapshotRuns(info.id, batch);
      for (const r of batch) watched.push(watchedRun(r));
      if (performance.now() - lastYield < SLICE_MS) continue;
      progress(watched.length);
      bumps.landed(batch);
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    host.index.endSnapshot({ info, experiments: tail.experiments, runs: [], loggedModels: tail.loggedModels, registry: tail.registry, diagnostics: [] });
    // The whole snapshot is on screen; the files are being checked against it.
    host.progress({ storeId: info.id, phase: 'checking', done: 0, total: 0, runFolders });
    host.bump(info.id, { experimentIds: tail.experiments.map((e) => e.experimentId), runIds: [], registryChanged: true });
    const { changedPaths, goneRunIds } = await reader.warm.restore(tail.readerState, tail, watched.map((r) => r.runId));
    if (goneRunIds.length > 0) host.index.applyChange(info.id, { ...emptyChange(), removedRunIds: goneRunIds });
    const gone = new Set(goneRunIds);
    return {
      experiments: tail.experiments,
      watched: gone.size > 0 ? watched.filter((r) => !gone.has(r.runId)) : watched,
      runCount: watched.length - gone.size,
      snapshotStart,
      changedPaths,
      goneRunIds,
      persist: null,
    };
  } catch (e) {
    // Does not fit what the reader expects (a bug, or a file edited by hand): never trusted.
    dropSnapshot(dir, info);
    host.setStart(info.id, { start: 'cold', reason: `snapshot discarded (${e instanceof Error ? e.message : String(e)})` });
    return null;
  }
}

function snapshotWriter(host: FirstReadHost, info: StoreInfo, reader: StoreReader, readStarted: number): SnapshotWriter | null {
  const dir = host.snapshotDir;
  if (!dir || !reader.warm) return null;
  try {
    return new SnapshotWriter(dir, info, readStarted);
  } catch {
    return null;
  }
}

/**
 * Completes a store's snapshot once its watcher is live (the stat walk of the files would only
 * slow the first minutes down). Never rejects; closing the store abandons it.
 */
export async function persistSnapshot(host: FirstReadHost, open: PersistTarget, writer: SnapshotWriter, readStarted: number, runCount: number): Promise<void> {
  try {
    await open.watchStart;
    const warm = open.reader.warm;
    if (!warm || open.closing.signal.aborted) throw new Error('closed');
    const { state, records } = await warm.capture(readStarted, open.closing.signal);
    open.closing.signal.throwIfAborted();
    const runFolders: Record<string, number> = {};
    for (const e of host.index.listExperiments({ storeId: open.info.id, lifecycle: 'all' })) {
      runFolders[e.experimentId] = e.runCounts.active + e.runCounts.deleted;
    }
    writer.finish({ ...records, runCount, runFolders, readerState: state });
  } catch {
    // Closed first, or the cache folder is full or read-only: no snapshot this time (the next
    // open reads cold), nothing else lost.
    writer.abort();
  }
}

/**
 * After a warm start that re-read runs: the snapshot's runs with those replaced (or dropped), and
 * the reader's state as of this start, so the next start does not read them again.
 */
export async function rewriteSnapshot(host: FirstReadHost, open: PersistTarget, rewrite: SnapshotRewrite, readStarted: number, runCount: number): Promise<void> {
  const dir = host.snapshotDir;
  await open.watchStart;
  if (!dir || open.closing.signal.aborted) return;
  const found = readSnapshot(dir, open.info);
  if (!found.ok) return;
  let writer: SnapshotWriter;
  try {
    writer = new SnapshotWriter(dir, open.info, readStarted);
  } catch {
    return;
  }
  try {
    for (const batch of found.snapshot.runBatches()) writer.addRuns(batch.filter((r) => !rewrite.drop.has(r.runId)));
    writer.addRuns(rewrite.fresh);
  } catch {
    writer.abort();
    return;
  }
  await persistSnapshot(host, open, writer, readStarted, runCount);
}
