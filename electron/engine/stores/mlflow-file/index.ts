// MLflow file store (`mlruns/`) support: the reader and the detector used by store discovery.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StoreInfo } from '../../model.ts';
import type { StoreReader } from '../reader.ts';
import { FileStoreReader } from './file-store-reader.ts';
import { listDir, SyncIo } from './fs-util.ts';

export function createFileStoreReader(info: StoreInfo): StoreReader {
  return new FileStoreReader(info);
}

export { FileStoreReader };

const EXPERIMENT_ID_LINE = /^experiment_id:/m;

/**
 * True when `dir` holds at least one experiment folder whose meta.yaml records an experiment_id,
 * or a registered model (`models/<name>/meta.yaml`). A `mlruns/` beside `mlflow.db` is that
 * database's artifact root: it has experiment-numbered folders but no meta.yaml (format doc 3),
 * so it is not a file store.
 */
export async function looksLikeFileStore(dir: string): Promise<boolean> {
  const io = new SyncIo();
  const top = await listDir(io, dir);
  if (!top.ok) return false;
  const folders = top.entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name);
  const candidates: string[] = [];
  for (const name of folders) {
    if (name === 'models') continue;
    if (name === '.trash') {
      const trash = await listDir(io, path.join(dir, name));
      if (trash.ok) {
        for (const e of trash.entries) if (e.isDirectory()) candidates.push(path.join(dir, name, e.name, 'meta.yaml'));
      }
    } else if (!name.startsWith('.')) candidates.push(path.join(dir, name, 'meta.yaml'));
  }
  for (const p of candidates) {
    const text = await readFile(p, 'utf8').catch(() => null);
    if (text !== null && EXPERIMENT_ID_LINE.test(text)) return true;
  }
  if (folders.includes('models')) {
    const models = await listDir(io, path.join(dir, 'models'));
    if (models.ok) {
      for (const e of models.entries) {
        if (!(e.isDirectory() || e.isSymbolicLink())) continue;
        const ok = await readFile(path.join(dir, 'models', e.name, 'meta.yaml'), 'utf8').then(
          () => true,
          () => false,
        );
        if (ok) return true;
      }
    }
  }
  return false;
}
