// The side-by-side diff of runs: params, metrics and tags as rows, runs as columns. A row
// "differs" when the runs do not all have the same value — a run lacking the key counts as a
// different value. System tags (mlflow.*) are their own section; the run name is the column
// header, so `mlflow.runName` is not repeated as a row.
import type { RunRow } from '../../../../preload/api.ts';

export type DiffSectionId = 'params' | 'metrics' | 'tags' | 'system';

export interface DiffCell {
  /** Display text; null when the run has no value. */
  text: string | null;
  /** Metrics: the number (for "best" marking and exact titles). */
  value?: number;
}

export interface DiffRow {
  key: string;
  /** Column key as the table knows it (`params.max_depth`). */
  columnKey: string;
  cells: DiffCell[];
  differs: boolean;
}

export interface DiffSection {
  id: DiffSectionId;
  title: string;
  rows: DiffRow[];
  /** Rows before "differences only" was applied. */
  total: number;
}

const TITLES: Record<DiffSectionId, string> = { params: 'Parameters', metrics: 'Metrics', tags: 'Tags', system: 'System tags' };
const HIDDEN_SYSTEM = new Set(['mlflow.runName']);

function same(cells: DiffCell[]): boolean {
  const first = cells[0];
  if (!first) return true;
  return cells.every((c) => {
    if (c.value !== undefined || first.value !== undefined) return c.value !== undefined && first.value !== undefined && Object.is(c.value, first.value);
    return c.text === first.text;
  });
}

export function diffSections(runs: readonly RunRow[], onlyDiff: boolean, format: (n: number) => string): DiffSection[] {
  const keys = { params: new Set<string>(), metrics: new Set<string>(), tags: new Set<string>(), system: new Set<string>() };
  for (const r of runs) {
    for (const k in r.params) keys.params.add(k);
    for (const k in r.metrics) keys.metrics.add(k);
    for (const k in r.tags) {
      if (HIDDEN_SYSTEM.has(k)) continue;
      (k.startsWith('mlflow.') ? keys.system : keys.tags).add(k);
    }
  }
  const build = (id: DiffSectionId, prefix: string, cell: (r: RunRow, k: string) => DiffCell): DiffSection => {
    const all = [...keys[id]].sort().map((key) => {
      const cells = runs.map((r) => cell(r, key));
      return { key, columnKey: `${prefix}.${key}`, cells, differs: runs.length > 1 && !same(cells) };
    });
    return { id, title: TITLES[id], rows: onlyDiff ? all.filter((r) => r.differs) : all, total: all.length };
  };
  return [
    build('params', 'params', (r, k) => ({ text: r.params[k] ?? null })),
    build('metrics', 'metrics', (r, k) => {
      const m = r.metrics[k];
      return m ? { text: format(m.value), value: m.value } : { text: null };
    }),
    build('tags', 'tags', (r, k) => ({ text: r.tags[k] ?? null })),
    build('system', 'tags', (r, k) => ({ text: r.tags[k] ?? null })),
  ];
}
