// Path containment: every path that comes from outside (a renderer request, an artifact name, a
// registry model name) is resolved against a root and refused if it leaves it. Symlinks are
// checked too (realpath), so a link inside a run's artifacts cannot expose /etc.
import { realpath } from 'node:fs/promises';
import path from 'node:path';

export class PathEscapeError extends Error {
  readonly code = 'INVALID_ARGUMENT';
  constructor(rel: string) {
    super(`Path "${rel}" leaves its root`);
  }
}

/** `root/rel`, refusing absolute `rel`, `..` segments that escape, and NUL bytes. Lexical only. */
export function resolveInside(root: string, rel: string): string {
  if (rel.includes('\0')) throw new PathEscapeError(rel);
  const cleaned = rel.replace(/\\/g, '/');
  if (path.isAbsolute(cleaned) || /^[a-zA-Z]:/.test(cleaned)) throw new PathEscapeError(rel);
  const full = path.resolve(root, cleaned);
  if (!isInside(root, full)) throw new PathEscapeError(rel);
  return full;
}

/** Lexical containment (no filesystem access). */
export function isInside(root: string, candidate: string): boolean {
  const r = path.resolve(root);
  const c = path.resolve(candidate);
  return c === r || c.startsWith(r.endsWith(path.sep) ? r : r + path.sep);
}

/** Like resolveInside, then follows symlinks and checks the real path is still inside the real root. */
export async function resolveInsideReal(root: string, rel: string): Promise<string> {
  const full = resolveInside(root, rel);
  const [realRoot, realFull] = await Promise.all([realpath(root), realpath(full)]);
  if (!isInside(realRoot, realFull)) throw new PathEscapeError(rel);
  return realFull;
}
