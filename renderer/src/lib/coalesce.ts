// One refresh at a time, and none lost: a call while the task runs asks for exactly one more run
// after it (however many calls arrive meanwhile), so the last change is always refreshed for and a
// burst of index changes costs two queries, not one per change.

/** Wraps `task`; the returned function resolves when the run it started (or joined) is over. */
export function coalescing(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await task();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

/**
 * Wraps `task` so that it runs once calls have stopped for `ms` (a burst of calls runs it once,
 * after the last).
 */
export function settled(task: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      task();
    }, ms);
  };
}
