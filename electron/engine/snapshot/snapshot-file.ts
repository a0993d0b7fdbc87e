// The persisted index snapshot of one store: what its first read produced (experiments, runs in
// the batches they were read in, logged models, registry) and the reader's own state for a warm
// start (file store: the folder of every record and the signature of its files, see
// stores/mlflow-file/warm-start.ts). One file per store in the app's cache folder, named by a hash
// of the store's kind and path, so two stores never share one.
//
// Layout: MAGIC, then records [type u8][length u32 LE][payload], the last one a trailer holding
// the SHA-256 of every byte before it. Run batches are JSON, with the metric numbers JSON cannot
// spell (NaN, ±Infinity, -0) listed beside them: V8 parses JSON about three times faster than it
// deserialises the same runs from a structured clone (10k runs: ~0.3 s against ~0.9 s), and a warm
// start waits for it. The rest is v8-serialised. A file that does not end in a matching trailer, of
// another schema, or written for another store is discarded and the store read cold, never trusted.
//
// The runs are written while the first read streams them in (nothing is kept in memory), to a
// temporary file renamed into place once the reader's state is complete: a crash leaves either the
// previous snapshot or none.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Experiment, LoggedModel, RegisteredModel, Run, StoreInfo, StoreKind } from '../model.ts';

/**
 * Bumped whenever what a reader produces for the same files may change (a parsing fix, a new field
 * of the model): a snapshot of another schema is rebuilt.
 */
export const SNAPSHOT_SCHEMA = 2;

const MAGIC = Buffer.from('RSNAPSH\n', 'latin1');
const T_HEADER = 1;
const T_RUNS = 2;
const T_TAIL = 3;
const T_TRAILER = 0xff;
const HASH_BYTES = 32;
/** Snapshots kept in one folder: the least recently written beyond this are deleted. */
export const MAX_SNAPSHOTS = 16;
/** A temporary file this old was left by a process that died mid-write. */
const STALE_TMP_MS = 24 * 3600_000;
const TRAILER_BYTES = 1 + 4 + HASH_BYTES;

export interface SnapshotHeader {
  schema: number;
  kind: StoreKind;
  storePath: string;
  /** When the read this snapshot holds began (epoch ms). */
  readStarted: number;
}

/** Everything but the runs. `readerState`: what the reader's warm start takes back. */
export interface SnapshotTail {
  experiments: Experiment[];
  loggedModels: LoggedModel[];
  registry: RegisteredModel[];
  runCount: number;
  /** Runs per experiment: the app opens on the biggest while the runs are indexed. */
  runFolders: Record<string, number>;
  readerState: unknown;
}

export interface SavedSnapshot {
  header: SnapshotHeader;
  /** The runs, batch by batch (deserialised as they are taken: a 100k-run store never all at once). */
  runBatches(): Generator<Run[]>;
  tail: SnapshotTail;
}

export type SnapshotRead = { ok: true; snapshot: SavedSnapshot } | { ok: false; reason: 'missing' | 'corrupt' | 'schema' | 'other-store' };

/** The snapshot file of a store: `<dir>/<kind>-<hash of kind and path>.rsnap`. */
export function snapshotPath(dir: string, info: Pick<StoreInfo, 'kind' | 'path'>): string {
  const key = createHash('sha256').update(`${info.kind}\0${path.resolve(info.path)}`).digest('hex').slice(0, 32);
  return path.join(dir, `${info.kind}-${key}.rsnap`);
}

type MetricField = 'value' | 'step' | 'timestamp';
const METRIC_FIELDS: readonly MetricField[] = ['value', 'step', 'timestamp'];
/** A metric number JSON cannot spell: [run index in the batch, metric key, field, its spelling]. */
type Special = [number, string, MetricField, string];

/** A batch of runs as JSON, with NaN, ±Infinity and -0 of their metrics beside it. */
function encodeRuns(runs: readonly Run[]): Buffer {
  const specials: Special[] = [];
  runs.forEach((run, i) => {
    for (const key in run.metrics) {
      const m = run.metrics[key] as Run['metrics'][string];
      for (const f of METRIC_FIELDS) {
        const v = m[f];
        if (!Number.isFinite(v)) specials.push([i, key, f, String(v)]);
        else if (v === 0 && 1 / v < 0) specials.push([i, key, f, '-0']);
      }
    }
  });
  return Buffer.from(JSON.stringify({ runs, specials }), 'utf8');
}

function decodeRuns(payload: Buffer): Run[] {
  const { runs, specials } = JSON.parse(payload.toString('utf8')) as { runs: Run[]; specials: Special[] };
  for (const [i, key, f, v] of specials) {
    const m = runs[i]?.metrics[key];
    if (m) m[f] = Number(v);
  }
  return runs;
}

function record(type: number, payload: Buffer): Buffer[] {
  const head = Buffer.alloc(5);
  head.writeUInt8(type, 0);
  head.writeUInt32LE(payload.length, 1);
  return [head, payload];
}

/** Writes one store's snapshot as its first read goes; nothing is visible until `finish`. */
export class SnapshotWriter {
  readonly file: string;
  private readonly tmp: string;
  private fd: number | null;
  private readonly hash: Hash = createHash('sha256');

  constructor(dir: string, info: StoreInfo, readStarted: number) {
    this.file = snapshotPath(dir, info);
    mkdirSync(dir, { recursive: true });
    this.tmp = `${this.file}.tmp-${process.pid}-${Date.now()}`;
    this.fd = openSync(this.tmp, 'w', 0o600);
    const header: SnapshotHeader = { schema: SNAPSHOT_SCHEMA, kind: info.kind, storePath: path.resolve(info.path), readStarted };
    this.write([MAGIC, ...record(T_HEADER, Buffer.from(JSON.stringify(header), 'utf8'))]);
  }

  private write(parts: Buffer[], hashed = true): void {
    if (this.fd === null) throw new Error('snapshot: written after finish or abort');
    for (const p of parts) {
      if (hashed) this.hash.update(p);
      let off = 0;
      while (off < p.length) off += writeSync(this.fd, p, off, p.length - off);
    }
  }

  addRuns(runs: readonly Run[]): void {
    if (runs.length > 0) this.write(record(T_RUNS, encodeRuns(runs)));
  }

  /** Completes the file and puts it in place of the previous snapshot. */
  finish(tail: SnapshotTail): void {
    this.write(record(T_TAIL, serialize(tail)));
    const digest = this.hash.digest();
    this.write(record(T_TRAILER, digest), false);
    closeSync(this.fd as number);
    this.fd = null;
    renameSync(this.tmp, this.file);
    pruneSnapshots(path.dirname(this.file));
  }

  /** Drops the unfinished file (the read failed or the store was closed first). */
  abort(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    rmSync(this.tmp, { force: true });
  }
}

/**
 * Reads and checks a store's snapshot. Whatever is wrong with it (truncated, bit-flipped, of
 * another schema, of another store) makes it `ok: false`, and a bad file is deleted.
 */
export function readSnapshot(dir: string, info: StoreInfo): SnapshotRead {
  const file = snapshotPath(dir, info);
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return { ok: false, reason: 'missing' };
  }
  const bad = (reason: 'corrupt' | 'schema' | 'other-store'): SnapshotRead => {
    rmSync(file, { force: true });
    return { ok: false, reason };
  };
  if (data.length < MAGIC.length + TRAILER_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) return bad('corrupt');
  const body = data.length - TRAILER_BYTES;
  if (data.readUInt8(body) !== T_TRAILER || data.readUInt32LE(body + 1) !== HASH_BYTES) return bad('corrupt');
  const digest = createHash('sha256').update(data.subarray(0, body)).digest();
  if (!digest.equals(data.subarray(body + 5))) return bad('corrupt');
  // The checksum holds, so the records are as written: an exception below is a writer bug.
  const records: { type: number; start: number; end: number }[] = [];
  for (let off = MAGIC.length; off < body; ) {
    const type = data.readUInt8(off);
    const len = data.readUInt32LE(off + 1);
    records.push({ type, start: off + 5, end: off + 5 + len });
    off += 5 + len;
  }
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || first.type !== T_HEADER || !last || last.type !== T_TAIL) return bad('corrupt');
  let header: SnapshotHeader;
  try {
    header = JSON.parse(data.toString('utf8', first.start, first.end)) as SnapshotHeader;
  } catch {
    return bad('corrupt');
  }
  if (header.schema !== SNAPSHOT_SCHEMA) return bad('schema');
  if (header.kind !== info.kind || header.storePath !== path.resolve(info.path)) return bad('other-store');
  const tail = deserialize(data.subarray(last.start, last.end)) as SnapshotTail;
  const runs = records.filter((r) => r.type === T_RUNS);
  return {
    ok: true,
    snapshot: {
      header,
      tail,
      *runBatches() {
        for (const r of runs) yield decodeRuns(data.subarray(r.start, r.end));
      },
    },
  };
}

/**
 * Keeps the cache folder bounded: the MAX_SNAPSHOTS most recently written snapshots stay (a store
 * opened again gets its snapshot rewritten when it changed), older ones and temporary files left by
 * a process that died mid-write (or older than a day) go. Best effort: a file another process just removed is not an error.
 */
export function pruneSnapshots(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  const snaps: { file: string; mtime: number }[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const mtime = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
    if (mtime === undefined) continue;
    if (name.endsWith('.rsnap')) snaps.push({ file, mtime });
    else if (/\.rsnap\.tmp-/.test(name) && (now - mtime > STALE_TMP_MS || !writerAlive(name))) rmSync(file, { force: true });
  }
  snaps.sort((a, b) => b.mtime - a.mtime);
  for (const old of snaps.slice(MAX_SNAPSHOTS)) rmSync(old.file, { force: true });
}

/** Whether the process that named a temporary file `<snapshot>.tmp-<pid>-<time>` still runs. */
function writerAlive(name: string): boolean {
  const pid = Number(/\.tmp-(\d+)-\d+$/.exec(name)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes a store's snapshot (its warm start failed: the next open reads cold). */
export function dropSnapshot(dir: string, info: StoreInfo): void {
  rmSync(snapshotPath(dir, info), { force: true });
}
