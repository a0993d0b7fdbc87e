// Which columns the table shows, in which order and how wide: the scope's persisted choice, or
// the defaults for the keys its runs have. The name column is always first (pinned).
import { defaultColumns, NAME_COLUMN, parseColumnKey } from '../../core/column-keys.ts';
import { currentScope } from '../../state/runs-loader.ts';
import { scopeSettingsFor } from '../../state/scope-settings-slice.ts';
import type { AppState } from '../../state/store.ts';

export interface TableColumn {
  key: string;
  width: number;
}

export function defaultWidth(key: string): number {
  const id = parseColumnKey(key);
  if (!id) return 120;
  if (id.kind === 'attribute') {
    return { run_name: 240, status: 104, start_time: 148, duration: 84, user_id: 96, source: 150 }[id.key] ?? 120;
  }
  if (id.kind === 'tag') return 150;
  return 112;
}

export const MIN_WIDTH = 56;

let memo: { settings: unknown; available: unknown; scope: string | null; out: TableColumn[] } | null = null;

export function selectColumns(s: AppState): TableColumn[] {
  const scope = currentScope(s);
  const f = scopeSettingsFor(s, scope);
  if (memo && memo.settings === f && memo.available === s.columnsAvailable && memo.scope === scope) return memo.out;
  const keys = f.columns ?? defaultColumns(s.columnsAvailable);
  const ordered = [NAME_COLUMN, ...keys.filter((k) => k !== NAME_COLUMN && parseColumnKey(k))];
  const out = ordered.map((key) => ({ key, width: Math.max(MIN_WIDTH, f.widths[key] ?? defaultWidth(key)) }));
  memo = { settings: f, available: s.columnsAvailable, scope, out };
  return out;
}
