// Works out which runs / logged models changed between two reads, without re-reading them all.
//
// The database cannot tell us (no triggers or tables of ours allowed), so we keep a fingerprint
// per entity: its own row (exact, as JSON) plus, per child table (params, tags, latest_metrics,
// inputs ...), the (row count, sum of a per-row integer hash) of its rows. A refresh then costs
// one scan of the parent table, one aggregate scan per child table, and index lookups for the
// candidates:
//   candidates = entities whose own row changed + owners of rows appended since last time
//                (rowid > previous max; MLflow only appends to these tables) + owners of
//                appended `metrics` history rows (MLflow upserts latest_metrics in the same
//                transaction);
//   per child table, the per-owner aggregates of the candidates are recomputed and the table
//   totals checked: if old totals - old candidate aggregates + new candidate aggregates equal
//   the new totals, nothing else changed; otherwise (a writer updated some other row in place,
//   or deleted rows) the table is re-aggregated per owner in full and compared.
// Tables MLflow never updates in place (params: changing a logged param is refused; inputs;
// logged model params/metrics) are tracked by count only. The per-row hash of text rows covers
// byte lengths and first/last characters: an in-place overwrite of a tag value with another of
// the same byte length and the same first and last bytes is not noticed until the next load.
// Cost at 10k runs x (10 params, 10 metrics, 5 tags): ~30 ms of SQLite scans per refresh that
// found a commit; nothing at all when PRAGMA data_version says nobody committed.
import type { Query } from './query.ts';
import { inIds, num, str } from './query.ts';
import { quoteIdent } from './schema.ts';

export interface ChildSpec {
  table: string;
  /** SQL expression of the owning entity id for a row. */
  owner: string;
  /** Columns that may hold an owner id, used to look candidates up by index. */
  ownerColumns: string[];
  /** Extra row filter (e.g. which kinds of `inputs` rows belong to runs), or null. */
  where: string | null;
  /** Integer SQL expression hashing a row; null for tables whose rows never change in place. */
  rowHash: string | null;
  hasRowid: boolean;
}

/** A table whose appended rows mark their owner changed (metric history). */
export interface AppendSpec {
  table: string;
  owner: string;
  hasRowid: boolean;
}

type Agg = readonly [count: number, sum: number];

/** What a baseline found, as plain data (structured-clonable: a helper thread takes baselines). */
export interface TrackerState {
  parent: Map<string, string>;
  children: { count: number; sum: number; maxRowid: number; perOwner: Map<string, Agg> }[];
  appendMax: number[];
}

interface ChildState {
  spec: ChildSpec;
  count: number;
  sum: number;
  maxRowid: number;
  perOwner: Map<string, Agg>;
}

const MOD = 1000003;

/**
 * Per-row hash of a key/value text row: byte lengths and first/last characters (the value as a
 * blob so that length and the last byte cost O(1)). NULL parts make the row hash NULL, which
 * sum() skips; the row still counts.
 */
export function textRowHash(keyCol: string, valueCol: string): string {
  const k = quoteIdent(keyCol);
  const v = quoteIdent(valueCol);
  return (
    `((length(CAST(${k} AS BLOB)) * 8191 + length(CAST(${v} AS BLOB)) * 31 + unicode(${v}) ` +
    `+ unicode(substr(CAST(${v} AS BLOB), -1)) * 131) % ${MOD})`
  );
}

/** Per-row hash of a latest_metrics row: MLflow's upsert changes step, timestamp or value. */
export function metricRowHash(timestamp: string, step: string, value: string, isNan: string): string {
  return `((${timestamp} + ${step} * 7 + ${isNan} * 13 + CAST(${value} * 1000000 AS INTEGER)) % ${MOD})`;
}

const sameAgg = (a: Agg | undefined, b: Agg | undefined): boolean =>
  (a?.[0] ?? 0) === (b?.[0] ?? 0) && (a?.[1] ?? 0) === (b?.[1] ?? 0);

function filterSql(spec: ChildSpec, extra: string | null): string {
  const parts = [spec.where, extra].filter((x): x is string => !!x);
  return parts.length ? ` WHERE ${parts.map((p) => `(${p})`).join(' AND ')}` : '';
}

function maxRowid(q: Query, table: string, hasRowid: boolean): number {
  if (!hasRowid) return 0;
  return num(q.first(`SELECT max(rowid) FROM ${quoteIdent(table)}`)?.[0]) ?? 0;
}

function aggregateByOwner(q: Query, spec: ChildSpec, ids: readonly string[] | null): Map<string, Agg> {
  const hash = spec.rowHash ?? '0';
  let extra: string | null = null;
  const params: string[] = [];
  if (ids) {
    extra = spec.ownerColumns.map((c) => inIds(c)).join(' OR ');
    for (let i = 0; i < spec.ownerColumns.length; i++) params.push(JSON.stringify(ids));
  }
  const rows = q.all(
    `SELECT ${spec.owner} AS o, count(*), sum(${hash}) FROM ${quoteIdent(spec.table)}${filterSql(spec, extra)} GROUP BY o`,
    ...params,
  );
  const out = new Map<string, Agg>();
  const wanted = ids ? new Set(ids) : null;
  for (const r of rows) {
    const owner = str(r[0]) ?? '';
    if (wanted && !wanted.has(owner)) continue;
    out.set(owner, [num(r[1]) ?? 0, num(r[2]) ?? 0]);
  }
  return out;
}

function scanChild(q: Query, spec: ChildSpec): ChildState {
  const perOwner = aggregateByOwner(q, spec, null);
  let count = 0;
  let sum = 0;
  for (const [c, s] of perOwner.values()) {
    count += c;
    sum += s;
  }
  return { spec, count, sum, maxRowid: maxRowid(q, spec.table, spec.hasRowid), perOwner };
}

function appendedOwners(q: Query, table: string, owner: string, since: number, hasRowid: boolean): string[] {
  if (!hasRowid) return [];
  // NOT INDEXED keeps SQLite on the rowid range instead of walking an owner index.
  return q
    .all(`SELECT DISTINCT ${owner} FROM ${quoteIdent(table)} NOT INDEXED WHERE rowid > ?`, since)
    .map((r) => str(r[0]))
    .filter((x): x is string => x !== null);
}

/** Brings `state` up to date; returns the owners whose aggregates changed. */
function updateChild(q: Query, state: ChildState, candidates: ReadonlySet<string>): Set<string> {
  const { spec } = state;
  const cand = new Set(candidates);
  const newMax = maxRowid(q, spec.table, spec.hasRowid);
  if (newMax > state.maxRowid) {
    for (const o of appendedOwners(q, spec.table, spec.owner, state.maxRowid, spec.hasRowid)) cand.add(o);
  }
  const totals = q.first(
    `SELECT count(*), ${spec.rowHash ? `sum(${spec.rowHash})` : '0 AS s'} FROM ${quoteIdent(spec.table)}${filterSql(spec, null)}`,
  );
  const count = num(totals?.[0]) ?? 0;
  const sum = num(totals?.[1]) ?? 0;
  const changed = new Set<string>();
  // Without rowids, appended rows cannot be found: compare everything.
  if (spec.hasRowid && newMax >= state.maxRowid) {
    const ids = [...cand];
    const fresh = ids.length ? aggregateByOwner(q, spec, ids) : new Map<string, Agg>();
    let expCount = state.count;
    let expSum = state.sum;
    for (const id of ids) {
      const before = state.perOwner.get(id);
      const after = fresh.get(id);
      expCount += (after?.[0] ?? 0) - (before?.[0] ?? 0);
      expSum += (after?.[1] ?? 0) - (before?.[1] ?? 0);
    }
    if (expCount === count && expSum === sum) {
      for (const id of ids) {
        const before = state.perOwner.get(id);
        const after = fresh.get(id);
        if (sameAgg(before, after)) continue;
        changed.add(id);
        if (after) state.perOwner.set(id, after);
        else state.perOwner.delete(id);
      }
      state.count = count;
      state.sum = sum;
      state.maxRowid = newMax;
      return changed;
    }
  }
  const full = scanChild(q, spec);
  for (const id of new Set([...state.perOwner.keys(), ...full.perOwner.keys()])) {
    if (!sameAgg(state.perOwner.get(id), full.perOwner.get(id))) changed.add(id);
  }
  state.perOwner = full.perOwner;
  state.count = full.count;
  state.sum = full.sum;
  state.maxRowid = full.maxRowid;
  return changed;
}

export interface EntityChanges {
  changed: Set<string>;
  removed: string[];
}

/** Fingerprints of one kind of entity (runs, or logged models). */
export class EntityTracker {
  private readonly parentSql: string;
  private readonly specs: ChildSpec[];
  private readonly appends: AppendSpec[];
  private parent = new Map<string, string>();
  private children: ChildState[] = [];
  private appendMax: number[] = [];

  /** `parentSql` selects (id, fingerprint text) for every entity. */
  constructor(parentSql: string, specs: ChildSpec[], appends: AppendSpec[]) {
    this.parentSql = parentSql;
    this.specs = specs;
    this.appends = appends;
  }

  private readParent(q: Query): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of q.all(this.parentSql)) {
      const id = str(r[0]);
      if (id !== null) out.set(id, str(r[1]) ?? '');
    }
    return out;
  }

  /** Full fingerprint of the current database state (after a load). */
  baseline(q: Query): void {
    this.parent = this.readParent(q);
    this.children = this.specs.map((s) => scanChild(q, s));
    this.appendMax = this.appends.map((a) => maxRowid(q, a.table, a.hasRowid));
  }

  /** The baseline as plain data, for a tracker of the same specs elsewhere (`restore`). */
  state(): TrackerState {
    return {
      parent: this.parent,
      children: this.children.map(({ count, sum, maxRowid, perOwner }) => ({ count, sum, maxRowid, perOwner })),
      appendMax: this.appendMax,
    };
  }

  /** Takes over a baseline another tracker of the same specs took (in a helper thread). */
  restore(state: TrackerState): void {
    if (state.children.length !== this.specs.length || state.appendMax.length !== this.appends.length) {
      throw new Error('change tracker: the baseline was taken with other tables');
    }
    this.parent = state.parent;
    this.children = state.children.map((c, i) => ({ ...c, spec: this.specs[i] as ChildSpec }));
    this.appendMax = state.appendMax;
  }

  /** What changed since the last baseline/update; the tracker then reflects the database. */
  update(q: Query): EntityChanges {
    const parent = this.readParent(q);
    const changed = new Set<string>();
    for (const [id, fp] of parent) if (this.parent.get(id) !== fp) changed.add(id);
    const removed = [...this.parent.keys()].filter((id) => !parent.has(id));
    this.appends.forEach((a, i) => {
      const before = this.appendMax[i] ?? 0;
      const now = maxRowid(q, a.table, a.hasRowid);
      if (now > before) for (const o of appendedOwners(q, a.table, a.owner, before, a.hasRowid)) changed.add(o);
      this.appendMax[i] = now;
    });
    const candidates = new Set([...changed, ...removed]);
    for (const child of this.children) for (const id of updateChild(q, child, candidates)) changed.add(id);
    this.parent = parent;
    for (const id of changed) if (!parent.has(id)) changed.delete(id);
    return { changed, removed };
  }

  /** Entities that differ between this (older) tracker and `next` (a fresh baseline). */
  diff(next: EntityTracker): EntityChanges {
    const changed = new Set<string>();
    for (const [id, fp] of next.parent) if (this.parent.get(id) !== fp) changed.add(id);
    const removed = [...this.parent.keys()].filter((id) => !next.parent.has(id));
    if (this.children.length === next.children.length) {
      this.children.forEach((child, i) => {
        const other = next.children[i] as ChildState;
        for (const id of new Set([...child.perOwner.keys(), ...other.perOwner.keys()])) {
          if (next.parent.has(id) && !sameAgg(child.perOwner.get(id), other.perOwner.get(id))) changed.add(id);
        }
      });
    } else {
      for (const id of next.parent.keys()) changed.add(id);
    }
    return { changed, removed };
  }

  ids(): string[] {
    return [...this.parent.keys()];
  }
}
