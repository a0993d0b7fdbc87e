// What every part of the file-store reader reads through (file-store-reader.ts owns one per
// store): the store's root folder, the diagnostics book, and the I/O back end of the moment.
import type { DiagBook } from './diagnostics.ts';
import type { Io, SyncIo } from './fs-util.ts';

export interface ReadContext {
  /** The store folder (`mlruns/`), resolved. */
  readonly root: string;
  readonly book: DiagBook;
  /** Current I/O mode: synchronous slices until the storage proves slow (see fs-util.ts). */
  io: Io;
  /** The blocking back end, whose counters of slow operations a load judges the storage by. */
  readonly syncIo: SyncIo;
}

/** Concurrent run reads in asynchronous mode: keeps libuv's threads busy, bounds open files. */
export const RUN_CONCURRENCY = 48;
export const SMALL_CONCURRENCY = 16;

export function isSafeName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\');
}
