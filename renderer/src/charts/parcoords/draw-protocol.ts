// Messages between the page and the parcoords drawing worker (draw-worker.ts, line-painter.ts).
import type { LineFilter, LineScene } from './draw.ts';

export type ToDrawWorker =
  | { type: 'canvas'; canvas: OffscreenCanvas }
  /** New data: the next draw uses it (and `filter`). */
  | { type: 'scene'; seq: number; scene: LineScene; filter: LineFilter }
  /** Only which lines are kept changed (a brush). */
  | { type: 'filter'; seq: number; filter: LineFilter };

export type FromDrawWorker =
  /** Everything up to request `seq` is drawn and rasterized (a pixel was read back). */
  | { type: 'drawn'; seq: number }
  | { type: 'error'; message: string };
