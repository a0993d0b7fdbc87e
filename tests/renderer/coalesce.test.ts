import { describe, expect, it, vi } from 'vitest';
import { coalescing, settled } from '../../renderer/src/lib/coalesce.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('coalescing', () => {
  it('runs once per call when calls do not overlap', async () => {
    let runs = 0;
    const refresh = coalescing(async () => {
      runs += 1;
    });
    await refresh();
    await refresh();
    expect(runs).toBe(2);
  });

  it('a burst during a run costs exactly one more run, and every caller waits for it', async () => {
    const gates = [deferred(), deferred()];
    let runs = 0;
    const refresh = coalescing(async () => {
      const gate = gates[runs];
      runs += 1;
      await gate?.promise;
    });
    const first = refresh();
    const burst = [refresh(), refresh(), refresh()];
    expect(runs).toBe(1);
    let settled = false;
    void Promise.all(burst).then(() => {
      settled = true;
    });
    gates[0]?.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
    expect(settled).toBe(false);
    gates[1]?.resolve();
    await Promise.all([first, ...burst]);
    expect(runs).toBe(2);
  });

  it('a failing run does not wedge it: the next call runs again', async () => {
    let runs = 0;
    const refresh = coalescing(async () => {
      runs += 1;
      if (runs === 1) throw new Error('boom');
    });
    await expect(refresh()).rejects.toThrow('boom');
    await refresh();
    expect(runs).toBe(2);
  });
});

describe('settled', () => {
  it('runs once, after the last call of a burst has been quiet for the delay', () => {
    vi.useFakeTimers();
    try {
      let runs = 0;
      const fetch = settled(() => runs++, 40);
      for (let i = 0; i < 5; i++) {
        fetch();
        vi.advanceTimersByTime(30);
      }
      expect(runs).toBe(0);
      vi.advanceTimersByTime(10);
      expect(runs).toBe(1);
      fetch();
      vi.advanceTimersByTime(40);
      expect(runs).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
