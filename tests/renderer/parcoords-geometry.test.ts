// The geometry of the app's parallel-coordinates chart (charts/parcoords/geometry.ts) and the line
// model it draws (parcoordsLines): brushes, hit testing, reordering, draw order.
import { describe, expect, it } from 'vitest';
import { sampleScale } from '../../renderer/src/charts/palette.ts';
import { addRange, frame, keptLines, lineAt, moveKey, posOf, rangeAt, slotAt, yOf } from '../../renderer/src/charts/parcoords/geometry.ts';
import { columnData } from '../../renderer/src/core/column-data.ts';
import { dimensionModel, parcoordsLines } from '../../renderer/src/features/compare/parcoords-trace.ts';
import { formatNumber } from '../../renderer/src/lib/format.ts';
import type { RunRow } from '../../preload/api.ts';
import { row } from './helpers.ts';

const f = frame(1000, 400, 3, { l: 100, r: 100, t: 50, b: 50 });

describe('parcoords geometry', () => {
  it('spreads the axes over the width and maps positions to pixels both ways', () => {
    expect(f.xs).toEqual([100, 500, 900]);
    expect(frame(1000, 400, 1, { l: 100, r: 100, t: 50, b: 50 }).xs).toEqual([500]);
    expect(yOf(f, [0, 10], 0)).toBe(350);
    expect(yOf(f, [0, 10], 10)).toBe(50);
    expect(posOf(f, [0, 10], 200)).toBe(5);
    // Outside the axis clamps to its ends.
    expect(posOf(f, [0, 10], 0)).toBe(10);
    expect(posOf(f, [0, 10], 1000)).toBe(0);
  });

  it('merges overlapping brush ranges and finds the one under a position', () => {
    expect(addRange([[1, 2]], [5, 3])).toEqual([
      [1, 2],
      [3, 5],
    ]);
    expect(addRange([[1, 2], [3, 5]], [1.5, 4])).toEqual([[1, 5]]);
    expect(rangeAt([[1, 2], [3, 5]], 4)).toBe(1);
    expect(rangeAt([[1, 2], [3, 5]], 2.5)).toBe(-1);
  });

  it('keeps a line only if every brushed axis has it in one of its ranges', () => {
    const values = [
      [0, 1, 2, 3],
      [10, 20, 30, 40],
    ];
    expect([...keptLines(values, [[], []], 4)]).toEqual([1, 1, 1, 1]);
    expect([...keptLines(values, [[[1, 3]], []], 4)]).toEqual([0, 1, 1, 1]);
    expect([...keptLines(values, [[[1, 3]], [[0, 15], [35, 50]]], 4)]).toEqual([0, 0, 0, 1]);
  });

  it('finds the kept line under the pointer between two axes, the top one on a tie', () => {
    // Line 0 flat at y 100, line 1 from 300 to 100, line 2 flat at 300 on the first segment.
    const ys = [new Float32Array([100, 300, 300]), new Float32Array([100, 100, 300]), new Float32Array([200, 200, 200])];
    const all = new Uint8Array([1, 1, 1]);
    expect(lineAt(f, ys, all, 300, 101)).toBe(0);
    expect(lineAt(f, ys, all, 300, 200)).toBe(1);
    expect(lineAt(f, ys, all, 300, 298)).toBe(2);
    expect(lineAt(f, ys, all, 300, 150)).toBe(-1);
    // Where lines 0 and 1 meet (at the second axis) the later one wins.
    expect(lineAt(f, ys, all, 500, 100)).toBe(1);
    // A line a brush removed is not picked.
    expect(lineAt(f, ys, new Uint8Array([1, 0, 1]), 300, 200)).toBe(-1);
    // Outside the axes: nothing.
    expect(lineAt(f, ys, all, 20, 100)).toBe(-1);
  });

  it('drops a dragged axis on the nearest slot', () => {
    expect(slotAt(f, 880)).toBe(2);
    expect(slotAt(f, 320)).toBe(1);
    expect(moveKey(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveKey(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
  });

  it('samples a colour scale between hex stops and keeps non-hex stops as they are', () => {
    expect(sampleScale([[0, '#000000'], [1, '#ffffff']], 0.5)).toBe('#808080');
    expect(sampleScale([[0, '#000000'], [0.5, 'rgb(1, 2, 3)'], [1, '#ffffff']], 0.4)).toBe('rgb(1, 2, 3)');
    expect(sampleScale([[0, '#000000'], [1, '#ffffff']], 2)).toBe('#ffffff');
  });
});

const withMse = (runId: string, mse: number | null): RunRow => row(runId, null, mse === null ? {} : { metrics: { mse: { value: mse, step: 0, timestamp: 0 } } });

describe('parcoords lines', () => {
  it('draws ordinary lines first, then selected, then the best; positions follow the draw order', () => {
    const rows = [withMse('best', 1), withMse('a', 2), withMse('sel', 3), withMse('none', null)];
    const col = columnData(rows, 'metrics.mse', 0);
    const dims = [dimensionModel(col, false, formatNumber)];
    const m = parcoordsLines({ rows, dims, color: col, reverse: false, selected: new Set(['sel']), best: 'best' });
    expect(m.runIds).toEqual(['a', 'none', 'sel', 'best']);
    expect(m.emphasizedFrom).toBe(2);
    expect(m.values[0]?.slice(0, 1)).toEqual([2]);
    expect(m.values[0]?.[1]).toBe(dims[0]?.missingPos);
    // No value: the grey band (0); the highlight bands above every ordinary colour.
    expect(m.colors[1]).toBe(0);
    expect(m.colors[3]).toBeGreaterThan(m.colors[2] as number);
    expect(m.colors[2]).toBeGreaterThan(m.colors[0] as number);
  });
});
