// Finds every MLflow store in a project folder: file stores (`mlruns/`-style folders) and SQLite
// stores (`*.db` with MLflow's tables). A path may also name a store directly.
// Rules (format doc 2.1, 3): an `mlruns/` beside `mlflow.db` with no experiment meta.yaml is that
// database's artifact root, not a store; we never descend into a store we found, into VCS or
// dependency folders, or into Python virtualenvs; depth is bounded so a home folder opened by
// mistake does not scan the disk.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic, StoreInfo } from './model.ts';
import { fileStoreInfo, sqliteStoreInfo } from './store-info.ts';
import { looksLikeFileStore } from './stores/mlflow-file/index.ts';
import { probeMlflowDatabase } from './stores/mlflow-sqlite/index.ts';

const SKIP_DIRS = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.ipynb_checkpoints',
  'site-packages',
  '.cache',
  '.idea',
  '.vscode',
  'mlartifacts',
]);

export { fileStoreInfo, sqliteStoreInfo };

const DB_EXTENSIONS = new Set(['.db', '.sqlite', '.sqlite3']);

export interface DiscoveryResult {
  stores: StoreInfo[];
  diagnostics: Diagnostic[];
}

export interface DiscoveryOptions {
  maxDepth?: number;
  /** Folders visited at most (guards against huge trees). */
  maxFolders?: number;
}

export async function discoverStores(target: string, options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const root = path.resolve(target);
  const result: DiscoveryResult = { stores: [], diagnostics: [] };
  let st;
  try {
    st = await stat(root);
  } catch (e) {
    result.diagnostics.push({ store: root, path: root, problem: `Cannot open: ${errorText(e)}` });
    return result;
  }
  if (st.isFile()) {
    await considerDatabase(root, result, true);
    return result;
  }
  const budget = { folders: options.maxFolders ?? 20_000 };
  await walk(root, 0, options.maxDepth ?? 4, result, budget);
  if (budget.folders <= 0) {
    result.diagnostics.push({
      store: root,
      path: root,
      problem: 'Stopped looking for stores: the folder tree is very large. Open the project folder itself.',
    });
  }
  result.stores.sort((a, b) => (a.path < b.path ? -1 : 1));
  return result;
}

async function walk(
  dir: string,
  depth: number,
  maxDepth: number,
  result: DiscoveryResult,
  budget: { folders: number },
): Promise<void> {
  if (budget.folders-- <= 0) return;
  if (await looksLikeFileStore(dir)) {
    result.stores.push(fileStoreInfo(dir));
    return;
  }
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (depth === 0) result.diagnostics.push({ store: dir, path: dir, problem: `Cannot read folder: ${errorText(e)}` });
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isFile() && DB_EXTENSIONS.has(path.extname(e.name).toLowerCase())) {
      await considerDatabase(full, result, false);
    }
  }
  if (depth >= maxDepth) return;
  for (const e of entries) {
    if (!e.isDirectory() || SKIP_DIRS.has(e.name)) continue;
    const full = path.join(dir, e.name);
    if (await isVirtualenv(full)) continue;
    await walk(full, depth + 1, maxDepth, result, budget);
  }
}

async function considerDatabase(file: string, result: DiscoveryResult, explicit: boolean): Promise<void> {
  const probe = probeMlflowDatabase(file);
  if (probe.ok) {
    result.stores.push(sqliteStoreInfo(file, probe.revision));
    return;
  }
  // A random *.db in a project is normal (it is not ours to judge); say so only when the user
  // pointed at it or it is named like MLflow's default.
  if (explicit || path.basename(file) === 'mlflow.db') {
    result.diagnostics.push({ store: file, path: file, problem: probe.reason });
  }
}

async function isVirtualenv(dir: string): Promise<boolean> {
  try {
    await stat(path.join(dir, 'pyvenv.cfg'));
    return true;
  } catch {
    return false;
  }
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'no such file or folder';
  if (err?.code === 'EACCES' || err?.code === 'EPERM') return 'permission denied';
  return err?.message ?? String(e);
}

/** A store path, or a folder that holds exactly one store (the CLI's `<store>` argument). */
export async function resolveOneStore(target: string): Promise<StoreInfo> {
  const found = await discoverStores(target, { maxDepth: 2 });
  if (found.stores.length === 1) return found.stores[0] as StoreInfo;
  if (found.stores.length === 0) {
    const why = found.diagnostics.map((d) => `\n  ${d.path}: ${d.problem}`).join('');
    throw new Error(`No MLflow store found at ${path.resolve(target)}${why}`);
  }
  const names = found.stores.map((s) => `\n  ${s.kind === 'file' ? 'file  ' : 'sqlite'} ${s.path}`).join('');
  throw new Error(`${found.stores.length} stores found at ${path.resolve(target)}; name one:${names}`);
}
