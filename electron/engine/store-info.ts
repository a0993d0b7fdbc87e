// How a store is identified: by its absolute path, which is stable across restarts.
import path from 'node:path';
import type { StoreInfo } from './model.ts';

export function fileStoreInfo(mlrunsDir: string): StoreInfo {
  const p = path.resolve(mlrunsDir);
  return { id: p, kind: 'file', path: p, artifactRoot: p };
}

export function sqliteStoreInfo(dbFile: string, revision: string | null = null): StoreInfo {
  const p = path.resolve(dbFile);
  return { id: p, kind: 'sqlite', path: p, artifactRoot: path.join(path.dirname(p), 'mlruns'), schemaRevision: revision };
}
