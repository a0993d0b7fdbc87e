// The table's selection model, by run id (never by row index: rows move when the index changes,
// the selection must not). Pure functions over an immutable value; the caller supplies the ids
// between two rows in visible order for range operations, since only it knows the layout.

export interface Selection {
  /** Selected run ids, in the order they were added. */
  selected: readonly string[];
  /** Where a shift-range starts. */
  anchor: string | null;
  /** The keyboard cursor and the run the detail panel shows. */
  focus: string | null;
}

export const EMPTY_SELECTION: Selection = { selected: [], anchor: null, focus: null };

export type ClickMode = 'replace' | 'toggle' | 'range' | 'range-add';

export function modeFromEvent(e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): ClickMode {
  const toggle = e.ctrlKey || e.metaKey;
  if (e.shiftKey) return toggle ? 'range-add' : 'range';
  return toggle ? 'toggle' : 'replace';
}

function union(a: readonly string[], b: readonly string[]): string[] {
  const set = new Set(a);
  const out = [...a];
  for (const id of b) if (!set.has(id)) out.push(id);
  return out;
}

/**
 * A click on `id`. For range modes, `range` is the ids from the anchor to `id` inclusive in
 * visible order; without an anchor (or when it is not visible, range = null) a range click acts
 * like a plain click.
 */
export function clickRow(sel: Selection, id: string, mode: ClickMode, range: readonly string[] | null = null): Selection {
  switch (mode) {
    case 'replace':
      return { selected: [id], anchor: id, focus: id };
    case 'toggle': {
      const has = sel.selected.includes(id);
      return { selected: has ? sel.selected.filter((x) => x !== id) : [...sel.selected, id], anchor: id, focus: id };
    }
    case 'range':
    case 'range-add': {
      if (!sel.anchor || !range || range.length === 0) return { selected: [id], anchor: id, focus: id };
      const base = mode === 'range-add' ? sel.selected : [];
      return { selected: union(base, range), anchor: sel.anchor, focus: id };
    }
  }
}

/**
 * Keyboard move of the cursor to `id` (arrow up/down). Without shift the selection follows the
 * cursor; with shift it becomes the range from the anchor (`range`, anchor..id inclusive).
 */
export function moveCursor(sel: Selection, id: string, extend: boolean, range: readonly string[] | null = null): Selection {
  if (!extend || !sel.anchor || !range) return { selected: [id], anchor: id, focus: id };
  return { selected: [...range], anchor: sel.anchor, focus: id };
}

/** Replace the whole selection (select all visible, selection from a chart). */
export function selectIds(ids: readonly string[], focus: string | null = ids[0] ?? null): Selection {
  return { selected: [...new Set(ids)], anchor: ids[0] ?? null, focus };
}
