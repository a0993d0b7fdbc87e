// The browser-mode bridge's JSON: the server tags the numbers JSON cannot carry (NaN, ±Infinity,
// -0) and the client revives them, whether or not a message has any (both sides skip the slow
// per-value callbacks when it has none).
import { describe, expect, it } from 'vitest';
import { parseWireJson, toWireJson } from '../../common/wire-json.ts';

const roundTrip = (v: unknown) => parseWireJson(toWireJson(v));

describe('bridge JSON', () => {
  it('carries NaN, ±Infinity and -0 anywhere in a message', () => {
    const msg = {
      type: 'result',
      id: 3,
      result: {
        ok: true,
        value: {
          rows: [
            { metrics: { a: { value: Number.NaN, step: 0 }, b: { value: Number.POSITIVE_INFINITY, step: 1 } } },
            { metrics: { c: { value: -0, step: 2 }, d: { value: 1.5, step: 3 } }, list: [Number.NEGATIVE_INFINITY, 2, [Number.NaN]] },
          ],
        },
      },
    };
    const back = roundTrip(msg);
    expect(back).toEqual(msg);
    const rows = (back as { result: { value: { rows: { metrics: Record<string, { value: number }>; list?: unknown[] }[] } } }).result.value.rows;
    expect(Number.isNaN(rows[0]?.metrics.a?.value)).toBe(true);
    expect(rows[0]?.metrics.b?.value).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(rows[1]?.metrics.c?.value, -0)).toBe(true);
    expect(rows[1]?.list).toEqual([Number.NEGATIVE_INFINITY, 2, [Number.NaN]]);
  });

  it('a message without special numbers is plain JSON, and text that looks like a tag stays text', () => {
    const msg = { type: 'event', payload: { params: { note: '{"$num":"NaN"}', $num: 'NaN', other: 'x' }, n: [1, 2.5, -3] } };
    expect(toWireJson(msg)).toBe(JSON.stringify(msg));
    expect(roundTrip(msg)).toEqual(msg);
    // A real tag next to them: only the one-key {$num} object is a number.
    const mixed = { ...msg, v: Number.NaN };
    const back = roundTrip(mixed) as typeof mixed;
    expect(Number.isNaN(back.v)).toBe(true);
    expect(back.payload).toEqual(msg.payload);
  });
});
