// A store's progress reports reach the app at most once per interval, never out of order, and the
// last report of a phase always arrives (engine/progress-throttle.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IndexProgressEvent } from '../../electron/engine/model.ts';
import { throttleProgress } from '../../electron/engine/progress-throttle.ts';

const reading = (done: number, extra: Partial<IndexProgressEvent> = {}): IndexProgressEvent => ({ storeId: 's', phase: 'reading', done, total: 100, ...extra });

describe('throttleProgress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes the first report, holds the ones within the interval and sends the latest when it is over', () => {
    const got: IndexProgressEvent[] = [];
    const progress = throttleProgress((ev) => got.push(ev), 250);
    progress(reading(1));
    for (let d = 2; d <= 40; d++) progress(reading(d));
    expect(got.map((e) => e.done)).toEqual([1]);
    vi.advanceTimersByTime(250);
    expect(got.map((e) => e.done)).toEqual([1, 40]);
    vi.advanceTimersByTime(1000);
    expect(got.map((e) => e.done)).toEqual([1, 40]);
  });

  it('a new phase, the first report with run folders and done = total pass at once, dropping what was held', () => {
    const got: IndexProgressEvent[] = [];
    const progress = throttleProgress((ev) => got.push(ev), 250);
    progress({ storeId: 's', phase: 'discovering', done: 0, total: 0 });
    progress(reading(0));
    progress(reading(5));
    progress(reading(6, { runFolders: { '1': 100 } }));
    progress(reading(50, { runFolders: { '1': 100 } }));
    progress(reading(100, { runFolders: { '1': 100 } }));
    progress({ storeId: 's', phase: 'ready', done: 100, total: 100 });
    expect(got.map((e) => `${e.phase} ${e.done}`)).toEqual(['discovering 0', 'reading 0', 'reading 6', 'reading 100', 'ready 100']);
    // Nothing held back arrives after 'ready'.
    vi.advanceTimersByTime(1000);
    expect(got.at(-1)?.phase).toBe('ready');
    expect(got).toHaveLength(5);
  });

  it('throttles each store on its own', () => {
    const got: IndexProgressEvent[] = [];
    const progress = throttleProgress((ev) => got.push(ev), 250);
    progress(reading(1));
    progress(reading(1, { storeId: 't' }));
    progress(reading(2));
    progress(reading(2, { storeId: 't' }));
    expect(got.map((e) => `${e.storeId}${e.done}`)).toEqual(['s1', 't1']);
    vi.advanceTimersByTime(250);
    expect(got.map((e) => `${e.storeId}${e.done}`).sort()).toEqual(['s1', 's2', 't1', 't2']);
  });
});
