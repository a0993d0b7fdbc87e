import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../renderer/src/lib/csv.ts';
import { sparkline } from '../../renderer/src/lib/sparkline.ts';

const pt = (step: number, value: number) => ({ step, timestamp: step, value });

describe('sparkline', () => {
  it('scales points into the box and skips non-finite values', () => {
    const g = sparkline([pt(0, 0), pt(1, Number.NaN), pt(2, 10), pt(3, Infinity)], 100, 20, 120, 0);
    expect(g?.points).toBe('0.0,20.0 100.0,0.0');
    expect(g?.count).toBe(2);
    expect(g?.max).toBe(10);
  });
  it('draws only the dot for a single point and nothing for none', () => {
    const one = sparkline([pt(5, 1)], 100, 20, 120, 0);
    expect(one?.points).toBe('');
    expect(one?.last).toEqual({ x: 50, y: 10 });
    expect(sparkline([pt(1, Number.NaN)], 100, 20)).toBeNull();
  });
  it('downsamples long histories but keeps the extremes and the last point', () => {
    const h = Array.from({ length: 10_000 }, (_, i) => pt(i, i === 5000 ? 1000 : Math.sin(i / 100)));
    const g = sparkline(h, 100, 20, 100, 0);
    const n = g?.points.split(' ').length ?? 0;
    expect(n).toBeLessThanOrEqual(102);
    expect(g?.points).toContain(',0.0'); // the spike reaches the top
    expect(g?.last?.x).toBe(100);
  });
  it('spreads values logged at one step in log order', () => {
    expect(sparkline([pt(3, 1), pt(3, 2), pt(3, 3)], 10, 10, 120, 0)?.points).toBe('0.0,10.0 5.0,5.0 10.0,0.0');
  });
  it('sorts by step (MLflow histories can be logged out of order)', () => {
    expect(sparkline([pt(2, 2), pt(0, 0)], 10, 10, 120, 0)?.points).toBe('0.0,10.0 10.0,0.0');
  });
});

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, CRLF and a missing final newline', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n1,2').rows).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['1', '2'],
    ]);
  });
  it('stops after maxRows', () => {
    const r = parseCsv('h\n1\n2\n3\n4\n', 3);
    expect(r.rows).toEqual([['h'], ['1'], ['2']]);
    expect(r.more).toBe(true);
  });
  it('reads TSV', () => {
    expect(parseCsv('a\tb\n1\t2', 10, '\t').rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});
