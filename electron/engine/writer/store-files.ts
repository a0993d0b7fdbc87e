// File-system pieces of the file-store writer: small promise wrappers over the callback fs API
// (cheaper than fs/promises for many tiny files), blocking twins, atomic writes, artifact URIs,
// and the metric line format.
import {
  access,
  appendFile,
  appendFileSync,
  existsSync,
  mkdir,
  mkdirSync,
  readFile,
  readFileSync,
  readdir,
  readdirSync,
  rename,
  renameSync,
  writeFile,
  writeFileSync,
  type PathLike,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pyFloat, pyInt } from './py-float.ts';
import { TrackingWriteError, type MetricInput } from './types.ts';

export function pWriteFile(p: PathLike, data: string | Uint8Array, flag = 'w'): Promise<void> {
  return new Promise((resolve, reject) => writeFile(p, data, { flag }, (e) => (e ? reject(e) : resolve())));
}
export function pAppendFile(p: PathLike, data: string): Promise<void> {
  return new Promise((resolve, reject) => appendFile(p, data, (e) => (e ? reject(e) : resolve())));
}
export function pMkdir(p: string): Promise<void> {
  return new Promise((resolve, reject) => mkdir(p, { recursive: true }, (e) => (e ? reject(e) : resolve())));
}
export function pRename(a: string, b: string): Promise<void> {
  return new Promise((resolve, reject) => rename(a, b, (e) => (e ? reject(e) : resolve())));
}
export function pReadFile(p: string): Promise<string> {
  return new Promise((resolve, reject) => readFile(p, 'utf8', (e, d) => (e ? reject(e) : resolve(d))));
}
export function pReaddir(p: string): Promise<string[]> {
  return new Promise((resolve, reject) => readdir(p, (e, d) => (e ? reject(e) : resolve(d))));
}
export function pExists(p: string): Promise<boolean> {
  return new Promise((resolve) => access(p, (e) => resolve(!e)));
}

/** The few file operations the file store writer needs, in a non-blocking and a blocking flavour. */
export interface FsOps {
  writeFile(p: string, data: string | Uint8Array, flag?: string): Promise<void>;
  appendFile(p: string, data: string): Promise<void>;
  mkdir(p: string): Promise<void>;
  rename(a: string, b: string): Promise<void>;
  readFile(p: string): Promise<string>;
  readdir(p: string): Promise<string[]>;
  exists(p: string): Promise<boolean>;
}

export const asyncFs: FsOps = {
  writeFile: pWriteFile,
  appendFile: pAppendFile,
  mkdir: pMkdir,
  rename: pRename,
  readFile: pReadFile,
  readdir: pReaddir,
  exists: pExists,
};

export function blocking<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e);
  }
}

export const blockingFs: FsOps = {
  writeFile: (p, data, flag = 'w') => blocking(() => writeFileSync(p, data, { flag })),
  appendFile: (p, data) => blocking(() => appendFileSync(p, data)),
  mkdir: (p) => blocking(() => void mkdirSync(p, { recursive: true })),
  rename: (a, b) => blocking(() => renameSync(a, b)),
  readFile: (p) => blocking(() => readFileSync(p, 'utf8')),
  readdir: (p) => blocking(() => readdirSync(p)),
  exists: (p) => blocking(() => existsSync(p)),
};

let tmpCounter = 0;
/** Rewrite via temp file + rename, as MLflow's overwrite_yaml (readers never see a half file). */
export async function writeAtomic(fs: FsOps, file: string, data: string): Promise<void> {
  // `.<name>.tmp-*`: the engine's watcher ignores this pattern (engine.ts).
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${++tmpCounter}`);
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}

export function isErrno(e: unknown, code: string): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === code;
}

/** Where `key` (which may contain `/`, format doc 2.1) lives below `base`; refuses escapes. */
export function keyPath(base: string, key: string): string {
  if (key === '' || key.startsWith('/') || key.includes('\0') || key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new TrackingWriteError(`Invalid key "${key}"`);
  }
  return path.join(base, ...key.split('/'));
}

export function artifactDirOf(artifactUri: string): string {
  if (artifactUri.startsWith('file:')) return fileURLToPath(artifactUri);
  if (path.isAbsolute(artifactUri)) return artifactUri;
  throw new TrackingWriteError(`Artifact location ${artifactUri} is not local`);
}

export function artifactTarget(artifactUri: string, artifactPath: string): string {
  const root = artifactDirOf(artifactUri);
  const rel = artifactPath.replace(/\\/g, '/');
  if (rel === '' || path.isAbsolute(rel) || rel.split('/').some((s) => s === '..')) {
    throw new TrackingWriteError(`Invalid artifact path "${artifactPath}"`);
  }
  return path.join(root, ...rel.split('/').filter((s) => s !== '' && s !== '.'));
}

/**
 * `path_to_local_file_uri`: Python's `pathlib.Path(p).as_uri()`, i.e. `file://` + the UTF-8 path
 * percent-encoded except letters, digits, `_.-~/` (urllib.parse.quote). Node's pathToFileURL
 * leaves more characters alone (`+`, `,`, `@`, `:` …), which would differ from MLflow's URIs.
 */
export function localFileUri(absPath: string): string {
  let out = '';
  for (const byte of Buffer.from(path.resolve(absPath), 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.\-~/]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `file://${out}`;
}

/** `append_to_uri_path`: joins with `/`, keeping the scheme of the base. */
export function appendToUri(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ''), ...parts].join('/');
}

export function metricLine(m: MetricInput, now: () => number): string {
  return `${pyInt(m.timestamp ?? now())} ${pyFloat(m.value)} ${pyInt(m.step ?? 0)}\n`;
}
