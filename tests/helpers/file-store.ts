// Helpers shared by the file-store reader tests.
import type { JsonValue } from '../../electron/engine/dump.ts';
import type { StoreInfo } from '../../electron/engine/model.ts';

/** A deep copy without any `artifacts` key (artifact listing is tested elsewhere). */
export function stripArtifacts(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(stripArtifacts);
  if (v === null || typeof v !== 'object') return v;
  const out: { [k: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'artifacts') out[k] = stripArtifacts(x);
  return out;
}

export function fileStoreInfo(mlruns: string): StoreInfo {
  return { id: mlruns, kind: 'file', path: mlruns, artifactRoot: mlruns };
}
