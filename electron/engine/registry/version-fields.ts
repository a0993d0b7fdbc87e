// A model version's registry fields read back from either store: the file store's meta.yaml keys
// and the SQLite model_versions columns name them differently, the reading rules are one —
// timestamps are numbers, an unset stage is 'None', the rest is text or null.
import type { VersionFields } from './types.ts';

/** Where each field is kept in one store; null where that store has no place for it. */
export type VersionNames = { [K in keyof VersionFields]: string | null };

export function readVersionFields<V>(
  names: VersionNames,
  record: Record<string, V>,
  num: (v: V | undefined) => number | null,
  text: (v: V | undefined) => string | null,
): VersionFields {
  const at = (k: keyof VersionFields): V | undefined => {
    const name = names[k];
    return name === null ? undefined : record[name];
  };
  const str = (k: keyof VersionFields) => text(at(k));
  const int = (k: keyof VersionFields) => num(at(k));
  return {
    creationTimestamp: int('creationTimestamp'),
    lastUpdatedTimestamp: int('lastUpdatedTimestamp'),
    currentStage: str('currentStage') ?? 'None',
    description: str('description'),
    userId: str('userId'),
    source: str('source'),
    runId: str('runId'),
    runLink: str('runLink'),
    status: str('status'),
    statusMessage: str('statusMessage'),
    storageLocation: str('storageLocation'),
    modelId: str('modelId'),
  };
}
