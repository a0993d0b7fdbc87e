// What the file-store reader remembers between a load and the refreshes after it: every
// experiment, run and logged model it read, and the registry.
//
// Memory: the cache must stay small next to the index, which already holds every run (a 100k-run
// store's Run objects and metric states took ~400 MB of heap when the reader kept them all). So a
// run is *cold* after a load — only its folder (experiment + id) and dataset references are kept —
// and a change to a cold run re-reads its folder whole (about 30 small files, well under a
// millisecond on a local disk), which is also exactly what a fresh load would read. That run is
// then *hot*: its Run, meta and per-metric-file states (byte offset, running latest point) are
// kept, so the next appends to its metric files are read incrementally from the last offset. At
// most MAX_HOT runs are hot (the least recently changed go cold again): training writes to a few
// runs at a time.
import path from 'node:path';
import type { Experiment, LoggedModel, RegisteredModel, Run } from '../../model.ts';
import type { DiagBook } from './diagnostics.ts';
import type { RunMetricState } from './metric-file.ts';
import type { DatasetMeta, RunMeta } from './records.ts';

/** Runs whose full state is kept for incremental refreshes (see the file comment). */
export const MAX_HOT = 512;
const NO_REFS: readonly string[] = Object.freeze([]);

export interface ExpEntry {
  id: string;
  dir: string;
  trashed: boolean;
  exp: Experiment;
  runIds: Set<string>;
  modelIds: Set<string>;
  /** Experiment-level datasets, read on first use by an input. */
  datasets: Map<string, Promise<DatasetMeta | null>>;
}

/** A run as the cache keeps it: its folder is `<exp.dir>/<runId>`. */
export interface RunEntry {
  runId: string;
  exp: ExpEntry;
  /** Dataset ids the run's inputs point to (re-read when one of them changes). */
  datasetRefs: readonly string[];
  /** Kept only for runs a refresh touched; null: the next change re-reads the folder whole. */
  hot: HotRun | null;
}

/** Everything incremental refreshes of one run need. */
export interface HotRun {
  meta: RunMeta;
  run: Run;
  metricStates: Map<string, RunMetricState>;
}

export interface ModelEntry {
  modelId: string;
  expId: string;
  dir: string;
  model: LoggedModel;
}

export function runDir(entry: RunEntry): string {
  return path.join(entry.exp.dir, entry.runId);
}

export class StoreCache {
  exps = new Map<string, ExpEntry>();
  runs = new Map<string, RunEntry>();
  /** Hot runs, least recently changed first. */
  hotRuns = new Set<RunEntry>();
  models = new Map<string, ModelEntry>();
  registry: RegisteredModel[] = [];
  private readonly book: DiagBook;
  private readonly maxHot: number;

  /** `maxHot`: how many runs keep their full state (at least 1). */
  constructor(book: DiagBook, maxHot: number) {
    this.book = book;
    this.maxHot = maxHot;
  }

  clear(): void {
    this.exps.clear();
    this.runs.clear();
    this.hotRuns.clear();
    this.models.clear();
    this.registry = [];
  }

  /** Caches a run (cold when `hot` is null); false when another folder has its id. */
  addRun(exp: ExpEntry, runId: string, datasetRefs: readonly string[], hot: HotRun | null): boolean {
    const other = this.runs.get(runId);
    if (other && other.exp.dir !== exp.dir) {
      const dir = path.join(exp.dir, runId);
      const c = this.book.collector();
      c.add(dir, `run id also present in ${runDir(other)} (this copy skipped)`);
      this.book.set(`${dir}#dup`, c.list);
      return false;
    }
    if (other) this.hotRuns.delete(other);
    const entry: RunEntry = {
      runId,
      exp,
      datasetRefs: datasetRefs.length > 0 ? datasetRefs : NO_REFS,
      hot,
    };
    this.runs.set(runId, entry);
    exp.runIds.add(runId);
    if (hot !== null) this.touchHot(entry);
    return true;
  }

  /** Marks a hot run as just changed; the least recently changed beyond MAX_HOT go cold. */
  touchHot(entry: RunEntry): void {
    this.hotRuns.delete(entry);
    this.hotRuns.add(entry);
    for (const old of this.hotRuns) {
      if (this.hotRuns.size <= this.maxHot) break;
      old.hot = null;
      this.hotRuns.delete(old);
    }
  }

  forgetRun(entry: RunEntry): void {
    if (this.runs.get(entry.runId) === entry) this.runs.delete(entry.runId);
    entry.exp.runIds.delete(entry.runId);
    this.hotRuns.delete(entry);
  }

  addModel(exp: ExpEntry, m: ModelEntry): void {
    this.models.set(m.modelId, m);
    exp.modelIds.add(m.modelId);
  }
}
