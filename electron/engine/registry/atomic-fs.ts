// File-system access for the file-store registry writer: an injectable interface (tests simulate
// read-only stores and crashes through it) and the atomic write MLflow itself uses for rewrites
// (overwrite_yaml: temp file + rename, so readers never see half a file; format doc 2.13 rule 6).
//
// Temp entries are named `.<name>.tmp-<pid>-<random>`: the engine's watcher ignores that pattern,
// MLflow's registry reader never looks at dot-entries where we put them (only `version-*` folders,
// `meta.yaml`, `tags/`, `aliases/`), and neither does ours — so a crash between writing a temp
// file and renaming it leaves a store both read as before.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors.ts';
import type { WriteHooks } from './types.ts';

export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

export interface RegistryFs {
  readFile(p: string): Promise<string>;
  /** `exclusive` fails with EEXIST when the file exists. */
  writeFile(p: string, data: string, exclusive?: boolean): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(p: string): Promise<void>;
  mkdir(p: string, recursive: boolean): Promise<void>;
  readdir(p: string): Promise<DirEntry[]>;
  rm(p: string): Promise<void>;
  /** Throws (EACCES, EROFS …) when `p` is not writable for us. */
  accessWrite(p: string): Promise<void>;
  exists(p: string): Promise<boolean>;
}

export const nodeFs: RegistryFs = {
  readFile: (p) => fsp.readFile(p, 'utf8'),
  writeFile: (p, data, exclusive) => fsp.writeFile(p, data, { flag: exclusive ? 'wx' : 'w' }),
  rename: (a, b) => fsp.rename(a, b),
  unlink: (p) => fsp.unlink(p),
  mkdir: async (p, recursive) => {
    await fsp.mkdir(p, { recursive });
  },
  readdir: async (p) =>
    Promise.all(
      (await fsp.readdir(p, { withFileTypes: true })).map(async (e) => ({
        name: e.name,
        // A symlinked folder counts as a folder (MLflow's os.path.isdir follows links).
        isDirectory: e.isDirectory() || (e.isSymbolicLink() && (await fsp.stat(path.join(p, e.name)).then((s) => s.isDirectory(), () => false))),
      })),
    ),
  rm: (p) => fsp.rm(p, { recursive: true, force: true }),
  accessWrite: (p) => fsp.access(p, constants.W_OK),
  exists: (p) => fsp.stat(p).then(() => true, () => false),
};

export function errnoOf(e: unknown): string | null {
  return e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : null;
}

const READ_ONLY_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);

/** A permission / read-only-mount failure becomes READ_ONLY with the path and the reason. */
export function asWriteError(e: unknown, storePath: string): unknown {
  if (e instanceof EngineError) return e;
  const code = errnoOf(e);
  if (code && READ_ONLY_CODES.has(code)) {
    const why = code === 'EROFS' ? 'it is on a read-only file system' : 'permission denied';
    return new EngineError('READ_ONLY', `The store ${storePath} is read-only (${why}, ${code}): registry changes cannot be saved`);
  }
  return e;
}

export class AtomicWriter {
  readonly fs: RegistryFs;
  readonly hooks: WriteHooks;
  /** Every final path written or removed (what the engine re-reads). */
  readonly changed = new Set<string>();

  constructor(fs: RegistryFs, hooks: WriteHooks = {}) {
    this.fs = fs;
    this.hooks = hooks;
  }

  tmpPath(dir: string, base: string): string {
    return path.join(dir, `.${base}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  }

  /**
   * Writes `target` atomically; the temp file goes to `tmpDir` (default: beside the target), which
   * must be on the same file system and a place readers ignore.
   */
  async writeFile(target: string, data: string, tmpDir = path.dirname(target)): Promise<void> {
    const tmp = this.tmpPath(tmpDir, path.basename(target));
    await this.fs.writeFile(tmp, data, true);
    await this.hooks.beforeRename?.(tmp, target);
    try {
      await this.fs.rename(tmp, target);
    } catch (e) {
      await this.fs.unlink(tmp).catch(() => undefined);
      throw e;
    }
    this.changed.add(target);
  }

  /**
   * Moves a fully built temp folder into place. Fails with `taken` when `target` already exists
   * with content (rename(2) refuses a non-empty destination folder: EEXIST/ENOTEMPTY; Windows says
   * EPERM/EACCES), so a folder created meanwhile by another writer is never overwritten.
   * The caller runs the beforeRename hook (it treats a hook failure as a crash).
   */
  async renameDir(tmp: string, target: string): Promise<'ok' | 'taken'> {
    try {
      await this.fs.rename(tmp, target);
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'EEXIST' || code === 'ENOTEMPTY' || ((code === 'EPERM' || code === 'EACCES') && (await this.fs.exists(target)))) {
        return 'taken';
      }
      throw e;
    }
    this.changed.add(target);
    return 'ok';
  }

  async remove(target: string): Promise<boolean> {
    try {
      await this.fs.unlink(target);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return false;
      throw e;
    }
    this.changed.add(target);
    return true;
  }

  async mkdirp(dir: string): Promise<void> {
    await this.fs.mkdir(dir, true);
  }

  async readText(p: string): Promise<string | null> {
    try {
      return await this.fs.readFile(p);
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw e;
    }
  }

  async list(dir: string): Promise<DirEntry[]> {
    try {
      return await this.fs.readdir(dir);
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw e;
    }
  }
}
