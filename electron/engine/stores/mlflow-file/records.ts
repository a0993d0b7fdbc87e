// From parsed meta.yaml mappings to the engine's records (model.ts), following the rules of
// MLflow's file store readers (`_read_persisted_run_info_dict`, `_read_persisted_experiment_dict`,
// logged model and registry readers); format doc sections 1.3, 2.2, 2.3, 2.9, 2.10, 2.12.
import type {
  DatasetInput,
  LifecycleStage,
  LoggedModelStatus,
  ModelVersion,
  RunStatus,
} from '../../model.ts';
import { intField, textField, type YamlMap } from './meta-yaml.ts';

const RUN_STATUS_BY_INT: Record<number, RunStatus> = {
  1: 'RUNNING',
  2: 'SCHEDULED',
  3: 'FINISHED',
  4: 'FAILED',
  5: 'KILLED',
};
const RUN_STATUS_NAMES = new Set<string>(Object.values(RUN_STATUS_BY_INT));

const MODEL_STATUS_BY_INT: Record<number, LoggedModelStatus> = {
  0: 'UNSPECIFIED',
  1: 'PENDING',
  2: 'READY',
  3: 'FAILED',
};
const MODEL_STATUS_NAMES = new Set<string>(Object.values(MODEL_STATUS_BY_INT));

export interface Problems {
  add(problem: string): void;
}

function lifecycle(m: YamlMap, problems: Problems): LifecycleStage {
  const v = textField(m, 'lifecycle_stage');
  // Missing in very old stores and on finalized logged models: that means active (format doc 2.3, 2.10).
  if (v === undefined || v === null || v === 'active') return 'active';
  if (v === 'deleted') return 'deleted';
  problems.add(`unknown lifecycle_stage "${v}" (read as active)`);
  return 'active';
}

function optInt(m: YamlMap, key: string, problems: Problems): number | null {
  const v = intField(m, key);
  if (v === undefined) {
    if (m.has(key)) problems.add(`${key} is not a number (ignored)`);
    return null;
  }
  return v;
}

function optText(m: YamlMap, key: string): string | null {
  return textField(m, key) ?? null;
}

export interface ExperimentMeta {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number | null;
  lastUpdateTime: number | null;
}

/** Null when the record has no experiment_id (unusable); other problems go to `problems`. */
export function experimentFromMeta(m: YamlMap, problems: Problems): ExperimentMeta | null {
  const id = textField(m, 'experiment_id');
  if (id === undefined || id === null || id === '') return null;
  return {
    experimentId: id,
    name: textField(m, 'name') ?? '',
    artifactLocation: textField(m, 'artifact_location') ?? '',
    lifecycleStage: lifecycle(m, problems),
    creationTime: optInt(m, 'creation_time', problems),
    lastUpdateTime: optInt(m, 'last_update_time', problems),
  };
}

export interface RunMeta {
  runId: string;
  experimentId: string;
  /** As recorded; '' or missing falls back to the `mlflow.runName` tag when assembled. */
  runName: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  lifecycleStage: LifecycleStage;
  userId: string;
  artifactUri: string;
  deletedTime: number | null;
}

/** Null when the record has no experiment_id (unusable); other problems go to `problems`. */
export function runFromMeta(m: YamlMap, problems: Problems): RunMeta | null {
  const experimentId = textField(m, 'experiment_id');
  if (experimentId === undefined || experimentId === null || experimentId === '') return null;
  const runId = textField(m, 'run_id') ?? textField(m, 'run_uuid') ?? '';
  const endTime = optInt(m, 'end_time', problems);
  return {
    runId,
    experimentId,
    runName: textField(m, 'run_name') ?? '',
    status: runStatus(m, endTime, problems),
    startTime: optInt(m, 'start_time', problems),
    endTime,
    lifecycleStage: lifecycle(m, problems),
    userId: textField(m, 'user_id') ?? '',
    artifactUri: textField(m, 'artifact_uri') ?? '',
    deletedTime: optInt(m, 'deleted_time', problems),
  };
}

function runStatus(m: YamlMap, endTime: number | null, problems: Problems): RunStatus {
  // MLflow: a missing status is RUNNING (`_read_persisted_run_info_dict`).
  if (!m.has('status') || m.get('status') === null) return 'RUNNING';
  const n = intField(m, 'status');
  if (n !== undefined && n !== null && RUN_STATUS_BY_INT[n]) return RUN_STATUS_BY_INT[n];
  const t = textField(m, 'status');
  if (t && RUN_STATUS_NAMES.has(t.toUpperCase())) return t.toUpperCase() as RunStatus;
  const guess: RunStatus = endTime === null ? 'RUNNING' : 'FINISHED';
  problems.add(`unknown run status "${t ?? ''}" (shown as ${guess})`);
  return guess;
}

export interface LoggedModelMeta {
  name: string;
  artifactLocation: string;
  creationTimestamp: number | null;
  lastUpdatedTimestamp: number | null;
  modelType: string | null;
  sourceRunId: string | null;
  status: LoggedModelStatus;
  statusMessage: string | null;
  lifecycleStage: LifecycleStage;
}

export function loggedModelFromMeta(m: YamlMap, problems: Problems): LoggedModelMeta {
  return {
    name: textField(m, 'name') ?? '',
    artifactLocation: textField(m, 'artifact_location') ?? '',
    creationTimestamp: optInt(m, 'creation_timestamp', problems),
    lastUpdatedTimestamp: optInt(m, 'last_updated_timestamp', problems),
    modelType: optText(m, 'model_type'),
    sourceRunId: optText(m, 'source_run_id'),
    status: modelStatus(m, problems),
    statusMessage: optText(m, 'status_message'),
    lifecycleStage: lifecycle(m, problems),
  };
}

function modelStatus(m: YamlMap, problems: Problems): LoggedModelStatus {
  if (!m.has('status') || m.get('status') === null) return 'UNSPECIFIED';
  const n = intField(m, 'status');
  if (n !== undefined && n !== null && MODEL_STATUS_BY_INT[n]) return MODEL_STATUS_BY_INT[n];
  const t = textField(m, 'status');
  if (t && MODEL_STATUS_NAMES.has(t.toUpperCase())) return t.toUpperCase() as LoggedModelStatus;
  problems.add(`unknown logged model status "${t ?? ''}" (shown as UNSPECIFIED)`);
  return 'UNSPECIFIED';
}

/** An experiment-level dataset (`<exp>/datasets/<id>/meta.yaml`), without the input's tags. */
export type DatasetMeta = Omit<DatasetInput, 'tags'>;

export function datasetFromMeta(m: YamlMap, problems: Problems): DatasetMeta | null {
  const name = textField(m, 'name');
  const digest = textField(m, 'digest');
  if (name === undefined || name === null || digest === undefined || digest === null) {
    problems.add('dataset record without name or digest');
    return null;
  }
  return {
    name,
    digest,
    sourceType: textField(m, 'source_type') ?? '',
    source: textField(m, 'source') ?? '',
    schema: optText(m, 'schema'),
    profile: optText(m, 'profile'),
  };
}

export interface RegisteredModelMeta {
  name: string | null;
  creationTimestamp: number | null;
  lastUpdatedTimestamp: number | null;
  description: string | null;
}

export function registeredModelFromMeta(m: YamlMap, problems: Problems): RegisteredModelMeta {
  return {
    name: optText(m, 'name'),
    creationTimestamp: optInt(m, 'creation_timestamp', problems),
    lastUpdatedTimestamp: optInt(m, 'last_updated_timestamp', problems),
    description: optText(m, 'description'),
  };
}

export function versionFromMeta(
  m: YamlMap,
  modelName: string,
  folderVersion: number,
  problems: Problems,
): Omit<ModelVersion, 'tags' | 'aliases'> {
  let version = intField(m, 'version');
  if (version === undefined || version === null) {
    problems.add(`no version number (version ${folderVersion} taken from the folder name)`);
    version = folderVersion;
  } else if (version !== folderVersion) {
    problems.add(`version ${version} does not match the folder version-${folderVersion} (folder number used)`);
    version = folderVersion;
  }
  return {
    name: modelName,
    version,
    creationTimestamp: optInt(m, 'creation_timestamp', problems),
    lastUpdatedTimestamp: optInt(m, 'last_updated_timestamp', problems),
    currentStage: textField(m, 'current_stage') ?? 'None',
    description: optText(m, 'description'),
    userId: optText(m, 'user_id'),
    source: optText(m, 'source'),
    runId: optText(m, 'run_id'),
    runLink: optText(m, 'run_link'),
    // MLflow's file registry defaults a missing status to READY (format doc 2.13).
    status: m.has('status') ? optText(m, 'status') : 'READY',
    statusMessage: optText(m, 'status_message'),
    storageLocation: optText(m, 'storage_location'),
    modelId: optText(m, 'model_id'),
  };
}
