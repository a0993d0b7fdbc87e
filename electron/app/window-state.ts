// Electron-only state kept under userData: the window's bounds. It lives in its own file
// (window-state.json) because the backend owns settings.json and rewrites it whole with only the
// keys it knows (recent projects, user name).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1400, height: 900 };
export const MIN_SIZE = { width: 720, height: 480 };

export function windowStateFile(userData: string): string {
  return path.join(userData, 'window-state.json');
}

export async function loadWindowState(file: string): Promise<WindowState | null> {
  try {
    return parseWindowState(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return null;
  }
}

/** Whatever is on disk, checked field by field: a hand-edited or truncated file is ignored. */
export function parseWindowState(raw: unknown): WindowState | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as { bounds?: Partial<Record<keyof Rect, unknown>>; maximized?: unknown };
  const b = r.bounds;
  if (!b) return null;
  const nums = [b.x, b.y, b.width, b.height];
  if (!nums.every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
  const [x, y, width, height] = nums as number[];
  return {
    bounds: { x: Math.round(x!), y: Math.round(y!), width: Math.round(width!), height: Math.round(height!) },
    maximized: r.maximized === true,
  };
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(state, null, 2));
  await rename(tmp, file);
}

/**
 * Bounds to open with: the saved ones if the window would still be reachable (a monitor may have
 * been unplugged since), clamped to that display's work area; otherwise a centred default.
 */
export function restoreBounds(saved: WindowState | null, workAreas: Rect[]): { bounds: Partial<Rect> & { width: number; height: number }; maximized: boolean } {
  const primary = workAreas[0];
  const fallback = () => {
    const width = primary ? Math.min(DEFAULT_SIZE.width, primary.width) : DEFAULT_SIZE.width;
    const height = primary ? Math.min(DEFAULT_SIZE.height, primary.height) : DEFAULT_SIZE.height;
    return { width: Math.max(width, MIN_SIZE.width), height: Math.max(height, MIN_SIZE.height) };
  };
  if (!saved) return { bounds: fallback(), maximized: false };
  const b = saved.bounds;
  // The display holding most of the window; at least a title-bar-sized strip must be visible.
  let best: Rect | null = null;
  let bestArea = 0;
  for (const area of workAreas) {
    const w = Math.min(b.x + b.width, area.x + area.width) - Math.max(b.x, area.x);
    const h = Math.min(b.y + b.height, area.y + area.height) - Math.max(b.y, area.y);
    if (w >= 100 && h >= 40 && w * h > bestArea) {
      best = area;
      bestArea = w * h;
    }
  }
  if (!best) return { bounds: fallback(), maximized: saved.maximized };
  const width = Math.max(MIN_SIZE.width, Math.min(b.width, best.width));
  const height = Math.max(MIN_SIZE.height, Math.min(b.height, best.height));
  const x = Math.min(Math.max(b.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(b.y, best.y), best.y + best.height - height);
  return { bounds: { x, y, width, height }, maximized: saved.maximized };
}
