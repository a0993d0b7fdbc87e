// The file store's meta.yaml files as the registry reads and writes them: reading one (with
// MLflow's retry for a file caught mid-write), the keys of a model version, and the YAML values
// turned into numbers, text and ids.
import { parse as parseYaml } from 'yaml';
import { EngineError } from '../errors.ts';
import type { YamlData } from '../writer/py-yaml.ts';
import type { AtomicWriter } from './atomic-fs.ts';
import type { VersionFields } from './types.ts';
import { readVersionFields } from './version-fields.ts';

export type MetaMap = { [key: string]: YamlData };

/** meta.yaml keys of a model version, as MLflow 3.5 writes them (fixture version-N/meta.yaml). */
export const VERSION_KEYS: { [K in keyof VersionFields]: string } = {
  creationTimestamp: 'creation_timestamp',
  lastUpdatedTimestamp: 'last_updated_timestamp',
  currentStage: 'current_stage',
  description: 'description',
  userId: 'user_id',
  source: 'source',
  runId: 'run_id',
  runLink: 'run_link',
  status: 'status',
  statusMessage: 'status_message',
  storageLocation: 'storage_location',
  modelId: 'model_id',
};

export async function readMeta(w: AtomicWriter, file: string): Promise<MetaMap | null> {
  let text = await w.readText(file);
  if (text !== null && text.trim() === '') {
    // A concurrent MLflow writes YAML non-atomically on creation; MLflow retries such reads too.
    await new Promise((r) => setTimeout(r, 100));
    text = await w.readText(file);
  }
  if (text === null) return null;
  let v: unknown;
  try {
    v = parseYaml(text, { intAsBigInt: true, uniqueKeys: false });
  } catch (e) {
    throw new EngineError('STORE_UNREADABLE', `${file}: invalid YAML (${String(e).split('\n')[0]}); not changing it`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw new EngineError('STORE_UNREADABLE', `${file}: not a YAML mapping; not changing it`);
  }
  return v as MetaMap;
}

/** All 15 keys MLflow 3.5 writes for a version (fixture seed-rf version-1/meta.yaml). */
export function newVersionMeta(name: string, version: number, f: VersionFields): MetaMap {
  return {
    creation_timestamp: f.creationTimestamp,
    current_stage: f.currentStage,
    deployment_job_state: null,
    description: f.description,
    last_updated_timestamp: f.lastUpdatedTimestamp,
    model_id: f.modelId,
    name,
    run_id: f.runId,
    run_link: f.runLink,
    source: f.source,
    status: f.status,
    status_message: f.statusMessage,
    storage_location: f.storageLocation,
    user_id: f.userId,
    version,
  };
}

export function fieldsFromMeta(meta: MetaMap): VersionFields {
  return readVersionFields(VERSION_KEYS, meta, num, text);
}

export function num(v: YamlData | undefined): number | null {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v.trim())) return Number(v.trim());
  return null;
}

export function text(v: YamlData | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** Ids stay text: an unquoted 18-digit id parsed as BigInt prints back exactly (format doc 1.1). */
export function idText(v: YamlData | undefined): string | null {
  return typeof v === 'bigint' ? v.toString() : text(v);
}
