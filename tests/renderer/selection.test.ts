import { describe, expect, it } from 'vitest';
import { clickRow, EMPTY_SELECTION, modeFromEvent, moveCursor, selectIds } from '../../renderer/src/core/selection.ts';

const order = ['a', 'b', 'c', 'd', 'e'];
const between = (x: string, y: string) => {
  const i = order.indexOf(x);
  const j = order.indexOf(y);
  return i <= j ? order.slice(i, j + 1) : order.slice(j, i + 1).reverse();
};

describe('selection', () => {
  it('maps modifier keys to modes', () => {
    expect(modeFromEvent({ shiftKey: false, ctrlKey: false, metaKey: false })).toBe('replace');
    expect(modeFromEvent({ shiftKey: false, ctrlKey: true, metaKey: false })).toBe('toggle');
    expect(modeFromEvent({ shiftKey: false, ctrlKey: false, metaKey: true })).toBe('toggle');
    expect(modeFromEvent({ shiftKey: true, ctrlKey: false, metaKey: false })).toBe('range');
    expect(modeFromEvent({ shiftKey: true, ctrlKey: true, metaKey: false })).toBe('range-add');
  });

  it('click replaces, ctrl-click toggles, shift-click selects the range from the anchor', () => {
    let s = clickRow(EMPTY_SELECTION, 'b', 'replace');
    expect(s).toEqual({ selected: ['b'], anchor: 'b', focus: 'b' });
    s = clickRow(s, 'd', 'range', between('b', 'd'));
    expect(s).toEqual({ selected: ['b', 'c', 'd'], anchor: 'b', focus: 'd' });
    // a second shift-click re-ranges from the same anchor
    s = clickRow(s, 'a', 'range', between('b', 'a'));
    expect(s.selected).toEqual(['b', 'a']);
    s = clickRow(s, 'e', 'toggle');
    expect(s).toEqual({ selected: ['b', 'a', 'e'], anchor: 'e', focus: 'e' });
    s = clickRow(s, 'a', 'toggle');
    expect(s.selected).toEqual(['b', 'e']);
    s = clickRow(s, 'c', 'range-add', between('a', 'c'));
    expect(new Set(s.selected)).toEqual(new Set(['b', 'e', 'a', 'c']));
  });

  it('a range click without an anchor is a plain click', () => {
    expect(clickRow(EMPTY_SELECTION, 'c', 'range', null)).toEqual({ selected: ['c'], anchor: 'c', focus: 'c' });
  });

  it('arrow keys move the cursor; shift extends from the anchor', () => {
    let s = clickRow(EMPTY_SELECTION, 'b', 'replace');
    s = moveCursor(s, 'c', false);
    expect(s).toEqual({ selected: ['c'], anchor: 'c', focus: 'c' });
    s = moveCursor(s, 'd', true, between('c', 'd'));
    s = moveCursor(s, 'e', true, between('c', 'e'));
    expect(s).toEqual({ selected: ['c', 'd', 'e'], anchor: 'c', focus: 'e' });
    s = moveCursor(s, 'd', true, between('c', 'd'));
    expect(s.selected).toEqual(['c', 'd']);
  });

  it('selects a set of ids without duplicates', () => {
    expect(selectIds(['a', 'a', 'b']).selected).toEqual(['a', 'b']);
  });
});
