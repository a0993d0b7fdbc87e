// Hand-made model objects for the index tests (the readers are built in parallel, so the index
// is tested on what they will produce), plus fixture stores converted from the truth files
// MLflow dumped (expected-runs.json / expected-registry.json).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compareHistory } from '../../electron/engine/mlflow-dump.ts';
import type {
  DatasetInput,
  Experiment,
  LoggedModel,
  LoggedModelMetric,
  MetricPoint,
  ModelVersion,
  RegisteredModel,
  Run,
  RunStatus,
  StoreInfo,
  StoreSnapshot,
} from '../../electron/engine/model.ts';
import { emptyChange, type StoreChange } from '../../electron/engine/stores/reader.ts';
import { createRunIndex, type RunIndex } from '../../electron/engine/index/index.ts';
import { fixturePath } from '../helpers/fixtures.ts';

export function storeInfo(id: string, over: Partial<StoreInfo> = {}): StoreInfo {
  return { id, kind: 'file', path: id, artifactRoot: id, ...over };
}

export function experiment(experimentId: string, over: Partial<Experiment> = {}): Experiment {
  return {
    experimentId,
    name: `exp-${experimentId}`,
    artifactLocation: `file:///tmp/mlruns/${experimentId}`,
    lifecycleStage: 'active',
    creationTime: 1_700_000_000_000,
    lastUpdateTime: 1_700_000_000_000,
    tags: {},
    ...over,
  };
}

/** A run; `metrics` may be given as plain numbers (step 0, timestamp = start time). */
export function run(
  runId: string,
  over: Omit<Partial<Run>, 'metrics'> & { metrics?: Record<string, number | MetricPoint> } = {},
): Run {
  const startTime = over.startTime === undefined ? 1_700_000_000_000 : over.startTime;
  const metrics: Record<string, MetricPoint> = {};
  for (const [k, v] of Object.entries(over.metrics ?? {})) {
    metrics[k] = typeof v === 'number' ? { step: 0, timestamp: startTime ?? 0, value: v } : v;
  }
  const experimentId = over.experimentId ?? '0';
  return {
    runId,
    experimentId,
    runName: `run-${runId}`,
    status: 'FINISHED',
    startTime,
    endTime: startTime === null ? null : startTime + 1000,
    lifecycleStage: 'active',
    userId: 'alice',
    artifactUri: `file:///tmp/mlruns/${experimentId}/${runId}/artifacts`,
    deletedTime: null,
    params: {},
    tags: {},
    inputs: { datasets: [], models: [] },
    outputs: { models: [] },
    ...over,
    metrics,
  };
}

export function dataset(name: string, context: string | null, over: Partial<DatasetInput> = {}): DatasetInput {
  return {
    name,
    digest: `digest-${name}`,
    sourceType: 'code',
    source: '{}',
    schema: null,
    profile: null,
    tags: context === null ? {} : { 'mlflow.data.context': context },
    ...over,
  };
}

export function loggedModel(modelId: string, over: Partial<LoggedModel> = {}): LoggedModel {
  return {
    modelId,
    experimentId: '0',
    name: 'model',
    artifactLocation: `file:///tmp/mlruns/0/models/${modelId}/artifacts`,
    creationTimestamp: 1_700_000_000_000,
    lastUpdatedTimestamp: 1_700_000_000_000,
    modelType: null,
    sourceRunId: null,
    status: 'READY',
    statusMessage: null,
    lifecycleStage: 'active',
    params: {},
    tags: {},
    metrics: [],
    ...over,
  };
}

export function registeredModel(name: string, over: Partial<RegisteredModel> = {}): RegisteredModel {
  return {
    name,
    creationTimestamp: 1_700_000_000_000,
    lastUpdatedTimestamp: 1_700_000_000_000,
    description: null,
    tags: {},
    aliases: {},
    isPrompt: false,
    versions: [],
    ...over,
  };
}

export function snapshot(
  id: string,
  parts: Partial<Omit<StoreSnapshot, 'info'>> & { info?: Partial<StoreInfo> } = {},
): StoreSnapshot {
  return {
    info: storeInfo(id, parts.info),
    experiments: parts.experiments ?? [experiment('0', { name: 'Default' })],
    runs: parts.runs ?? [],
    loggedModels: parts.loggedModels ?? [],
    registry: parts.registry ?? [],
    diagnostics: parts.diagnostics ?? [],
  };
}

export function change(parts: Partial<StoreChange>): StoreChange {
  return { ...emptyChange(), ...parts };
}

// ---- fixtures -------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** The dump writes non-finite numbers as strings (fixtures README). */
function num(v: Json | undefined): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v as number;
}

const str = (v: Json | undefined): string => v as string;
const strOrNull = (v: Json | undefined): string | null => (v === undefined ? null : (v as string | null));
const numOrNull = (v: Json | undefined): number | null => (v === undefined || v === null ? null : num(v));
const rec = (v: Json | undefined): Record<string, string> => (v ?? {}) as Record<string, string>;

function runFromDump(r: Obj): Run {
  const metrics: Record<string, MetricPoint> = {};
  const history = (r.metric_history ?? {}) as Record<string, Json[][]>;
  for (const [key, points] of Object.entries(history)) {
    const parsed = points.map((p) => ({ step: num(p[0]), timestamp: num(p[1]), value: num(p[2]) }));
    // Latest = highest step, then timestamp, then value (format doc 1.5): the last after sorting.
    const latest = parsed.sort(compareHistory).at(-1);
    if (latest) metrics[key] = latest;
  }
  const inputs = r.inputs as Obj;
  const outputs = r.outputs as Obj;
  return {
    runId: str(r.run_id),
    experimentId: str(r.experiment_id),
    runName: str(r.run_name),
    status: str(r.status) as RunStatus,
    startTime: numOrNull(r.start_time),
    endTime: numOrNull(r.end_time),
    lifecycleStage: str(r.lifecycle_stage) as Run['lifecycleStage'],
    userId: str(r.user_id),
    artifactUri: str(r.artifact_uri),
    deletedTime: null,
    params: rec(r.params),
    tags: rec(r.tags),
    metrics,
    inputs: {
      datasets: ((inputs.datasets ?? []) as Obj[]).map((d) => ({
        name: str(d.name),
        digest: str(d.digest),
        sourceType: str(d.source_type),
        source: str(d.source),
        schema: strOrNull(d.schema),
        profile: strOrNull(d.profile),
        tags: rec(d.tags),
      })),
      models: (inputs.models ?? []) as string[],
    },
    outputs: {
      models: ((outputs.models ?? []) as Obj[]).map((m) => ({ modelId: str(m.model_id), step: num(m.step) })),
    },
  };
}

function loggedModelFromDump(m: Obj): LoggedModel {
  return {
    modelId: str(m.model_id),
    experimentId: str(m.experiment_id),
    name: str(m.name),
    artifactLocation: str(m.artifact_location),
    creationTimestamp: numOrNull(m.creation_timestamp),
    lastUpdatedTimestamp: numOrNull(m.last_updated_timestamp),
    modelType: strOrNull(m.model_type),
    sourceRunId: strOrNull(m.source_run_id),
    status: str(m.status) as LoggedModel['status'],
    statusMessage: strOrNull(m.status_message),
    lifecycleStage: 'active',
    params: rec(m.params),
    tags: rec(m.tags),
    metrics: ((m.metrics ?? []) as Obj[]).map(
      (x): LoggedModelMetric => ({
        key: str(x.key),
        value: num(x.value),
        step: num(x.step),
        timestamp: num(x.timestamp),
        runId: strOrNull(x.run_id),
        datasetName: strOrNull(x.dataset_name),
        datasetDigest: strOrNull(x.dataset_digest),
      }),
    ),
  };
}

function versionFromDump(name: string, v: Obj): ModelVersion {
  const downloadUri = strOrNull(v.download_uri);
  const source = strOrNull(v.source);
  return {
    name,
    version: num(v.version),
    creationTimestamp: numOrNull(v.creation_timestamp),
    lastUpdatedTimestamp: numOrNull(v.last_updated_timestamp),
    currentStage: str(v.current_stage),
    description: strOrNull(v.description),
    userId: strOrNull(v.user_id),
    source,
    runId: strOrNull(v.run_id),
    runLink: strOrNull(v.run_link),
    status: strOrNull(v.status),
    statusMessage: strOrNull(v.status_message),
    storageLocation: downloadUri === source ? null : downloadUri,
    modelId: strOrNull(v.model_id),
    tags: rec(v.tags),
    aliases: (v.aliases ?? []) as string[],
  };
}

function registryFromDump(d: Obj): RegisteredModel[] {
  const models = ((d.registered_models ?? []) as Obj[]).map(
    (m): RegisteredModel => ({
      name: str(m.name),
      creationTimestamp: numOrNull(m.creation_timestamp),
      lastUpdatedTimestamp: numOrNull(m.last_updated_timestamp),
      description: strOrNull(m.description),
      tags: rec(m.tags),
      aliases: (m.aliases ?? {}) as Record<string, number>,
      isPrompt: false,
      versions: ((m.versions ?? []) as Obj[]).map((v) => versionFromDump(str(m.name), v)),
    }),
  );
  const prompts = ((d.prompts ?? []) as Obj[]).map(
    (p): RegisteredModel => ({
      name: str(p.name),
      creationTimestamp: null,
      lastUpdatedTimestamp: null,
      description: null,
      tags: { ...rec(p.tags), 'mlflow.prompt.is_prompt': 'true' },
      aliases: {},
      isPrompt: true,
      versions: ((p.versions ?? []) as Obj[]).map((v) => ({
        ...versionFromDump(str(p.name), { version: v.version ?? null, current_stage: 'None', tags: v.tags ?? {} }),
        description: strOrNull(v.commit_message),
        tags: { ...rec(v.tags), 'mlflow.prompt.text': str(v.template) },
      })),
    }),
  );
  return [...models, ...prompts];
}

/** A fixture store as model objects, built from MLflow's own dump of it. */
export function fixtureSnapshot(name: 'seed-rf' | 'kitchen-sink', storeId = path.join(fixturePath(name), 'mlruns')): StoreSnapshot {
  const dir = fixturePath(name);
  const runsJson = JSON.parse(readFileSync(path.join(dir, 'expected-runs.json'), 'utf8')) as Obj;
  const registryJson = JSON.parse(readFileSync(path.join(dir, 'expected-registry.json'), 'utf8')) as Obj;
  const experiments: Experiment[] = [];
  const runs: Run[] = [];
  const loggedModels: LoggedModel[] = [];
  for (const e of runsJson.experiments as Obj[]) {
    experiments.push({
      experimentId: str(e.experiment_id),
      name: str(e.name),
      artifactLocation: str(e.artifact_location),
      lifecycleStage: str(e.lifecycle_stage) as Experiment['lifecycleStage'],
      creationTime: numOrNull(e.creation_time),
      lastUpdateTime: numOrNull(e.last_update_time),
      tags: rec(e.tags),
    });
    for (const r of e.runs as Obj[]) runs.push(runFromDump(r));
    for (const m of e.logged_models as Obj[]) loggedModels.push(loggedModelFromDump(m));
  }
  return {
    info: storeInfo(storeId, { path: storeId, artifactRoot: storeId }),
    experiments,
    runs,
    loggedModels,
    registry: registryFromDump(registryJson),
    diagnostics: [],
  };
}

/** Reads fixture-info.json. */
export function fixtureInfo(name: 'seed-rf' | 'kitchen-sink'): Obj {
  return JSON.parse(readFileSync(path.join(fixturePath(name), 'fixture-info.json'), 'utf8')) as Obj;
}

/** The store ids fixturesIndex() gives seed-rf and kitchen-sink. */
export const FIXTURE_STORE_IDS = { seed: '/stores/seed-rf/mlruns', ks: '/stores/kitchen-sink/mlruns' } as const;

/** A fresh index holding seed-rf and kitchen-sink (under FIXTURE_STORE_IDS), as MLflow dumped them. */
export async function fixturesIndex(): Promise<RunIndex> {
  const ix = await createRunIndex();
  ix.applySnapshot(fixtureSnapshot('seed-rf', FIXTURE_STORE_IDS.seed));
  ix.applySnapshot(fixtureSnapshot('kitchen-sink', FIXTURE_STORE_IDS.ks));
  return ix;
}
