// The walk of a key folder (params/, tags/, metrics/ of a run; tags/ of an experiment): every
// file below it as a key. Symlinked folders are not followed, so a link pointing to an ancestor
// cannot make the walk recurse forever; what cannot be read becomes a problem for the diagnostics.
import path from 'node:path';
import { describeError, listDir, type Io } from './fs-util.ts';

export interface KeyFile {
  /** `/`-separated key (the path below the walked folder). */
  key: string;
  abs: string;
  viaSymlink: boolean;
}

export interface WalkProblem {
  path: string;
  problem: string;
}

/**
 * Every file below `base` as a key (format doc 2.1: keys with `/` are sub-folders). A missing
 * `base` is normal (empty folders may be missing). Symlinked entries are returned as files: reading
 * them tells what they are (a file, a folder we do not follow, a loop, a dangling link).
 */
export async function walkKeys(io: Io, base: string, problems: WalkProblem[]): Promise<KeyFile[]> {
  const out: KeyFile[] = [];
  await walkInto(io, base, '', out, problems, 0);
  return out;
}

/**
 * Keys are at most 250 characters (MLflow's validation), so no real key is this deep; deeper means
 * a folder cycle that is not a symlink (a bind mount) and the walk stops there.
 */
const MAX_KEY_DEPTH = 128;

async function walkInto(io: Io, dir: string, prefix: string, out: KeyFile[], problems: WalkProblem[], depth: number) {
  if (depth > MAX_KEY_DEPTH) {
    problems.push({ path: dir, problem: 'folders nested too deep to be a key (skipped)' });
    return;
  }
  let l = listDir(io, dir);
  if (l instanceof Promise) l = await l;
  if (!l.ok) {
    if (!(depth === 0 && l.code === 'ENOENT')) problems.push({ path: dir, problem: `folder ${describeError(l.code)} (skipped)` });
    return;
  }
  for (const name of l.badNames) {
    problems.push({ path: path.join(dir, name), problem: 'file name is not valid UTF-8 (skipped)' });
  }
  for (const e of l.entries) {
    const key = prefix === '' ? e.name : `${prefix}/${e.name}`;
    const abs = `${dir}${path.sep}${e.name}`;
    if (e.isDirectory()) await walkInto(io, abs, key, out, problems, depth + 1);
    else if (e.isFile() || e.isSymbolicLink()) out.push({ key, abs, viaSymlink: e.isSymbolicLink() });
  }
}
