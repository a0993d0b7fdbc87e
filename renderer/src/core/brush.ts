// Brushes: ranges the user drew on parallel-coordinates axes, and what they do to the runs table.
//
// A brush is kept in value space (metric values, category texts), not in axis positions: a live
// update can add a category or widen an axis, and the brush must keep meaning the same runs.
// It becomes an MLflow filter clause the table ANDs to the user's filter:
//   metrics (numbers)      (metrics.k >= lo AND metrics.k <= hi) OR ...
//   params/tags            params.k IN ('3', '5')          (they are strings in MLflow, so a
//                                                          numeric range lists the values in it)
//   string attributes      attributes.status IN ('FINISHED')
//   start_time             attributes.start_time >= lo AND ...
//   the "missing" tick     NOT (metrics.k >= -MAX AND metrics.k <= MAX)  — a comparison with a
//                          run lacking the key is false, so NOT(...) matches it, and NaN/±inf
//                          (drawn on the same tick) too; params/tags: IS NULL
// Columns the filter language cannot express (duration is derived) or clauses too long for the
// engine's 10 000-character filter limit become a restriction to the run ids in range instead,
// which then does not follow live changes (documented on the chip).
import type { RunRow } from '../../../preload/api.ts';
import type { ColumnData } from './column-data.ts';
import { formatIdentifier, parseColumnKey, quoteValue } from './column-keys.ts';

export type Brush =
  | {
      key: string;
      type: 'numeric';
      /** Inclusive value ranges (finite numbers, in data units even on a log axis). */
      ranges: [number, number][];
      /** The "missing" tick is inside the brush. */
      missing: boolean;
    }
  | {
      key: string;
      type: 'categorical';
      values: string[];
      missing: boolean;
    };

/** Clauses longer than this become a run-id restriction (the engine accepts 10 000 characters). */
export const MAX_CLAUSE = 6000;
const MAX = '1.7976931348623157e308';

export function inNumericBrush(v: number | null, b: Extract<Brush, { type: 'numeric' }>): boolean {
  if (v === null || !Number.isFinite(v)) return b.missing;
  return b.ranges.some(([lo, hi]) => v >= lo && v <= hi);
}

/** Does the run's value (row i of `col`) fall inside the brush? */
export function inBrush(col: ColumnData, i: number, b: Brush): boolean {
  if (b.type === 'numeric') {
    if (col.type !== 'numeric') return false;
    return inNumericBrush(col.values[i] ?? null, b);
  }
  const v = col.type === 'categorical' ? (col.values[i] ?? null) : col.texts ? (col.texts[i] ?? null) : null;
  return v === null ? b.missing : b.values.includes(v);
}

function numText(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

function orJoin(parts: string[]): string {
  if (parts.length === 0) return "attributes.run_id = ''";
  return parts.length === 1 ? (parts[0] as string) : parts.map((p) => `(${p})`).join(' OR ');
}

/** The MLflow filter clause for one brush, or null when the filter language cannot say it. */
export function brushClause(b: Brush, col: ColumnData): string | null {
  const id = parseColumnKey(b.key);
  if (!id) return null;
  if (id.kind === 'attribute' && id.key === 'duration') return null;
  if (id.kind === 'metric' || (id.kind === 'attribute' && id.key === 'start_time')) {
    if (b.type !== 'numeric') return null;
    const ident = formatIdentifier(id.kind, id.key);
    const parts = b.ranges.map(([lo, hi]) => `${ident} >= ${numText(lo)} AND ${ident} <= ${numText(hi)}`);
    if (b.missing) parts.push(id.kind === 'metric' ? `NOT (${ident} >= -${MAX} AND ${ident} <= ${MAX})` : `${ident} IS NULL`);
    return orJoin(parts);
  }
  // Text columns: list the values. A numeric param brush lists the logged texts in range.
  let values: string[];
  if (b.type === 'categorical') values = b.values;
  else {
    if (col.type !== 'numeric' || !col.texts) return null;
    const set = new Set<string>();
    col.values.forEach((v, i) => {
      const t = col.texts?.[i];
      if (t !== null && t !== undefined && v !== null && inNumericBrush(v, b)) set.add(t);
    });
    values = [...set].sort();
  }
  let ident: string;
  let missingClause: string;
  if (id.kind === 'attribute') {
    if (id.key === 'source') {
      ident = formatIdentifier('tag', 'mlflow.source.name');
      missingClause = `${ident} IS NULL`;
    } else {
      ident = formatIdentifier('attribute', id.key);
      // user_id is the only string attribute a run can lack (an empty string in the index).
      missingClause = `${ident} = ''`;
    }
  } else {
    ident = formatIdentifier(id.kind, id.key);
    missingClause = `${ident} IS NULL`;
  }
  const parts: string[] = [];
  if (values.length > 0) parts.push(`${ident} IN (${values.map(quoteValue).join(', ')})`);
  if (b.missing) parts.push(missingClause);
  return orJoin(parts);
}

export interface TableRestriction {
  /** ANDed to the user's filter; '' for none. */
  clause: string;
  /** Run ids the table is restricted to, or null for no restriction. */
  runIds: string[] | null;
}

/**
 * All brushes as one restriction of the table: clauses ANDed; brushes that cannot be a clause
 * restrict to the ids of the loaded runs inside them (intersected).
 */
export function tableRestriction(brushes: readonly Brush[], columns: ReadonlyMap<string, ColumnData>, rows: readonly RunRow[]): TableRestriction {
  const clauses: string[] = [];
  let ids = null as Set<string> | null;
  for (const b of brushes) {
    const col = columns.get(b.key);
    if (!col) continue;
    const clause = brushClause(b, col);
    if (clause !== null && clause.length <= MAX_CLAUSE) {
      clauses.push(clause);
      continue;
    }
    const inside = new Set<string>();
    rows.forEach((r, i) => {
      if (inBrush(col, i, b)) inside.add(r.runId);
    });
    const prev: Set<string> | null = ids;
    ids = prev === null ? inside : new Set([...prev].filter((x) => inside.has(x)));
  }
  const clause = clauses.length <= 1 ? (clauses[0] ?? '') : clauses.map((c) => `(${c})`).join(' AND ');
  return { clause, runIds: ids === null ? null : [...ids].sort() };
}

/** Chip text: `mse 2,800 – 2,950`, `max_depth: 3, None`, with "missing" when the tick is in. */
export function brushLabel(b: Brush, label: string, format: (n: number) => string): string {
  const parts: string[] =
    b.type === 'numeric' ? b.ranges.map(([lo, hi]) => `${format(lo)} – ${format(hi)}`) : b.values.length > 4 ? [`${b.values.length} values`] : b.values;
  if (b.missing) parts.push('missing');
  return `${label}: ${parts.length === 0 ? 'nothing' : parts.join(', ')}`;
}
