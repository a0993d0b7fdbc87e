// Canonical column keys, MLflow style: `attributes.<name>`, `params.<k>`, `metrics.<k>`,
// `tags.<k>`. The key itself is never quoted here (it is what test ids, persisted column lists and
// the cell lookup use); quoting happens only when a key is turned into query text (orderBy,
// filter snippets), by the filter syntax the engine's parser reads (common/filter-syntax.ts): a key
// that would not parse back unquoted goes in backticks, a backtick inside doubled.
import { ENTITY_PREFIX, formatIdentifier, quoteValue, type IdentifierEntity } from '../../../common/filter-syntax.ts';
import type { RunRow } from '../../../preload/api.ts';

export { formatIdentifier, quoteValue };

export type ColumnKind = IdentifierEntity;

export interface ColumnId {
  kind: ColumnKind;
  key: string;
}

const KIND_OF_PREFIX: Record<string, ColumnKind> = {
  attributes: 'attribute',
  params: 'param',
  metrics: 'metric',
  tags: 'tag',
};

/** The attribute columns the table knows, in their default order. */
export const ATTRIBUTE_COLUMNS = [
  { key: 'run_name', label: 'Run Name' },
  { key: 'status', label: 'Status' },
  { key: 'start_time', label: 'Created' },
  { key: 'duration', label: 'Duration' },
  { key: 'user_id', label: 'User' },
  { key: 'source', label: 'Source' },
] as const;
export type AttributeColumn = (typeof ATTRIBUTE_COLUMNS)[number]['key'];

/** The run-name column is always shown and pinned to the left. */
export const NAME_COLUMN = 'attributes.run_name';

export function columnKey(id: ColumnId): string {
  return `${ENTITY_PREFIX[id.kind]}.${id.key}`;
}

export function parseColumnKey(key: string): ColumnId | null {
  const dot = key.indexOf('.');
  if (dot <= 0) return null;
  const kind = KIND_OF_PREFIX[key.slice(0, dot)];
  const rest = key.slice(dot + 1);
  if (!kind || rest === '') return null;
  if (kind === 'attribute' && !ATTRIBUTE_COLUMNS.some((c) => c.key === rest)) return null;
  return { kind, key: rest };
}

export interface SortSpec {
  key: string;
  desc: boolean;
}

export const DEFAULT_SORT: SortSpec = { key: 'attributes.start_time', desc: true };

/**
 * The orderBy text for a sorted column, or null when the index cannot order by it (duration is
 * derived, not stored).
 */
export function orderByFor(sort: SortSpec): string | null {
  const id = parseColumnKey(sort.key);
  if (!id) return null;
  const dir = sort.desc ? ' DESC' : ' ASC';
  if (id.kind === 'attribute') {
    if (id.key === 'duration') return null;
    if (id.key === 'source') return `${formatIdentifier('tag', 'mlflow.source.name')}${dir}`;
    return `${formatIdentifier('attribute', id.key)}${dir}`;
  }
  return `${formatIdentifier(id.kind, id.key)}${dir}`;
}

export function isSortable(key: string): boolean {
  return orderByFor({ key, desc: false }) !== null;
}

/** Numbers sort best-first when first clicked; names and strings alphabetically. */
export function firstSortDirectionDesc(key: string): boolean {
  const id = parseColumnKey(key);
  return id?.kind === 'metric' || (id?.kind === 'attribute' && (id.key === 'start_time' || id.key === 'duration'));
}

/** Next sort after a header click: a new column starts in its natural direction, then toggles. */
export function nextSort(current: SortSpec | null, clicked: string): SortSpec {
  if (current && current.key === clicked) return { key: clicked, desc: !current.desc };
  return { key: clicked, desc: firstSortDirectionDesc(clicked) };
}

export function columnLabel(key: string): string {
  const id = parseColumnKey(key);
  if (!id) return key;
  if (id.kind === 'attribute') return ATTRIBUTE_COLUMNS.find((c) => c.key === id.key)?.label ?? id.key;
  return id.key;
}

export type CellValue =
  | { type: 'none' }
  | { type: 'text'; text: string }
  | { type: 'number'; value: number; step: number }
  | { type: 'time'; ms: number }
  | { type: 'duration'; ms: number; running: boolean }
  | { type: 'status'; status: RunRow['status'] };

/** What a cell holds; `now` only matters for the duration of a run still going. */
export function cellValue(row: RunRow, key: string, now: number): CellValue {
  const id = parseColumnKey(key);
  if (!id) return { type: 'none' };
  switch (id.kind) {
    case 'metric': {
      const m = row.metrics[id.key];
      return m ? { type: 'number', value: m.value, step: m.step } : { type: 'none' };
    }
    case 'param': {
      const v = row.params[id.key];
      return v === undefined ? { type: 'none' } : { type: 'text', text: v };
    }
    case 'tag': {
      const v = row.tags[id.key];
      return v === undefined ? { type: 'none' } : { type: 'text', text: v };
    }
    case 'attribute':
      return attributeValue(row, id.key as AttributeColumn, now);
  }
}

function attributeValue(row: RunRow, key: AttributeColumn, now: number): CellValue {
  switch (key) {
    case 'run_name':
      return { type: 'text', text: row.runName };
    case 'status':
      return { type: 'status', status: row.status };
    case 'start_time':
      return row.startTime === null ? { type: 'none' } : { type: 'time', ms: row.startTime };
    case 'duration': {
      if (row.startTime === null) return { type: 'none' };
      const running = row.endTime === null && row.status === 'RUNNING';
      if (row.endTime === null && !running) return { type: 'none' };
      return { type: 'duration', ms: (row.endTime ?? now) - row.startTime, running };
    }
    case 'user_id':
      return row.userId ? { type: 'text', text: row.userId } : { type: 'none' };
    case 'source': {
      const name = row.tags['mlflow.source.name'];
      return name ? { type: 'text', text: name } : { type: 'none' };
    }
  }
}

/**
 * Default visible columns: name, status, start and duration, then the first metrics and params
 * (sorted keys) — what runs are compared by — and user and source last.
 */
export function defaultColumns(available: { params: string[]; metrics: string[] }, cap = 30): string[] {
  return [
    'attributes.run_name',
    'attributes.status',
    'attributes.start_time',
    'attributes.duration',
    ...available.metrics.slice(0, cap).map((k) => columnKey({ kind: 'metric', key: k })),
    ...available.params.slice(0, cap).map((k) => columnKey({ kind: 'param', key: k })),
    'attributes.user_id',
    'attributes.source',
  ];
}
