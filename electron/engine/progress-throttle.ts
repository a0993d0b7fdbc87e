// How often the app hears of a first read's progress. A reader reports every batch (the file
// store's are 64 runs: ~160 reports for 10k runs), and each report the app shows is a frame of
// the page — style, layout, paint and composite, ~7 ms of Chromium's CPU on this 2-core machine,
// taken from the threads reading the store. So a store's reports pass at most once per interval;
// a change of phase, the first report that lists the experiments' run folders, and the last one of
// a phase (done = total) pass at once, and the latest report held back is sent when its interval
// is over, so the bar always ends where the read is.
import type { IndexProgressEvent } from './model.ts';

/** At most this often per store (the bar's CSS transition is 0.2 s: four steps a second look smooth). */
export const PROGRESS_INTERVAL_MS = 250;

export function throttleProgress(emit: (ev: IndexProgressEvent) => void, intervalMs = PROGRESS_INTERVAL_MS): (ev: IndexProgressEvent) => void {
  const sent = new Map<string, { at: number; phase: IndexProgressEvent['phase']; folders: boolean }>();
  const held = new Map<string, { ev: IndexProgressEvent; timer: ReturnType<typeof setTimeout> }>();
  const send = (ev: IndexProgressEvent): void => {
    const h = held.get(ev.storeId);
    if (h) clearTimeout(h.timer);
    held.delete(ev.storeId);
    sent.set(ev.storeId, { at: performance.now(), phase: ev.phase, folders: ev.runFolders !== undefined });
    emit(ev);
  };
  return (ev) => {
    const last = sent.get(ev.storeId);
    const now = performance.now();
    const atOnce =
      !last ||
      last.phase !== ev.phase ||
      (ev.runFolders !== undefined && !last.folders) ||
      (ev.total > 0 && ev.done >= ev.total) ||
      now - last.at >= intervalMs;
    if (atOnce) {
      send(ev);
      return;
    }
    const h = held.get(ev.storeId);
    if (h) {
      h.ev = ev;
      return;
    }
    const timer = setTimeout(() => {
      const latest = held.get(ev.storeId);
      if (latest) send(latest.ev);
    }, intervalMs - (now - last.at));
    // A report still held when the process ends is of a read nobody waits for any more.
    timer.unref?.();
    held.set(ev.storeId, { ev, timer });
  };
}
