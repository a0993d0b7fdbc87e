// Where do a run's artifacts live on *this* machine? MLflow records absolute URIs and never
// rewrites them, so a copied or mounted store points at a folder that does not exist here
// (format doc 1.6; every fixture was written under /home/alice/projects/...). We resolve:
//   1. the recorded local path, when it exists;
//   2. else the same path re-based from the store's old root onto the root we opened. The old
//      root is learned from experiment artifact locations (`<root>/<experiment_id>`);
//   3. else re-based on the old project folder (the parent of that root), which covers explicit
//      locations beside `mlruns/` such as the fixture's `external-artifacts/`;
//   4. `mlflow-artifacts:/x` onto the store's artifact root;
//   5. remote schemes are reported unavailable with a reason — never an error.
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PathEscapeError, isInside, resolveInside } from './fs/paths.ts';
import type { ArtifactEntry, ArtifactLocation, Experiment, StoreInfo } from './model.ts';

const REMOTE_SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

export interface ResolveOptions {
  /**
   * Also look in `mlruns/.trash/` for runs of deleted experiments. MLflow itself does not (it
   * lists nothing for them), so the MLflow-shaped dump turns this off; the UI turns it on.
   */
  includeTrash?: boolean;
}

export class ArtifactResolver {
  private readonly info: StoreInfo;
  private readonly oldRoots: string[];
  private readonly newRoot: string;

  constructor(info: StoreInfo, experiments: readonly Experiment[]) {
    this.info = info;
    this.newRoot = path.resolve(info.artifactRoot);
    this.oldRoots = learnOldRoots(experiments);
  }

  /** Resolves a recorded URI to a local folder (or file), or says why it is unavailable. */
  async resolve(uri: string, options: ResolveOptions = {}): Promise<ArtifactLocation> {
    const local = toLocalPath(uri, this.newRoot);
    if ('reason' in local) return { available: false, reason: local.reason, remote: local.remote };
    const recorded = local.path;
    if (await exists(recorded)) return { available: true, localPath: recorded, rebased: false };
    for (const candidate of this.candidates(recorded, options)) {
      if (await exists(candidate)) return { available: true, localPath: candidate, rebased: true };
    }
    return {
      available: false,
      remote: false,
      reason: `Artifacts not available locally: ${recorded} does not exist (the store was probably copied or moved here)`,
    };
  }

  private *candidates(recorded: string, options: ResolveOptions): Generator<string> {
    const newProject = path.dirname(this.newRoot);
    for (const oldRoot of this.oldRoots) {
      if (isInside(oldRoot, recorded)) {
        const rest = path.relative(oldRoot, recorded);
        yield path.join(this.newRoot, rest);
        if (options.includeTrash && this.info.kind === 'file') yield path.join(this.newRoot, '.trash', rest);
      }
    }
    for (const oldRoot of this.oldRoots) {
      const oldProject = path.dirname(oldRoot);
      if (oldProject !== path.parse(oldProject).root && isInside(oldProject, recorded)) {
        yield path.join(newProject, path.relative(oldProject, recorded));
      }
    }
  }
}

/** Old store roots: experiment locations look like `<root>/<experiment_id>`. */
function learnOldRoots(experiments: readonly Experiment[]): string[] {
  const roots = new Set<string>();
  for (const exp of experiments) {
    const local = toLocalPath(exp.artifactLocation, '/');
    if ('reason' in local) continue;
    if (path.basename(local.path) === exp.experimentId) roots.add(path.dirname(local.path));
  }
  return [...roots];
}

function toLocalPath(uri: string, artifactRoot: string): { path: string } | { reason: string; remote: boolean } {
  if (uri.startsWith('file:')) {
    try {
      // file:///abs and file:/abs are both written by MLflow; both parse as URLs.
      return { path: fileURLToPath(new URL(uri)) };
    } catch {
      return { reason: `Unreadable artifact URI "${uri}"`, remote: false };
    }
  }
  if (uri.startsWith('mlflow-artifacts:')) {
    // mlflow-artifacts:/<exp>/<run>/artifacts (or with a host) is relative to the server's root.
    const rest = uri.replace(/^mlflow-artifacts:(\/\/[^/]*)?/, '').replace(/^\/+/, '');
    try {
      return { path: resolveInside(artifactRoot, decodeURIComponent(rest)) };
    } catch (e) {
      if (e instanceof PathEscapeError) return { reason: `Artifact URI "${uri}" leaves the store`, remote: false };
      throw e;
    }
  }
  const scheme = REMOTE_SCHEME.exec(uri);
  if (scheme && scheme[1] && scheme[1].length > 1) {
    return { reason: `Artifacts are stored remotely (${scheme[1]}://); Runsight reads local stores only`, remote: true };
  }
  if (uri === '') return { reason: 'No artifact location recorded', remote: false };
  return { path: path.resolve(path.dirname(artifactRoot), uri) };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Recursive listing of a local artifact folder: every file with its size, and folders only when
 * empty (as MLflow's recursive listing shows them). Symlinked folders are not followed (loops).
 */
export async function listArtifactsRecursive(root: string): Promise<ArtifactEntry[]> {
  const out: ArtifactEntry[] = [];
  const st = await stat(root).catch(() => null);
  if (!st?.isDirectory()) return out;
  await walk(root, '', out);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(root: string, rel: string, out: ArtifactEntry[]): Promise<void> {
  const dir = rel ? path.join(root, rel) : root;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (rel && entries.length === 0) {
    out.push({ path: `${toPosix(rel)}/`, isDir: true, size: null });
    return;
  }
  for (const e of entries) {
    const childRel = rel ? path.join(rel, e.name) : e.name;
    if (e.isDirectory()) await walk(root, childRel, out);
    else out.push(await fileEntry(root, childRel));
  }
}

async function fileEntry(root: string, rel: string): Promise<ArtifactEntry> {
  const full = path.join(root, rel);
  const st = await stat(full).catch(() => lstat(full));
  return { path: toPosix(rel), isDir: st.isDirectory(), size: st.isDirectory() ? null : st.size };
}

/** One level of a folder, like MLflow's list_artifacts(path): folders and files, folders first. */
export async function listArtifactsLevel(root: string, dir: string): Promise<ArtifactEntry[]> {
  const base = resolveInside(root, dir);
  const entries = await readdir(base, { withFileTypes: true });
  const out: ArtifactEntry[] = [];
  for (const e of entries) {
    const rel = toPosix(path.relative(root, path.join(base, e.name)));
    if (e.isDirectory()) out.push({ path: rel, isDir: true, size: null });
    else {
      const st = await stat(path.join(base, e.name)).catch(() => null);
      if (st?.isDirectory()) out.push({ path: rel, isDir: true, size: null });
      else out.push({ path: rel, isDir: false, size: st ? st.size : null });
    }
  }
  return out.sort((a, b) => Number(b.isDir) - Number(a.isDir) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * A recursive listing the way MLflow's client reports it: nothing for a local folder that does
 * not exist, an error entry for a remote store it cannot reach (the dump compares on this).
 */
export async function listArtifactsLikeMlflow(
  resolver: ArtifactResolver,
  uri: string,
  options?: ResolveOptions,
): Promise<ArtifactEntry[] | { error: string }> {
  const location = await resolver.resolve(uri, options);
  if (location.available) return listArtifactsRecursive(location.localPath);
  return location.remote ? { error: location.reason } : [];
}
