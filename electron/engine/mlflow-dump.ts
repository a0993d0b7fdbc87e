// `runsight dump`: a store in exactly the shape of the fixtures' expected-runs.json /
// expected-registry.json, which MLflow's own client produced (MlflowClient.get_run,
// get_logged_model, get_model_version). Keys, nesting, ordering and value encodings follow that
// dump so the golden tests can compare structurally; it is also the user's "export everything".
import type {
  ArtifactEntry,
  DatasetInput,
  Experiment,
  LoggedModel,
  MetricPoint,
  ModelVersion,
  RegisteredModel,
  Run,
  StoreSnapshot,
} from './model.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** What a dump needs beyond the snapshot: histories and artifact listings, read on demand. */
export interface DumpSources {
  getMetricHistory(runId: string, key: string): Promise<MetricPoint[]>;
  /** Recursive listing of a run's artifacts, or an error entry when unavailable. */
  listRunArtifacts(run: Run): Promise<ArtifactEntry[] | { error: string }>;
  listModelArtifacts(model: LoggedModel): Promise<ArtifactEntry[] | { error: string }>;
}

/** JSON has no NaN/Infinity: the dumper writes them as strings (fixtures README). */
export function encodeNumber(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Experiment ids are decimal strings of any length: order by length first, then text. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || byString(a, b);
}

/** Python's sort of [step, timestamp, value] lists, the order MLflow's dump uses. */
export function compareHistory(a: MetricPoint, b: MetricPoint): number {
  return a.step - b.step || a.timestamp - b.timestamp || compareNumbers(a.value, b.value);
}

function compareNumbers(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) === Number.isNaN(b) ? 0 : Number.isNaN(a) ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedRecord(rec: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(rec).sort(byString)) out[k] = rec[k] as string;
  return out;
}

function artifactsJson(list: ArtifactEntry[] | { error: string }): JsonValue[] {
  if (!Array.isArray(list)) return [{ error: list.error }];
  return [...list]
    .sort((a, b) => byString(a.path, b.path))
    .map((e): JsonValue =>
      e.isDir ? { is_dir: true, path: e.path.endsWith('/') ? e.path : `${e.path}/` } : { path: e.path, size: e.size },
    );
}

function datasetJson(d: DatasetInput): JsonValue {
  return {
    digest: d.digest,
    name: d.name,
    profile: d.profile,
    schema: d.schema,
    source: d.source,
    source_type: d.sourceType,
    tags: sortedRecord(d.tags),
  };
}

async function runJson(run: Run, src: DumpSources): Promise<JsonValue> {
  const metricKeys = Object.keys(run.metrics).sort(byString);
  const metrics: Record<string, JsonValue> = {};
  const history: Record<string, JsonValue> = {};
  for (const key of metricKeys) {
    metrics[key] = encodeNumber((run.metrics[key] as MetricPoint).value);
    const points = [...(await src.getMetricHistory(run.runId, key))].sort(compareHistory);
    history[key] = points.map((p) => [p.step, p.timestamp, encodeNumber(p.value)]);
  }
  const datasets = [...run.inputs.datasets].sort((a, b) => byString(a.name, b.name) || byString(a.digest, b.digest));
  const outputs = [...run.outputs.models].sort((a, b) => a.step - b.step || byString(a.modelId, b.modelId));
  return {
    artifact_uri: run.artifactUri,
    artifacts: artifactsJson(await src.listRunArtifacts(run)),
    end_time: run.endTime,
    experiment_id: run.experimentId,
    inputs: { datasets: datasets.map(datasetJson), models: [...run.inputs.models].sort(byString) },
    lifecycle_stage: run.lifecycleStage,
    metric_history: history,
    metrics,
    outputs: { models: outputs.map((o) => ({ model_id: o.modelId, step: o.step })) },
    params: sortedRecord(run.params),
    run_id: run.runId,
    run_name: run.runName,
    start_time: run.startTime,
    status: run.status,
    tags: sortedRecord(run.tags),
    user_id: run.userId,
  };
}

async function loggedModelJson(m: LoggedModel, src: DumpSources): Promise<JsonValue> {
  const metrics = [...m.metrics].sort(
    (a, b) => byString(a.key, b.key) || byString(a.datasetName ?? '', b.datasetName ?? '') || a.step - b.step,
  );
  return {
    artifact_location: m.artifactLocation,
    artifacts: artifactsJson(await src.listModelArtifacts(m)),
    creation_timestamp: m.creationTimestamp,
    experiment_id: m.experimentId,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    metrics: metrics.map((x) => ({
      dataset_digest: x.datasetDigest,
      dataset_name: x.datasetName,
      key: x.key,
      run_id: x.runId,
      step: x.step,
      timestamp: x.timestamp,
      value: encodeNumber(x.value),
    })),
    model_id: m.modelId,
    model_type: m.modelType,
    name: m.name,
    params: sortedRecord(m.params),
    source_run_id: m.sourceRunId,
    status: m.status,
    status_message: m.statusMessage,
    tags: sortedRecord(m.tags),
  };
}

function compareStartTime(a: Run, b: Run): number {
  return (a.startTime ?? 0) - (b.startTime ?? 0) || byString(a.runId, b.runId);
}

/** expected-runs.json shape (without the dumper's own metadata keys). */
export async function dumpRuns(snap: StoreSnapshot, src: DumpSources): Promise<JsonValue> {
  const experiments = [...snap.experiments].sort((a, b) => compareIds(a.experimentId, b.experimentId));
  const out: JsonValue[] = [];
  for (const exp of experiments) out.push(await experimentJson(exp, snap, src));
  return { experiments: out };
}

async function experimentJson(exp: Experiment, snap: StoreSnapshot, src: DumpSources): Promise<JsonValue> {
  const runs = snap.runs.filter((r) => r.experimentId === exp.experimentId).sort(compareStartTime);
  // MLflow's search_logged_models hides deleted logged models.
  const models = snap.loggedModels
    .filter((m) => m.experimentId === exp.experimentId && m.lifecycleStage !== 'deleted')
    .sort((a, b) => (a.creationTimestamp ?? 0) - (b.creationTimestamp ?? 0) || byString(a.modelId, b.modelId));
  const runsJson: JsonValue[] = [];
  for (const r of runs) runsJson.push(await runJson(r, src));
  const modelsJson: JsonValue[] = [];
  for (const m of models) modelsJson.push(await loggedModelJson(m, src));
  return {
    artifact_location: exp.artifactLocation,
    creation_time: exp.creationTime,
    experiment_id: exp.experimentId,
    last_update_time: exp.lastUpdateTime,
    lifecycle_stage: exp.lifecycleStage,
    logged_models: modelsJson,
    name: exp.name,
    runs: runsJson,
    tags: sortedRecord(exp.tags),
  };
}

/** Version tags MLflow's prompt API strips from what it returns. */
const PROMPT_INTERNAL_TAGS = new Set(['mlflow.prompt.is_prompt', 'mlflow.prompt.text', '_mlflow_prompt_type']);

function visibleVersions(m: RegisteredModel): ModelVersion[] {
  return m.versions.filter((v) => v.currentStage !== 'Deleted_Internal').sort((a, b) => a.version - b.version);
}

/**
 * MLflow's latest_versions: per stage, the highest version number in that stage.
 * Listed in stage order of first appearance by version, as MLflow's dump shows them.
 */
export function latestVersions(m: RegisteredModel): ModelVersion[] {
  const best = new Map<string, ModelVersion>();
  for (const v of visibleVersions(m)) {
    const cur = best.get(v.currentStage);
    if (!cur || v.version > cur.version) best.set(v.currentStage, v);
  }
  return [...best.values()].sort((a, b) => a.version - b.version);
}

function versionJson(v: ModelVersion, m: RegisteredModel): JsonValue {
  const aliases = Object.entries(m.aliases)
    .filter(([, n]) => n === v.version)
    .map(([a]) => a)
    .sort(byString);
  return {
    aliases,
    creation_timestamp: v.creationTimestamp,
    current_stage: v.currentStage,
    description: v.description,
    download_uri: v.storageLocation ?? v.source,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    model_id: v.modelId,
    run_id: v.runId,
    run_link: v.runLink,
    source: v.source,
    status: v.status,
    status_message: v.statusMessage,
    tags: sortedRecord(v.tags),
    user_id: v.userId,
    version: v.version,
  };
}

/** expected-registry.json shape (without the dumper's own metadata keys). */
export function dumpRegistry(registry: RegisteredModel[]): JsonValue {
  const models = registry.filter((m) => !m.isPrompt).sort((a, b) => byString(a.name, b.name));
  const prompts = registry.filter((m) => m.isPrompt).sort((a, b) => byString(a.name, b.name));
  const out: { [k: string]: JsonValue } = {
    registered_models: models.map((m) => ({
      aliases: Object.fromEntries(Object.entries(m.aliases).sort(([a], [b]) => byString(a, b))),
      creation_timestamp: m.creationTimestamp,
      description: m.description,
      last_updated_timestamp: m.lastUpdatedTimestamp,
      latest_versions: latestVersions(m).map((v) => ({ current_stage: v.currentStage, version: v.version })),
      name: m.name,
      tags: sortedRecord(m.tags),
      versions: visibleVersions(m).map((v) => versionJson(v, m)),
    })),
  };
  if (prompts.length > 0) {
    out.prompts = prompts.map((p) => ({
      name: p.name,
      tags: sortedRecord(Object.fromEntries(Object.entries(p.tags).filter(([k]) => !PROMPT_INTERNAL_TAGS.has(k)))),
      versions: visibleVersions(p).map((v) => ({
        commit_message: v.description,
        tags: sortedRecord(Object.fromEntries(Object.entries(v.tags).filter(([k]) => !PROMPT_INTERNAL_TAGS.has(k)))),
        template: v.tags['mlflow.prompt.text'] ?? null,
        version: v.version,
      })),
    }));
  }
  return out;
}
