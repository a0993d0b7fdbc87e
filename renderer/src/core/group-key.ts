// "Group by" columns: which column keys the runs can be grouped by, how such a key becomes the
// engine's typed GroupKey (no quoting: the key travels as data), and how a group's value is
// named in the UI and in test ids.
import type { GroupKey } from '../../../preload/api.ts';
import { columnChoices, type ColumnChoice } from './column-data.ts';
import { parseColumnKey } from './column-keys.ts';

/** Label of the group of runs that do not have the key (value null). */
export const NO_VALUE_LABEL = '(no value)';

const ATTRIBUTE_KEYS: Record<string, GroupKey> = {
  status: { entity: 'attribute', key: 'status' },
  user_id: { entity: 'attribute', key: 'user_id' },
  run_name: { entity: 'attribute', key: 'run_name' },
  // The Source column is the tag MLflow records it in.
  source: { entity: 'tag', key: 'mlflow.source.name' },
};

/** The engine's GroupKey for a column key, or null when the column cannot group (metrics, times). */
export function groupKeyOf(columnKey: string | null): GroupKey | null {
  if (!columnKey) return null;
  const id = parseColumnKey(columnKey);
  if (!id) return null;
  if (id.kind === 'param' || id.kind === 'tag') return { entity: id.kind, key: id.key };
  if (id.kind === 'attribute') return ATTRIBUTE_KEYS[id.key] ?? null;
  return null;
}

/** Columns offered by the "Group by" pickers (table toolbar and Groups tab): params, tags, status, user. */
export function groupByChoices(available: { params: string[]; metrics: string[]; tags: string[] }): ColumnChoice[] {
  return columnChoices(available).filter((c) => c.kind === 'param' || c.kind === 'tag' || c.key === 'attributes.status' || c.key === 'attributes.user_id');
}

/** A Map/Set key for a group value (null and the text "null" stay apart). */
export function groupValueKey(value: string | null): string {
  return value === null ? '\u0000' : `=${value}`;
}

/** How a group value is shown, and what its test ids end with. */
export function groupLabel(value: string | null): string {
  if (value === null) return NO_VALUE_LABEL;
  return value === '' ? '""' : value;
}
