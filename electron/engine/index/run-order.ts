// Selecting and ordering one page of runs from a RunTable.
//
// Order (MLflow's SearchUtils.sort / _get_value_for_sort, extended):
// - each requested term in turn; runs lacking the key sort last in both directions, and NaN
//   metrics after every number but before missing ones;
// - then MLflow's natural order, start_time DESC (null last) and run_id ASC, so every order is
//   total and pages are stable;
// - params compare as strings, like MLflow, unless every value of that param among the matching
//   runs is a decimal number: then numerically (n_estimators 10, 50, 100, 200). Tags and string
//   attributes always compare as strings, by code point.
// Only the first offset+limit runs are sorted (quickselect first), so a page costs O(n + k log k).
import type { OrderTerm, RunAttribute } from './filter-parser.ts';
import type { DictColumn, RunTable } from './run-table.ts';

type Compare = (a: number, b: number) => number;

function compareNumbers(x: number, y: number): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Null (NaN) times last in both directions. */
function timeCompare(values: Float64Array, desc: boolean): Compare {
  return (a, b) => {
    const x = values[a]!;
    const y = values[b]!;
    const nx = Number.isNaN(x);
    const ny = Number.isNaN(y);
    if (nx || ny) return nx === ny ? 0 : nx ? 1 : -1;
    return desc ? compareNumbers(y, x) : compareNumbers(x, y);
  };
}

function dictCompare(col: DictColumn, desc: boolean, numeric: boolean): Compare {
  const sign = desc ? -1 : 1;
  if (numeric) {
    return (a, b) => {
      const x = col.code(a);
      const y = col.code(b);
      if (x === y) return 0;
      if (x < 0 || y < 0) return x < 0 ? 1 : -1;
      return sign * compareNumbers(col.numeric(x), col.numeric(y));
    };
  }
  const ranks = col.ranking();
  return (a, b) => {
    const x = col.code(a);
    const y = col.code(b);
    if (x === y) return 0;
    if (x < 0 || y < 0) return x < 0 ? 1 : -1;
    return sign * (ranks[x]! - ranks[y]!);
  };
}

/** True when every present value of `col` among `slots[0..n)` is numeric (and one exists). */
function allNumeric(col: DictColumn, slots: Int32Array, n: number): boolean {
  let seen = false;
  for (let i = 0; i < n; i++) {
    const code = col.code(slots[i]!);
    if (code < 0) continue;
    if (Number.isNaN(col.numeric(code))) return false;
    seen = true;
  }
  return seen;
}

function termCompare(t: RunTable, o: OrderTerm, slots: Int32Array, n: number): Compare | null {
  const desc = o.desc;
  if (o.entity === 'metric') {
    const col = t.metrics.get(o.key);
    if (col === undefined) return null; // every run lacks it: no effect on the order
    return (a, b) => {
      const x = col.get(a);
      const y = col.get(b);
      // group: 0 number, 1 NaN, 2 missing
      const gx = x === undefined ? 2 : Number.isNaN(x) ? 1 : 0;
      const gy = y === undefined ? 2 : Number.isNaN(y) ? 1 : 0;
      if (gx !== gy) return gx - gy;
      if (gx !== 0) return 0;
      return desc ? compareNumbers(y!, x!) : compareNumbers(x!, y!);
    };
  }
  if (o.entity === 'param') {
    const col = t.params.get(o.key);
    return col === undefined ? null : dictCompare(col, desc, allNumeric(col, slots, n));
  }
  if (o.entity === 'tag') {
    const col = t.tags.get(o.key);
    return col === undefined ? null : dictCompare(col, desc, false);
  }
  switch (o.key as RunAttribute) {
    case 'run_id':
      return dictCompare(t.runId, desc, false);
    case 'run_name':
      return dictCompare(t.runName, desc, false);
    case 'artifact_uri':
      return dictCompare(t.artifactUri, desc, false);
    case 'status':
      return dictCompare(t.status, desc, false);
    case 'user_id':
      return dictCompare(t.userId, desc, false);
    case 'experiment_id':
      return dictCompare(t.experiment, desc, false);
    case 'start_time':
      return timeCompare(t.startTime, desc);
    case 'end_time':
      return timeCompare(t.endTime, desc);
    case 'lifecycle_stage': {
      // 'active' < 'deleted' as strings, which is also the code order.
      const lc = t.lifecycle;
      return (a, b) => (desc ? lc[b]! - lc[a]! : lc[a]! - lc[b]!);
    }
  }
}

/** Comparator for the given terms plus the natural tie-breakers. */
export function runComparator(t: RunTable, orders: OrderTerm[], slots: Int32Array, n: number): Compare {
  const terms = orders.map((o) => termCompare(t, o, slots, n)).filter((c): c is Compare => c !== null);
  const byStart = timeCompare(t.startTime, true);
  // Ties on start_time are rare: compare run id strings directly rather than ranking them all.
  const ids = t.runId;
  const byId: Compare = (a, b) => ids.compareCodes(ids.code(a), ids.code(b));
  terms.push(byStart, byId);
  if (terms.length === 2) return (a, b) => byStart(a, b) || byId(a, b);
  return (a, b) => {
    for (const cmp of terms) {
      const c = cmp(a, b);
      if (c !== 0) return c;
    }
    return 0;
  };
}

/**
 * The first `k` of `slots[0..n)` in `cmp` order: quickselect so that the k best come first
 * (about 3n comparisons whatever the input order; a heap degrades to n log k when the table
 * happens to be in the opposite order, e.g. runs read oldest first, listed newest first), then
 * a sort of those k.
 */
export function firstK(slots: Int32Array, n: number, k: number, cmp: Compare): number[] {
  if (k <= 0 || n === 0) return [];
  const a = slots.slice(0, n);
  if (k < n) {
    const target = k - 1;
    let lo = 0;
    let hi = n - 1;
    while (hi > lo) {
      const mid = lo + ((hi - lo) >> 1);
      // median of three as pivot
      if (cmp(a[mid]!, a[lo]!) < 0) swap(a, mid, lo);
      if (cmp(a[hi]!, a[lo]!) < 0) swap(a, hi, lo);
      if (cmp(a[hi]!, a[mid]!) < 0) swap(a, hi, mid);
      const pivot = a[mid]!;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (cmp(a[i]!, pivot) < 0) i++;
        while (cmp(a[j]!, pivot) > 0) j--;
        if (i <= j) {
          swap(a, i, j);
          i++;
          j--;
        }
      }
      if (target <= j) hi = j;
      else if (target >= i) lo = i;
      else break;
    }
  }
  const best = Array.from(a.subarray(0, Math.min(k, n)));
  best.sort(cmp);
  return best;
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
