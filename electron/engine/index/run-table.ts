// Per-store columnar mirror of the runs, for queryRuns: scope, filter, count and sort run over
// typed arrays here (schema.ts explains why not in SQL). Each run occupies a slot; slots of
// removed runs are reused. Attribute columns are dense; param/metric/tag columns start sparse
// (a Map) and turn dense once the key is on more than 1/8 of the slots, so a store with
// thousands of rarely-used keys does not pay capacity x keys.
//
// The SQL tables stay the source of truth; this mirror is rebuilt from the same model objects
// after each committed snapshot and patched after each committed change (ingest.ts).
import type { Run } from '../model.ts';

/** Lifecycle codes in RunTable.lifecycle. */
export const LC_ACTIVE = 0;
export const LC_DELETED = 1;

const DENSE_RATIO = 8;
const DENSE_MIN = 32;

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Compares strings by Unicode code point (the order of Python's str and of SQLite's BINARY
 * collation on UTF-8), not by UTF-16 code unit as JS `<` does: U+E000..U+FFFF must sort before
 * characters written as surrogate pairs.
 */
const HIGH_UNIT = /[\ud800-\uffff]/;

/** Whether `s` has a UTF-16 unit >= U+D800 (the only case where JS `<` is not code point order). */
export function hasHighUnit(s: string): boolean {
  return HIGH_UNIT.test(s);
}

export function compareStrings(a: string, b: string): number {
  return compareFlagged(a, hasHighUnit(a), b, hasHighUnit(b));
}

/** compareStrings with the hasHighUnit flags of both strings already known. */
export function compareFlagged(a: string, aHigh: boolean, b: string, bHigh: boolean): number {
  if (a === b) return 0;
  // The two orders differ only where both strings have a unit >= U+D800 at the first
  // difference, so the native comparison is exact unless both contain one.
  if (!aHigh || !bHigh) return a < b ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Latest metric values of one key. NaN is a present value; `undefined` means missing. */
export class NumColumn {
  private dense: Float64Array | null = null;
  private present: Uint8Array | null = null;
  private sparse: Map<number, number> | null = new Map();

  get(slot: number): number | undefined {
    if (this.dense !== null) return this.present![slot] === 1 ? this.dense[slot] : undefined;
    return this.sparse!.get(slot);
  }

  set(slot: number, value: number, capacity: number): void {
    if (this.dense !== null) {
      this.dense[slot] = value;
      this.present![slot] = 1;
      return;
    }
    const sparse = this.sparse!;
    sparse.set(slot, value);
    if (sparse.size > DENSE_MIN && sparse.size * DENSE_RATIO > capacity) {
      this.dense = new Float64Array(capacity);
      this.present = new Uint8Array(capacity);
      for (const [s, v] of sparse) {
        this.dense[s] = v;
        this.present[s] = 1;
      }
      this.sparse = null;
    }
  }

  delete(slot: number): void {
    if (this.present !== null) this.present[slot] = 0;
    else this.sparse!.delete(slot);
  }

  grow(capacity: number): void {
    if (this.dense === null) return;
    const d = new Float64Array(capacity);
    d.set(this.dense);
    const p = new Uint8Array(capacity);
    p.set(this.present!);
    this.dense = d;
    this.present = p;
  }
}

/**
 * Dictionary-encoded strings (params, tags, string attributes); code -1 = missing. Codes are
 * never reused, so the dictionary keeps values of removed runs (cheap; rebuilt with the next
 * snapshot). Sorting uses ranks (code point order of the dictionary), computed on the first
 * sort by the column and patched by binary insertion when values are added: comparing two
 * integers instead of two strings is what keeps a sort of 100k runs by run name fast.
 */
export class DictColumn {
  readonly dict: string[] = [];
  private readonly index = new Map<string, number>();
  private dense: Int32Array | null = null;
  private sparse: Map<number, number> | null = new Map();
  /** Numeric value per code (NaN when the string is not a decimal number), built lazily. */
  private readonly nums: number[] = [];
  /** hasHighUnit per code. */
  private readonly high: boolean[] = [];
  private anyHigh = false;
  /** Codes in code point order of their strings (covers the first `sorted.length` codes). */
  private sorted: number[] = [];
  private ranks = new Int32Array(0);

  constructor(capacity = 0, dense = false) {
    if (dense) {
      this.dense = new Int32Array(capacity).fill(-1);
      this.sparse = null;
    }
  }

  code(slot: number): number {
    if (this.dense !== null) return this.dense[slot]!;
    return this.sparse!.get(slot) ?? -1;
  }

  get(slot: number): string | undefined {
    const c = this.code(slot);
    return c < 0 ? undefined : this.dict[c];
  }

  /** Code of a value, or -1 when no slot ever had it. */
  lookup(value: string): number {
    return this.index.get(value) ?? -1;
  }

  /** The value of `code` as a number, NaN when it is not a plain decimal number. */
  numeric(code: number): number {
    const nums = this.nums;
    for (let c = nums.length; c < this.dict.length; c++) {
      const s = this.dict[c]!;
      nums.push(NUMERIC.test(s) ? Number(s) : NaN);
    }
    return nums[code]!;
  }

  /** Code point order of two codes' strings. */
  compareCodes(x: number, y: number): number {
    return compareFlagged(this.dict[x]!, this.high[x]!, this.dict[y]!, this.high[y]!);
  }

  /** Rank of every code in code point order of its string (ranks[code]). */
  ranking(): Int32Array {
    const d = this.dict.length;
    const done = this.sorted.length;
    if (done === d) return this.ranks;
    const cmp = (x: number, y: number) => this.compareCodes(x, y);
    if (done === 0 || (d - done) * 16 > d) {
      // Without units >= U+D800 the engine's own string sort is already code point order.
      this.sorted = this.anyHigh
        ? Array.from({ length: d }, (_, i) => i).sort(cmp)
        : this.dict.slice().sort().map((v) => this.index.get(v)!);
    } else {
      const fresh = Array.from({ length: d - done }, (_, i) => done + i).sort(cmp);
      const old = this.sorted;
      const merged: number[] = [];
      let i = 0;
      for (const c of fresh) {
        let lo = i;
        let hi = old.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cmp(old[mid]!, c) < 0) lo = mid + 1;
          else hi = mid;
        }
        while (i < lo) merged.push(old[i++]!);
        merged.push(c);
      }
      while (i < old.length) merged.push(old[i++]!);
      this.sorted = merged;
    }
    const ranks = new Int32Array(d);
    this.sorted.forEach((code, r) => {
      ranks[code] = r;
    });
    this.ranks = ranks;
    return ranks;
  }

  set(slot: number, value: string, capacity: number): void {
    let c = this.index.get(value);
    if (c === undefined) {
      c = this.dict.length;
      this.dict.push(value);
      this.index.set(value, c);
      const high = hasHighUnit(value);
      this.high.push(high);
      this.anyHigh ||= high;
    }
    if (this.dense !== null) {
      this.dense[slot] = c;
      return;
    }
    const sparse = this.sparse!;
    sparse.set(slot, c);
    if (sparse.size > DENSE_MIN && sparse.size * DENSE_RATIO > capacity) {
      this.dense = new Int32Array(capacity).fill(-1);
      for (const [s, code] of sparse) this.dense[s] = code;
      this.sparse = null;
    }
  }

  delete(slot: number): void {
    if (this.dense !== null) this.dense[slot] = -1;
    else this.sparse!.delete(slot);
  }

  grow(capacity: number): void {
    if (this.dense === null) return;
    const d = new Int32Array(capacity).fill(-1);
    d.set(this.dense);
    this.dense = d;
  }
}

export interface DatasetRef {
  name: string;
  digest: string;
  /** Input tag mlflow.data.context, null when absent. */
  context: string | null;
}

/** Input tag naming a dataset's role, matched by `dataset.context` (MLflow's MLFLOW_DATASET_CONTEXT). */
const CONTEXT_TAG = 'mlflow.data.context';

export class RunTable {
  capacity = 0;
  /** Slots below `top` have been used; `alive` tells which still hold a run. */
  top = 0;
  private readonly free: number[] = [];
  readonly slotOf = new Map<string, number>();

  alive = new Uint8Array(0);
  lifecycle = new Uint8Array(0);
  /** SQL rid of each slot's run (for fetching the page rows). */
  rid = new Float64Array(0);
  /** NaN = null. */
  startTime = new Float64Array(0);
  endTime = new Float64Array(0);
  readonly runId = new DictColumn(0, true);
  readonly runName = new DictColumn(0, true);
  readonly artifactUri = new DictColumn(0, true);
  readonly experiment = new DictColumn(0, true);
  readonly status = new DictColumn(0, true);
  readonly userId = new DictColumn(0, true);

  readonly params = new Map<string, DictColumn>();
  readonly metrics = new Map<string, NumColumn>();
  readonly tags = new Map<string, DictColumn>();
  readonly datasets = new Map<number, DatasetRef[]>();

  constructor(expectedRuns = 0) {
    this.grow(Math.max(16, expectedRuns));
  }

  private grow(capacity: number): void {
    const copy = <T extends Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.alive = copy(this.alive, (n) => new Uint8Array(n));
    this.lifecycle = copy(this.lifecycle, (n) => new Uint8Array(n));
    this.rid = copy(this.rid, (n) => new Float64Array(n));
    this.startTime = copy(this.startTime, (n) => new Float64Array(n));
    this.endTime = copy(this.endTime, (n) => new Float64Array(n));
    for (const col of [this.experiment, this.status, this.userId, this.runId, this.runName, this.artifactUri]) {
      col.grow(capacity);
    }
    for (const col of this.params.values()) col.grow(capacity);
    for (const col of this.metrics.values()) col.grow(capacity);
    for (const col of this.tags.values()) col.grow(capacity);
    this.capacity = capacity;
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.top === this.capacity) this.grow(this.capacity * 2);
    return this.top++;
  }

  /** Inserts or replaces the run with this run id. */
  upsert(run: Run, rid: number): void {
    let slot = this.slotOf.get(run.runId);
    if (slot === undefined) {
      slot = this.allocate();
      this.slotOf.set(run.runId, slot);
    } else {
      this.clearValues(slot);
    }
    const cap = this.capacity;
    this.alive[slot] = 1;
    this.lifecycle[slot] = run.lifecycleStage === 'deleted' ? LC_DELETED : LC_ACTIVE;
    this.rid[slot] = rid;
    this.startTime[slot] = run.startTime ?? NaN;
    this.endTime[slot] = run.endTime ?? NaN;
    this.runId.set(slot, run.runId, cap);
    this.runName.set(slot, run.runName, cap);
    this.artifactUri.set(slot, run.artifactUri, cap);
    this.experiment.set(slot, run.experimentId, cap);
    this.status.set(slot, run.status, cap);
    this.userId.set(slot, run.userId, cap);
    for (const [k, v] of Object.entries(run.params)) column(this.params, k, () => new DictColumn()).set(slot, v, cap);
    for (const [k, p] of Object.entries(run.metrics)) column(this.metrics, k, () => new NumColumn()).set(slot, p.value, cap);
    for (const [k, v] of Object.entries(run.tags)) column(this.tags, k, () => new DictColumn()).set(slot, v, cap);
    if (run.inputs.datasets.length > 0) {
      this.datasets.set(
        slot,
        run.inputs.datasets.map((d) => ({ name: d.name, digest: d.digest, context: d.tags[CONTEXT_TAG] ?? null })),
      );
    }
  }

  remove(runId: string): void {
    const slot = this.slotOf.get(runId);
    if (slot === undefined) return;
    this.clearValues(slot);
    this.alive[slot] = 0;
    this.slotOf.delete(runId);
    this.free.push(slot);
  }

  /** Runs per experiment id, by lifecycle. */
  runCounts(): Map<string, { active: number; deleted: number }> {
    const perCode: { active: number; deleted: number }[] = this.experiment.dict.map(() => ({ active: 0, deleted: 0 }));
    for (let s = 0; s < this.top; s++) {
      if (this.alive[s] !== 1) continue;
      const c = perCode[this.experiment.code(s)]!;
      if (this.lifecycle[s] === LC_DELETED) c.deleted++;
      else c.active++;
    }
    return new Map(perCode.map((c, code) => [this.experiment.dict[code]!, c]));
  }

  removeExperiment(experimentId: string): void {
    const code = this.experiment.lookup(experimentId);
    if (code < 0) return;
    for (let s = 0; s < this.top; s++) {
      if (this.alive[s] === 1 && this.experiment.code(s) === code) this.remove(this.runId.get(s)!);
    }
  }

  private clearValues(slot: number): void {
    for (const col of this.params.values()) col.delete(slot);
    for (const col of this.metrics.values()) col.delete(slot);
    for (const col of this.tags.values()) col.delete(slot);
    this.datasets.delete(slot);
  }
}

function column<C>(map: Map<string, C>, key: string, make: () => C): C {
  let c = map.get(key);
  if (c === undefined) {
    c = make();
    map.set(key, c);
  }
  return c;
}
