// What the artifacts tab asks the backend: one folder's listing at a time, and a file's preview.
import type { ArtifactContent, ArtifactEntry } from '../../../../preload/api.ts';
import { call } from '../../bridge/client.ts';

/** Preview at most 1 MiB of a file (the backend says when it cut). */
const PREVIEW_BYTES = 1024 * 1024;

export async function listArtifacts(storeId: string, runId: string, dir: string): Promise<ArtifactEntry[]> {
  const r = await call('listArtifacts', { storeId, runId, path: dir || undefined });
  return r.entries;
}

export function readArtifact(storeId: string, runId: string, path: string): Promise<ArtifactContent> {
  return call('readArtifact', { storeId, runId, path, maxBytes: PREVIEW_BYTES });
}
