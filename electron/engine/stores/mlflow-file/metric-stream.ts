// Streams a metric file through the byte scanner (metric-scan.ts) in chunks: a metric logged every
// step of a long training can be tens of MB. Small reads first, from a pooled buffer; a file that
// fills one continues with a larger buffer. A line split across two chunks is carried over, a
// line too long to be a metric line is skipped without buffering it whole, and the unterminated
// last line is handed back for the caller to judge (a writer may be mid-line).
import { releaseBuffer, takeBuffer, type Io } from './fs-util.ts';
import { preview, scanLine, scanLines, type LineSink } from './metric-scan.ts';

/** Longer lines cannot be metric lines; they are skipped without buffering them whole. */
const MAX_LINE = 64 * 1024;
const BIG_CHUNK = 1024 * 1024;

export interface StreamResult {
  /** Byte offset just after the last complete line. */
  end: number;
  /** The unterminated last line, if any (a copy). */
  tail: Buffer | null;
  /** Bytes read in total. */
  read: number;
}

/** Yield to the event loop every this many bytes of a big file (sync I/O would block otherwise). */
const YIELD_BYTES = 4 * BIG_CHUNK;

export async function streamLines(io: Io, fd: number, start: number, sink: LineSink): Promise<StreamResult> {
  let buf = takeBuffer();
  let pooled = true;
  let pos = start;
  let end = start;
  let carry: Buffer | null = null;
  let discarding = false;
  let read = 0;
  let sinceYield = 0;
  const grow = () => {
    // A full small read means a big file: continue with a larger buffer (a 50 MB file then takes
    // 50 reads, not 3000).
    if (pooled) {
      releaseBuffer(buf);
      pooled = false;
      buf = Buffer.allocUnsafe(BIG_CHUNK);
    }
  };
  try {
    for (;;) {
      const n = await io.read(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      const chunkStart = pos;
      pos += n;
      read += n;
      sinceYield += n;
      // A view of the bytes just read: searching the whole buffer would scan stale bytes.
      const data = n === buf.length ? buf : buf.subarray(0, n);
      let ls = 0;
      if (carry !== null || discarding) {
        const nl = data.indexOf(10, 0);
        if (nl < 0) {
          if (!discarding) {
            const c: Buffer = carry as Buffer;
            if (c.length + n > MAX_LINE) {
              sink.longLine(preview(c, 0, c.length));
              discarding = true;
              carry = null;
            } else carry = Buffer.concat([c, data]);
          }
          if (n < buf.length) break;
          grow();
          continue;
        }
        if (discarding) discarding = false;
        else {
          const line = Buffer.concat([carry as Buffer, data.subarray(0, nl)]);
          sink.line(line, 0, line.length, scanLine(line, 0, line.length, sink.model));
        }
        carry = null;
        ls = nl + 1;
      }
      ls = scanLines(data, ls, n, sink);
      sink.flush();
      end = chunkStart + ls;
      if (ls < n) {
        if (n - ls > MAX_LINE) {
          sink.longLine(preview(data, ls, n));
          discarding = true;
        } else carry = Buffer.from(data.subarray(ls, n));
      }
      // A short read means end of file for a regular file.
      if (n < buf.length) break;
      grow();
      if (io.sync && sinceYield >= YIELD_BYTES) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    sink.flush();
    if (pooled) releaseBuffer(buf);
  }
  return { end, tail: discarding ? null : carry, read };
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}

export function hasContent(b: Buffer | null): b is Buffer {
  return b !== null && hasContentIn(b, 0, b.length);
}

export function hasContentIn(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (!isWs(b[i] as number)) return true;
  return false;
}
