// Experiments, runs and logged models from the tracking tables (format doc 3.2, 3.3).
// Each child table is read with one query and grouped in JS (no per-run queries); `ids`
// restricts a read to some runs / models for refresh.
import type {
  DatasetInput,
  Experiment,
  LoggedModel,
  LoggedModelMetric,
  LoggedModelStatus,
  MetricPoint,
  Run,
  RunStatus,
} from '../../model.ts';
import { RUN_STATUSES } from '../../model.ts';
import { inIds, num, str, type Row } from './query.ts';
import { section, where, type ReadContext } from './read-context.ts';

const RUN_NAME_TAG = 'mlflow.runName';

function lifecycle(v: string | null): 'active' | 'deleted' {
  return v === 'deleted' ? 'deleted' : 'active';
}

function idsParam(ids: readonly string[] | null): string[] {
  return ids ? [JSON.stringify(ids)] : [];
}

export function readExperiments(ctx: ReadContext): Experiment[] {
  const s = ctx.schema;
  const t = 'experiments';
  const rows = section(ctx, 'experiments', [] as Row[], () =>
    ctx.q.all(
      `SELECT CAST(experiment_id AS TEXT), ${s.col(t, 'name')}, ${s.col(t, 'artifact_location')}, ` +
        `${s.col(t, 'lifecycle_stage')}, ${s.numCol(t, 'creation_time')}, ${s.numCol(t, 'last_update_time')} FROM experiments`,
    ),
  );
  const byId = new Map<string, Experiment>();
  for (const r of rows) {
    const id = str(r[0]);
    if (id === null) continue;
    byId.set(id, {
      experimentId: id,
      name: str(r[1]) ?? '',
      artifactLocation: str(r[2]) ?? '',
      lifecycleStage: lifecycle(str(r[3])),
      creationTime: num(r[4]),
      lastUpdateTime: num(r[5]),
      tags: {},
    });
  }
  if (s.hasColumn('experiment_tags', 'key')) {
    const tagRows = section(ctx, 'experiment tags', [] as Row[], () =>
      ctx.q.all(`SELECT CAST(experiment_id AS TEXT), "key", ${s.col('experiment_tags', 'value')} FROM experiment_tags`),
    );
    for (const r of tagRows) {
      const exp = byId.get(str(r[0]) ?? '');
      const key = str(r[1]);
      if (exp && key !== null) exp.tags[key] = str(r[2]) ?? '';
    }
  }
  return [...byId.values()];
}

function runStatus(ctx: ReadContext, runId: string, v: string | null): RunStatus {
  if (v !== null && (RUN_STATUSES as readonly string[]).includes(v)) return v as RunStatus;
  // MLflow's CHECK constraint allows only the five names; anything else was written by hand.
  ctx.problem(`run ${runId} has an unknown status ${JSON.stringify(v)}; shown as FAILED`);
  return 'FAILED';
}

/** Runs with params, tags, latest metrics, inputs and outputs. `ids` = only these runs. */
export function readRuns(ctx: ReadContext, ids: readonly string[] | null): Run[] {
  const s = ctx.schema;
  const t = 'runs';
  const p = idsParam(ids);
  const rows = section(ctx, 'runs', [] as Row[], () =>
    ctx.q.all(
      `SELECT run_uuid, ${s.col(t, 'name')}, CAST(${s.col(t, 'experiment_id')} AS TEXT), ${s.col(t, 'user_id')}, ` +
        `${s.col(t, 'status')}, ${s.numCol(t, 'start_time')}, ${s.numCol(t, 'end_time')}, ${s.col(t, 'lifecycle_stage')}, ` +
        `${s.col(t, 'artifact_uri')}, ${s.numCol(t, 'deleted_time')} FROM runs${where(ids && inIds('run_uuid'))}`,
      ...p,
    ),
  );
  const byId = new Map<string, Run>();
  for (const r of rows) {
    const runId = str(r[0]);
    if (runId === null) continue;
    byId.set(runId, {
      runId,
      experimentId: str(r[2]) ?? '',
      runName: str(r[1]) ?? '',
      status: runStatus(ctx, runId, str(r[4])),
      startTime: num(r[5]),
      endTime: num(r[6]),
      lifecycleStage: lifecycle(str(r[7])),
      userId: str(r[3]) ?? '',
      artifactUri: str(r[8]) ?? '',
      deletedTime: num(r[9]),
      params: {},
      tags: {},
      metrics: {},
      inputs: { datasets: [], models: [] },
      outputs: { models: [] },
    });
  }
  if (byId.size === 0) return [];

  readKeyValues(ctx, 'params', 'run params', ids, byId, (run, v) => (run.params = v));
  readKeyValues(ctx, 'tags', 'run tags', ids, byId, (run, v) => (run.tags = v));
  for (const run of byId.values()) {
    // SqlRun.to_mlflow_entity: the name column wins; old databases only have the tag.
    if (!run.runName) run.runName = run.tags[RUN_NAME_TAG] ?? '';
  }
  readLatestMetrics(ctx, ids, byId);
  readInputs(ctx, ids, byId);
  return [...byId.values()];
}

function readKeyValues(
  ctx: ReadContext,
  table: 'params' | 'tags',
  what: string,
  ids: readonly string[] | null,
  byId: Map<string, Run>,
  assign: (run: Run, values: Record<string, string>) => void,
): void {
  const s = ctx.schema;
  if (!s.hasColumn(table, 'key') || !s.hasColumn(table, 'run_uuid')) return;
  if (ctx.jsonNumbersExact) {
    // One JSON object per run, built by SQLite: far fewer JS allocations than one row per value.
    const rows = section(ctx, what, [] as Row[], () =>
      ctx.q.all(
        `SELECT r.run_uuid, (SELECT json_group_object(CAST(c."key" AS TEXT), CAST(${s.colOf('c', table, 'value')} AS TEXT)) ` +
          `FROM ${table} c WHERE c.run_uuid = r.run_uuid AND c."key" IS NOT NULL) FROM runs r${where(ids && inIds('r.run_uuid'))}`,
        ...idsParam(ids),
      ),
    );
    for (const r of rows) {
      const run = byId.get(str(r[0]) ?? '');
      const json = str(r[1]);
      if (!run || json === null || json === '{}') continue;
      const values = JSON.parse(json) as Record<string, string | null>;
      if (json.includes(':null')) for (const k of Object.keys(values)) values[k] ??= '';
      assign(run, values as Record<string, string>);
    }
    return;
  }
  const rows = section(ctx, what, [] as Row[], () =>
    ctx.q.all(
      `SELECT run_uuid, "key", CAST(${s.col(table, 'value')} AS TEXT) FROM ${table}${where(ids && inIds('run_uuid'))}`,
      ...idsParam(ids),
    ),
  );
  const perRun = new Map<Run, Record<string, string>>();
  for (const r of rows) {
    const run = byId.get(str(r[0]) ?? '');
    const key = str(r[1]);
    if (!run || key === null) continue;
    let values = perRun.get(run);
    if (!values) perRun.set(run, (values = {}));
    setKey(values, key, str(r[2]) ?? '');
  }
  for (const [run, values] of perRun) assign(run, values);
}

/** Plain assignment would turn a key named __proto__ into a prototype change. */
function setKey<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** NaN is stored as value 0 with is_nan = 1 (format doc 3.3); a NULL value can only mean NaN. */
function metricValue(value: Row[number] | undefined, isNan: Row[number] | undefined): number {
  if (num(isNan) === 1) return Number.NaN;
  return num(value) ?? Number.NaN;
}

function readLatestMetrics(ctx: ReadContext, ids: readonly string[] | null, byId: Map<string, Run>): void {
  const s = ctx.schema;
  const t = 'latest_metrics';
  if (s.hasColumn(t, 'key') && ctx.jsonNumbersExact) {
    const entry =
      `json_array(CAST(c.value AS REAL), ${s.numColOf('c', t, 'timestamp')}, ${s.numColOf('c', t, 'step')}, ` +
      `${s.colOf('c', t, 'is_nan', '(0)')})`;
    const rows = section(ctx, 'latest metrics', [] as Row[], () =>
      ctx.q.all(
        `SELECT r.run_uuid, (SELECT json_group_object(CAST(c."key" AS TEXT), ${entry}) FROM ${t} c ` +
          `WHERE c.run_uuid = r.run_uuid AND c."key" IS NOT NULL) FROM runs r${where(ids && inIds('r.run_uuid'))}`,
        ...idsParam(ids),
      ),
    );
    for (const r of rows) {
      const run = byId.get(str(r[0]) ?? '');
      const json = str(r[1]);
      if (!run || json === null || json === '{}') continue;
      // [value, timestamp, step, is_nan]; SQLite writes ±inf as 9.0e+999, which JSON.parse reads as ±Infinity.
      const raw = JSON.parse(json) as Record<string, [number | null, number | null, number | null, number | null]>;
      const metrics: Record<string, MetricPoint> = {};
      for (const key of Object.keys(raw)) {
        const [value, timestamp, step, isNan] = raw[key] as [number | null, number | null, number | null, number | null];
        setKey(metrics, key, { step: step ?? 0, timestamp: timestamp ?? 0, value: isNan === 1 || value === null ? Number.NaN : value });
      }
      run.metrics = metrics;
    }
    return;
  }
  let sql: string;
  if (s.hasColumn(t, 'key')) {
    sql =
      `SELECT run_uuid, "key", CAST(value AS REAL), ${s.numCol(t, 'timestamp')}, ${s.numCol(t, 'step')}, ${s.col(t, 'is_nan', '(0)')} ` +
      `FROM ${t}${where(ids && inIds('run_uuid'))}`;
  } else if (s.hasColumn('metrics', 'key')) {
    // Databases older than the latest_metrics migration: the same rule computed on read (1.5).
    const m = 'metrics';
    const step = s.numCol(m, 'step');
    const isNan = s.col(m, 'is_nan', '(0)');
    sql =
      `SELECT run_uuid, k, value, ts, st, nan FROM (SELECT run_uuid, "key" AS k, CAST(value AS REAL) AS value, ` +
      `${s.numCol(m, 'timestamp')} AS ts, ${step === 'NULL' ? '0' : step} AS st, ${isNan} AS nan, ` +
      `row_number() OVER (PARTITION BY run_uuid, "key" ORDER BY ${step === 'NULL' ? '' : `${step} DESC, `}` +
      `timestamp DESC, ${isNan} ASC, value DESC) AS rn FROM ${m}${where(ids && inIds('run_uuid'))}) WHERE rn = 1`;
  } else {
    return;
  }
  const rows = section(ctx, 'latest metrics', [] as Row[], () => ctx.q.all(sql, ...idsParam(ids)));
  for (const r of rows) {
    const run = byId.get(str(r[0]) ?? '');
    const key = str(r[1]);
    if (!run || key === null) continue;
    setKey(run.metrics, key, { step: num(r[4]) ?? 0, timestamp: num(r[3]) ?? 0, value: metricValue(r[2], r[5]) });
  }
}

function readInputs(ctx: ReadContext, ids: readonly string[] | null, byId: Map<string, Run>): void {
  const s = ctx.schema;
  if (!s.hasColumn('inputs', 'source_type')) return;
  if (s.hasColumn('datasets', 'dataset_uuid')) {
    const d = 'datasets';
    const rows = section(ctx, 'dataset inputs', [] as Row[], () =>
      ctx.q.all(
        `SELECT i.destination_id, i.input_uuid, d.name, d.digest, ${s.colOf('d', d, 'dataset_source_type')}, ` +
          `${s.colOf('d', d, 'dataset_source')}, ${s.colOf('d', d, 'dataset_schema')}, ${s.colOf('d', d, 'dataset_profile')} ` +
          `FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id` +
          where("i.source_type = 'DATASET'", "i.destination_type = 'RUN'", ids && inIds('i.destination_id')),
        ...idsParam(ids),
      ),
    );
    const byInput = new Map<string, DatasetInput>();
    for (const r of rows) {
      const run = byId.get(str(r[0]) ?? '');
      if (!run) continue;
      const input: DatasetInput = {
        name: str(r[2]) ?? '',
        digest: str(r[3]) ?? '',
        sourceType: str(r[4]) ?? '',
        source: str(r[5]) ?? '',
        schema: str(r[6]),
        profile: str(r[7]),
        tags: {},
      };
      run.inputs.datasets.push(input);
      const inputId = str(r[1]);
      if (inputId !== null) byInput.set(inputId, input);
    }
    if (byInput.size > 0 && s.hasColumn('input_tags', 'input_uuid')) {
      const tagRows = section(ctx, 'dataset input tags', [] as Row[], () =>
        ctx.q.all(
          `SELECT t.input_uuid, t.name, t.value FROM input_tags t JOIN inputs i ON i.input_uuid = t.input_uuid` +
            where("i.source_type = 'DATASET'", "i.destination_type = 'RUN'", ids && inIds('i.destination_id')),
          ...idsParam(ids),
        ),
      );
      for (const r of tagRows) {
        const input = byInput.get(str(r[0]) ?? '');
        const name = str(r[1]);
        if (input && name !== null) input.tags[name] = str(r[2]) ?? '';
      }
    }
  }
  // MLflow 3 model links: the run is the source of both kinds of rows, the model the destination.
  const step = s.numCol('inputs', 'step');
  const rows = section(ctx, 'model inputs and outputs', [] as Row[], () =>
    ctx.q.all(
      `SELECT source_type, source_id, destination_type, destination_id, ${step} FROM inputs` +
        where("source_type IN ('RUN_INPUT', 'RUN_OUTPUT')", ids && inIds('source_id')),
      ...idsParam(ids),
    ),
  );
  for (const r of rows) {
    const run = byId.get(str(r[1]) ?? '');
    const modelId = str(r[3]);
    if (!run || modelId === null) continue;
    const kind = `${str(r[0])}>${str(r[2])}`;
    if (kind === 'RUN_INPUT>MODEL_INPUT') run.inputs.models.push(modelId);
    else if (kind === 'RUN_OUTPUT>MODEL_OUTPUT') run.outputs.models.push({ modelId, step: num(r[4]) ?? 0 });
  }
}

const MODEL_STATUS: Record<number, LoggedModelStatus> = { 0: 'UNSPECIFIED', 1: 'PENDING', 2: 'READY', 3: 'FAILED' };

/** MLflow 3 logged models (absent before MLflow 3.0). `ids` = only these models. */
export function readLoggedModels(ctx: ReadContext, ids: readonly string[] | null): LoggedModel[] {
  const s = ctx.schema;
  const t = 'logged_models';
  if (!s.hasColumn(t, 'model_id')) return [];
  const p = idsParam(ids);
  const filter = where(ids && inIds('model_id'));
  const rows = section(ctx, 'logged models', [] as Row[], () =>
    ctx.q.all(
      `SELECT model_id, CAST(${s.col(t, 'experiment_id')} AS TEXT), ${s.col(t, 'name')}, ${s.col(t, 'artifact_location')}, ` +
        `${s.numCol(t, 'creation_timestamp_ms')}, ${s.numCol(t, 'last_updated_timestamp_ms')}, ${s.numCol(t, 'status')}, ` +
        `${s.col(t, 'lifecycle_stage')}, ${s.col(t, 'model_type')}, ${s.col(t, 'source_run_id')}, ${s.col(t, 'status_message')} ` +
        `FROM logged_models${filter}`,
      ...p,
    ),
  );
  const byId = new Map<string, LoggedModel>();
  for (const r of rows) {
    const modelId = str(r[0]);
    if (modelId === null) continue;
    byId.set(modelId, {
      modelId,
      experimentId: str(r[1]) ?? '',
      name: str(r[2]) ?? '',
      artifactLocation: str(r[3]) ?? '',
      creationTimestamp: num(r[4]),
      lastUpdatedTimestamp: num(r[5]),
      modelType: str(r[8]),
      sourceRunId: str(r[9]),
      status: MODEL_STATUS[num(r[6]) ?? 0] ?? 'UNSPECIFIED',
      statusMessage: str(r[10]),
      lifecycleStage: lifecycle(str(r[7])),
      params: {},
      tags: {},
      metrics: [],
    });
  }
  if (byId.size === 0) return [];

  for (const [table, keyCol, valCol, target] of [
    ['logged_model_params', 'param_key', 'param_value', (m: LoggedModel) => m.params],
    ['logged_model_tags', 'tag_key', 'tag_value', (m: LoggedModel) => m.tags],
  ] as const) {
    if (!s.hasColumn(table, keyCol)) continue;
    const kv = section(ctx, table.replace(/_/g, ' '), [] as Row[], () =>
      ctx.q.all(`SELECT model_id, ${keyCol}, ${s.col(table, valCol)} FROM ${table}${filter}`, ...p),
    );
    for (const r of kv) {
      const model = byId.get(str(r[0]) ?? '');
      const key = str(r[1]);
      if (model && key !== null) target(model)[key] = str(r[2]) ?? '';
    }
  }

  const mt = 'logged_model_metrics';
  if (s.hasColumn(mt, 'metric_name')) {
    const metricRows = section(ctx, 'logged model metrics', [] as Row[], () =>
      ctx.q.all(
        `SELECT model_id, metric_name, ${s.numCol(mt, 'metric_timestamp_ms')}, ${s.numCol(mt, 'metric_step')}, ` +
          `${s.col(mt, 'metric_value')}, ${s.col(mt, 'run_id')}, ${s.col(mt, 'dataset_name')}, ${s.col(mt, 'dataset_digest')} ` +
          `FROM ${mt}${filter}`,
        ...p,
      ),
    );
    const latest = new Map<string, Map<string, LoggedModelMetric>>();
    for (const r of metricRows) {
      const modelId = str(r[0]);
      const key = str(r[1]);
      if (modelId === null || key === null || !byId.has(modelId)) continue;
      // SQLite stores NaN as NULL (this table has no is_nan column).
      const m: LoggedModelMetric = {
        key,
        value: num(r[4]) ?? Number.NaN,
        step: num(r[3]) ?? 0,
        timestamp: num(r[2]) ?? 0,
        runId: str(r[5]),
        datasetName: str(r[6]),
        datasetDigest: str(r[7]),
      };
      let perModel = latest.get(modelId);
      if (!perModel) latest.set(modelId, (perModel = new Map()));
      const slot = JSON.stringify([key, m.datasetName, m.datasetDigest]);
      const cur = perModel.get(slot);
      if (!cur || isLater(m, cur)) perModel.set(slot, m);
    }
    for (const [modelId, perModel] of latest) {
      const model = byId.get(modelId);
      if (model) model.metrics = [...perModel.values()];
    }
  }
  return [...byId.values()];
}

/** "Latest" = highest step, then timestamp, then value (format doc 1.5); NaN ranks lowest. */
function isLater(a: { step: number; timestamp: number; value: number }, b: typeof a): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  if (Number.isNaN(b.value)) return !Number.isNaN(a.value);
  return a.value > b.value;
}

/** Full history of one metric, in insertion order (rowid) when the table has one. */
export function readMetricHistory(ctx: ReadContext, runId: string, key: string): MetricPoint[] {
  const s = ctx.schema;
  const t = 'metrics';
  if (!s.hasColumn(t, 'key') || !s.hasColumn(t, 'run_uuid')) return [];
  const step = s.numCol(t, 'step');
  const rows = ctx.q.all(
    `SELECT ${step}, ${s.numCol(t, 'timestamp')}, value, ${s.col(t, 'is_nan', '(0)')} FROM metrics ` +
      `WHERE run_uuid = ? AND "key" = ?${s.hasRowid(t) ? ' ORDER BY rowid' : ''}`,
    runId,
    key,
  );
  return rows.map((r) => ({ step: num(r[0]) ?? 0, timestamp: num(r[1]) ?? 0, value: metricValue(r[2], r[3]) }));
}
