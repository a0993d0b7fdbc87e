// What a chart plots for a column: one value per run, typed as numeric or categorical.
// Keys are the table's canonical column keys (`metrics.mse`, `params.max_depth`, `tags.team`,
// `attributes.start_time`), so a chart axis, a table column and a filter clause name a column
// the same way.
//
// MLflow params and tags are strings. A param whose every value reads as a decimal number
// (n_estimators 10/50/100/200) is plotted on a numeric scale; one with any other value
// (max_depth 3/5/10/None — Python's None is logged as the text "None") is categorical, with
// the numbers first in numeric order and "None" last, so the axis still reads in order.
import { isDecimalText } from '../../../common/filter-syntax.ts';
import type { RunRow } from '../../../preload/api.ts';
import { columnLabel, parseColumnKey, type ColumnKind } from './column-keys.ts';

export type RawValue = number | string | null;

interface ColumnBase {
  key: string;
  label: string;
  kind: ColumnKind;
}

export interface NumericColumn extends ColumnBase {
  type: 'numeric';
  /** Per row: the number, or null when the run has no value. NaN and ±Infinity are kept. */
  values: (number | null)[];
  /** params/tags: the text as logged, per row (filters compare params as strings). */
  texts: (string | null)[] | null;
}

export interface CategoricalColumn extends ColumnBase {
  type: 'categorical';
  /** Per row: the text, or null when the run has no value. */
  values: (string | null)[];
  /** Distinct values in axis order (see orderCategories). */
  categories: string[];
}

export type ColumnData = NumericColumn | CategoricalColumn;

/** Attributes plotted as numbers (ms since the epoch, ms of duration). */
const NUMERIC_ATTRIBUTES = new Set(['start_time', 'duration']);

export function isNumericKey(key: string): boolean {
  const id = parseColumnKey(key);
  return !!id && (id.kind === 'metric' || (id.kind === 'attribute' && NUMERIC_ATTRIBUTES.has(id.key)));
}

/** The value of one column for one run; `now` is the clock for a running run's duration. */
export function rawValue(row: RunRow, key: string, now: number): RawValue {
  return valueReader(key, now)(row);
}

/**
 * `rawValue` for one column over many runs: the key is parsed once, not once per run (10k runs
 * × the shown axes made parsing the keys a tenth of parallel coordinates' build).
 */
export function valueReader(key: string, now: number): (row: RunRow) => RawValue {
  const id = parseColumnKey(key);
  if (!id) return () => null;
  const k = id.key;
  switch (id.kind) {
    case 'metric':
      return (row) => row.metrics[k]?.value ?? null;
    case 'param':
      return (row) => row.params[k] ?? null;
    case 'tag':
      return (row) => row.tags[k] ?? null;
    case 'attribute':
      switch (k) {
        case 'run_name':
          return (row) => row.runName;
        case 'status':
          return (row) => row.status;
        case 'start_time':
          return (row) => row.startTime;
        case 'duration':
          return (row) => {
            if (row.startTime === null) return null;
            if (row.endTime !== null) return row.endTime - row.startTime;
            return row.status === 'RUNNING' ? now - row.startTime : null;
          };
        case 'user_id':
          return (row) => row.userId || null;
        case 'source':
          return (row) => row.tags['mlflow.source.name'] ?? null;
        default:
          return () => null;
      }
  }
}

const NONE = 'None';

/**
 * Axis order for categories: decimal numbers ascending, then other text in code-point order
 * (stable across locales), then Python's "None". Ties between numerically equal texts ("1" and
 * "1.0") fall back to the text.
 */
export function orderCategories(values: Iterable<string>): string[] {
  const nums: [number, string][] = [];
  const texts: string[] = [];
  let none = false;
  for (const v of new Set(values)) {
    if (v === NONE) none = true;
    else if (isDecimalText(v)) nums.push([Number(v), v]);
    else texts.push(v);
  }
  nums.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  texts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...nums.map((n) => n[1]), ...texts, ...(none ? [NONE] : [])];
}

export function columnData(rows: readonly RunRow[], key: string, now: number): ColumnData {
  const id = parseColumnKey(key);
  const kind: ColumnKind = id?.kind ?? 'attribute';
  const label = columnLabel(key);
  const read = valueReader(key, now);
  const raw = rows.map(read);
  if (isNumericKey(key)) {
    return { type: 'numeric', key, label, kind, values: raw.map((v) => (typeof v === 'number' ? v : null)), texts: null };
  }
  const texts = raw.map((v) => (v === null ? null : String(v)));
  const present = texts.filter((t): t is string => t !== null);
  if ((kind === 'param' || kind === 'tag') && present.length > 0 && present.every(isDecimalText)) {
    return { type: 'numeric', key, label, kind, values: texts.map((t) => (t === null ? null : Number(t))), texts };
  }
  return { type: 'categorical', key, label, kind, values: texts, categories: orderCategories(present) };
}

/** More than one distinct value (a missing value counts as one) among the runs. */
export function varies(col: ColumnData): boolean {
  const seen = new Set<string>();
  for (const v of col.values) {
    seen.add(v === null ? '\u0000missing' : typeof v === 'number' ? `n${Object.is(v, -0) ? 0 : v}` : `s${v}`);
    if (seen.size > 1) return true;
  }
  return false;
}

/**
 * How much a metric name looks like what a sweep optimises (lower = more): held-out losses and
 * errors, then held-out scores, then any loss/score, then the rest; system metrics last.
 */
export function objectiveRank(key: string): number {
  const k = key.toLowerCase();
  if (/^system[/.]/.test(k)) return 9;
  const heldOut = /(^|[_/.-])(val|valid|validation|test|eval|dev)([_/.-]|$)/.test(k);
  const loss = /(loss|error|mse|rmse|mae|nll|perplexity)/.test(k);
  const score = /(acc|accuracy|f1|auc|r2|score|precision|recall|map|bleu)/.test(k);
  if (heldOut && loss) return 0;
  if (heldOut && score) return 1;
  if (loss) return 2;
  if (score) return 3;
  return 5;
}

/**
 * The metric charts lead with: the "best by" metric when one is chosen, else the one most runs
 * have (a sweep's score over a metric only some runs logged); ties go to the name that looks
 * most like an objective (val_loss before grad_norm), then alphabetical.
 */
export function primaryMetric(rows: readonly RunRow[], metricKeys: readonly string[], bestBy: string | null): string | null {
  if (bestBy && metricKeys.includes(bestBy)) return bestBy;
  let best: string | null = null;
  let bestCount = -1;
  const ordered = [...metricKeys].sort((a, b) => objectiveRank(a) - objectiveRank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const k of ordered) {
    let n = 0;
    for (const r of rows) if (r.metrics[k]) n++;
    if (n > bestCount) {
      best = k;
      bestCount = n;
    }
  }
  return best;
}

/** Keys (sorted) that any of the rows has, per kind. */
export function keysOf(rows: readonly RunRow[]): { params: string[]; metrics: string[]; tags: string[] } {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const tags = new Set<string>();
  for (const r of rows) {
    for (const k in r.params) params.add(k);
    for (const k in r.metrics) metrics.add(k);
    for (const k in r.tags) tags.add(k);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return { params: sorted(params), metrics: sorted(metrics), tags: sorted(tags) };
}

/**
 * The params that vary across the rows, those most runs have first (a param one run logged says
 * little about the others), ties alphabetical.
 */
export function varyingParams(rows: readonly RunRow[], now: number): string[] {
  const present = (k: string) => rows.reduce((n, r) => n + (k in r.params ? 1 : 0), 0);
  return keysOf(rows)
    .params.filter((k) => varies(columnData(rows, `params.${k}`, now)))
    .map((k) => ({ k, n: present(k) }))
    .sort((a, b) => b.n - a.n || (a.k < b.k ? -1 : 1))
    .map((e) => e.k);
}

/**
 * Default parallel-coordinates axes: the params that vary, then the metrics that vary (at most
 * `maxMetrics`), with the primary metric last (the outcome on the right, where the eye ends).
 */
export function defaultAxes(rows: readonly RunRow[], primary: string | null, now: number, maxParams = 6, maxMetrics = 3): string[] {
  const keys = keysOf(rows);
  // When more params vary than fit, the ones most runs have win; the chosen ones keep
  // alphabetical order.
  const params = varyingParams(rows, now)
    .slice(0, maxParams)
    .sort()
    .map((k) => `params.${k}`);
  const primaryKey = primary ? `metrics.${primary}` : null;
  const others = [...keys.metrics]
    .sort((a, b) => objectiveRank(a) - objectiveRank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `metrics.${k}`)
    .filter((k) => k !== primaryKey && varies(columnData(rows, k, now)))
    .slice(0, Math.max(0, maxMetrics - (primaryKey ? 1 : 0)));
  return [...params, ...others, ...(primaryKey && keys.metrics.includes(primary as string) ? [primaryKey] : [])];
}

/** Every column a chart can use, grouped for pickers. */
export interface ColumnChoice {
  key: string;
  label: string;
  kind: ColumnKind;
}

export const ATTRIBUTE_CHOICES: ColumnChoice[] = [
  { key: 'attributes.start_time', label: 'Created', kind: 'attribute' },
  { key: 'attributes.duration', label: 'Duration', kind: 'attribute' },
  { key: 'attributes.status', label: 'Status', kind: 'attribute' },
  { key: 'attributes.user_id', label: 'User', kind: 'attribute' },
  { key: 'attributes.run_name', label: 'Run Name', kind: 'attribute' },
  { key: 'attributes.source', label: 'Source', kind: 'attribute' },
];

export function columnChoices(available: { params: string[]; metrics: string[]; tags: string[] }): ColumnChoice[] {
  return [
    ...available.metrics.map((k) => ({ key: `metrics.${k}`, label: k, kind: 'metric' as const })),
    ...available.params.map((k) => ({ key: `params.${k}`, label: k, kind: 'param' as const })),
    ...ATTRIBUTE_CHOICES,
    ...available.tags.filter((k) => !k.startsWith('mlflow.')).map((k) => ({ key: `tags.${k}`, label: k, kind: 'tag' as const })),
  ];
}
