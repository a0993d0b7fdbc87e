// The per-store half of the registry writer: probing whether a store can be written (and why
// not), the in-process lock per store, and running one transaction on the file store or SQLite.
import path from 'node:path';
import { EngineError } from '../errors.ts';
import type { StoreInfo } from '../model.ts';
import { asWriteError, type RegistryFs } from './atomic-fs.ts';
import { FileRegistryTx } from './file-tx.ts';
import { unknownRevision, withSqliteTransaction } from './sqlite-tx.ts';
import { KNOWN_REVISIONS } from '../stores/mlflow-sqlite/schema.ts';
import { DatabaseSync } from 'node:sqlite';
import type { RegistryTx, WriteCapability, WriteHooks } from './types.ts';

export interface TxResult<T> {
  value: T;
  changedPaths: string[];
}

export interface Backend {
  probe(): Promise<WriteCapability>;
  transact<T>(fn: (tx: RegistryTx) => Promise<T>): Promise<TxResult<T>>;
}

/** One queue per store path: two writers of this process never interleave their writes. */
const storeLocks = new Map<string, Promise<void>>();

export async function withStoreLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = storeLocks.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => {
    release = r;
  });
  const tail = previous.then(() => mine);
  storeLocks.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (storeLocks.get(key) === tail) storeLocks.delete(key);
  }
}

function readOnlyReason(e: unknown, what: string): string | null {
  const code = e && typeof e === 'object' && 'code' in e ? String(e.code) : '';
  if (code === 'EROFS') return `${what} is on a read-only file system`;
  if (code === 'EACCES' || code === 'EPERM') return `${what} is not writable for this user (${code})`;
  if (code === 'ENOENT') return `${what} does not exist`;
  return null;
}

export class FileBackend implements Backend {
  private readonly store: StoreInfo;
  private readonly fs: RegistryFs;
  private readonly hooks: WriteHooks;

  constructor(store: StoreInfo, fs: RegistryFs, hooks: WriteHooks) {
    this.store = store;
    this.fs = fs;
    this.hooks = hooks;
  }

  async probe(): Promise<WriteCapability> {
    const models = path.join(this.store.path, 'models');
    const target = (await this.fs.exists(models)) ? models : this.store.path;
    try {
      await this.fs.accessWrite(target);
      return { canWrite: true, reason: null };
    } catch (e) {
      const why = readOnlyReason(e, `The store folder ${target}`);
      if (why) return { canWrite: false, reason: `${why}: registry changes cannot be saved` };
      throw e;
    }
  }

  async transact<T>(fn: (tx: RegistryTx) => Promise<T>): Promise<TxResult<T>> {
    return withStoreLock(this.store.path, async () => {
      const cap = await this.probe();
      if (!cap.canWrite) throw new EngineError('READ_ONLY', cap.reason ?? 'The store is read-only');
      const tx = new FileRegistryTx(this.store, this.fs, this.hooks);
      try {
        const value = await fn(tx);
        await tx.commit();
        return { value, changedPaths: tx.changedPaths };
      } catch (e) {
        // Whatever was written stays valid on its own; refresh the model's meta.yaml (timestamp,
        // alias snapshot) so it matches, if the file system still lets us.
        if (tx.changedPaths.length > 0) await tx.commit().catch(() => undefined);
        const err = asWriteError(e, this.store.path);
        if (err instanceof Error) (err as Error & { changedPaths?: string[] }).changedPaths = tx.changedPaths;
        throw err;
      }
    });
  }
}

export class SqliteBackend implements Backend {
  private readonly store: StoreInfo;
  private readonly fs: RegistryFs;
  private readonly busyTimeoutMs: number;

  constructor(store: StoreInfo, fs: RegistryFs, busyTimeoutMs: number) {
    this.store = store;
    this.fs = fs;
    this.busyTimeoutMs = busyTimeoutMs;
  }

  async probe(): Promise<WriteCapability> {
    const file = this.store.path;
    if (!(await this.fs.exists(file))) return { canWrite: false, reason: `The database ${file} does not exist` };
    // SQLite needs the file and its folder (for the rollback journal) to be writable.
    for (const [p, what] of [
      [file, `The database ${file}`],
      [path.dirname(file), `The folder of ${path.basename(file)}`],
    ] as const) {
      try {
        await this.fs.accessWrite(p);
      } catch (e) {
        const why = readOnlyReason(e, what);
        if (why) return { canWrite: false, reason: `${why}: registry changes cannot be saved` };
        throw e;
      }
    }
    const revision = readRevision(file);
    if (revision.ok && (revision.value === null || !KNOWN_REVISIONS.includes(revision.value))) {
      return { canWrite: false, reason: unknownRevision(file, revision.value).message };
    }
    return { canWrite: true, reason: null };
  }

  async transact<T>(fn: (tx: RegistryTx) => Promise<T>): Promise<TxResult<T>> {
    return withStoreLock(this.store.path, async () => {
      const cap = await this.probe();
      if (!cap.canWrite) throw new EngineError('READ_ONLY', cap.reason ?? 'The database is read-only');
      const value = await withSqliteTransaction(this.store.path, this.busyTimeoutMs, fn);
      return { value, changedPaths: [this.store.path] };
    });
  }
}

/** alembic_version, read without a write lock; `ok: false` when the read itself failed (e.g. locked). */
function readRevision(file: string): { ok: true; value: string | null } | { ok: false } {
  let db: DatabaseSync | null = null;
  try {
    db = new DatabaseSync(file, { readOnly: true });
    db.exec('PRAGMA busy_timeout = 1000');
    const row = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").get();
    if (!row) return { ok: true, value: null };
    const r = db.prepare('SELECT version_num FROM alembic_version LIMIT 1').get() as { version_num?: unknown } | undefined;
    return { ok: true, value: typeof r?.version_num === 'string' ? r.version_num : null };
  } catch {
    return { ok: false };
  } finally {
    db?.close();
  }
}
