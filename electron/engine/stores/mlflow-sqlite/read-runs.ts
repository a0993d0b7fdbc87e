// Runs with their params, tags, latest metrics, inputs and outputs (format doc 3.2, 3.3), read in
// two stages so that the SQL can run on another thread than the one building Run objects:
//   queryRunRows  the SQL: one query per child table, the rows as plain arrays (structured-clonable;
//                 the SQLite load helper thread, sqlite-load-worker.ts, runs this stage);
//   buildRuns     the rows -> Run objects, grouped in JS (no per-run queries).
// `ids` restricts a read to some runs (refresh, and the load's batches).
import type { DatasetInput, MetricPoint, Run, RunStatus } from '../../model.ts';
import { RUN_STATUSES } from '../../model.ts';
import { inIds, num, str, type Row } from './query.ts';
import { section, where, type ReadContext } from './read-context.ts';

const RUN_NAME_TAG = 'mlflow.runName';

/** A child table's rows: one JSON object per run (`json`) or one row per value. */
interface ChildRows {
  json: boolean;
  rows: Row[];
}

/** What queryRunRows read: every part as rows of SQLite values, null when the table is absent. */
export interface RunRows {
  runs: Row[];
  params: ChildRows | null;
  tags: ChildRows | null;
  latestMetrics: ChildRows | null;
  datasets: Row[] | null;
  datasetTags: Row[];
  modelLinks: Row[] | null;
}

export function lifecycle(v: string | null): 'active' | 'deleted' {
  return v === 'deleted' ? 'deleted' : 'active';
}

export function idsParam(ids: readonly string[] | null): string[] {
  return ids ? [JSON.stringify(ids)] : [];
}

/** Runs with params, tags, latest metrics, inputs and outputs. `ids` = only these runs. */
export function readRuns(ctx: ReadContext, ids: readonly string[] | null): Run[] {
  return buildRuns(ctx, queryRunRows(ctx, ids));
}

/** The SQL stage: every table a Run is made of, restricted to `ids` when given. */
export function queryRunRows(ctx: ReadContext, ids: readonly string[] | null): RunRows {
  const s = ctx.schema;
  const t = 'runs';
  const runs = section(ctx, 'runs', [] as Row[], () =>
    ctx.q.all(
      `SELECT run_uuid, ${s.col(t, 'name')}, CAST(${s.col(t, 'experiment_id')} AS TEXT), ${s.col(t, 'user_id')}, ` +
        `${s.col(t, 'status')}, ${s.numCol(t, 'start_time')}, ${s.numCol(t, 'end_time')}, ${s.col(t, 'lifecycle_stage')}, ` +
        `${s.col(t, 'artifact_uri')}, ${s.numCol(t, 'deleted_time')} FROM runs${where(ids && inIds('run_uuid'))}`,
      ...idsParam(ids),
    ),
  );
  const out: RunRows = { runs, params: null, tags: null, latestMetrics: null, datasets: null, datasetTags: [], modelLinks: null };
  if (runs.length === 0) return out;
  out.params = queryKeyValues(ctx, 'params', 'run params', ids);
  out.tags = queryKeyValues(ctx, 'tags', 'run tags', ids);
  out.latestMetrics = queryLatestMetrics(ctx, ids);
  queryInputs(ctx, ids, out);
  return out;
}

function runStatus(ctx: ReadContext, runId: string, v: string | null): RunStatus {
  if (v !== null && (RUN_STATUSES as readonly string[]).includes(v)) return v as RunStatus;
  // MLflow's CHECK constraint allows only the five names; anything else was written by hand.
  ctx.problem(`run ${runId} has an unknown status ${JSON.stringify(v)}; shown as FAILED`);
  return 'FAILED';
}

/** The build stage: rows -> Run objects (in the order of the runs rows). */
export function buildRuns(ctx: ReadContext, rows: RunRows): Run[] {
  const byId = new Map<string, Run>();
  for (const r of rows.runs) {
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
  if (rows.params) buildKeyValues(rows.params, byId, (run, v) => (run.params = v));
  if (rows.tags) buildKeyValues(rows.tags, byId, (run, v) => (run.tags = v));
  for (const run of byId.values()) {
    // SqlRun.to_mlflow_entity: the name column wins; old databases only have the tag.
    if (!run.runName) run.runName = run.tags[RUN_NAME_TAG] ?? '';
  }
  if (rows.latestMetrics) buildLatestMetrics(rows.latestMetrics, byId);
  buildInputs(rows, byId);
  return [...byId.values()];
}

function queryKeyValues(ctx: ReadContext, table: 'params' | 'tags', what: string, ids: readonly string[] | null): ChildRows | null {
  const s = ctx.schema;
  if (!s.hasColumn(table, 'key') || !s.hasColumn(table, 'run_uuid')) return null;
  if (ctx.jsonNumbersExact) {
    // One JSON object per run, built by SQLite: far fewer JS allocations than one row per value.
    const rows = section(ctx, what, [] as Row[], () =>
      ctx.q.all(
        `SELECT r.run_uuid, (SELECT json_group_object(CAST(c."key" AS TEXT), CAST(${s.colOf('c', table, 'value')} AS TEXT)) ` +
          `FROM ${table} c WHERE c.run_uuid = r.run_uuid AND c."key" IS NOT NULL) FROM runs r${where(ids && inIds('r.run_uuid'))}`,
        ...idsParam(ids),
      ),
    );
    return { json: true, rows };
  }
  const rows = section(ctx, what, [] as Row[], () =>
    ctx.q.all(
      `SELECT run_uuid, "key", CAST(${s.col(table, 'value')} AS TEXT) FROM ${table}${where(ids && inIds('run_uuid'))}`,
      ...idsParam(ids),
    ),
  );
  return { json: false, rows };
}

function buildKeyValues(child: ChildRows, byId: Map<string, Run>, assign: (run: Run, values: Record<string, string>) => void): void {
  if (child.json) {
    for (const r of child.rows) {
      const run = byId.get(str(r[0]) ?? '');
      const json = str(r[1]);
      if (!run || json === null || json === '{}') continue;
      const values = JSON.parse(json) as Record<string, string | null>;
      if (json.includes(':null')) for (const k of Object.keys(values)) values[k] ??= '';
      assign(run, values as Record<string, string>);
    }
    return;
  }
  const perRun = new Map<Run, Record<string, string>>();
  for (const r of child.rows) {
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
export function metricValue(value: Row[number] | undefined, isNan: Row[number] | undefined): number {
  if (num(isNan) === 1) return Number.NaN;
  return num(value) ?? Number.NaN;
}

function queryLatestMetrics(ctx: ReadContext, ids: readonly string[] | null): ChildRows | null {
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
    return { json: true, rows };
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
    return null;
  }
  return { json: false, rows: section(ctx, 'latest metrics', [] as Row[], () => ctx.q.all(sql, ...idsParam(ids))) };
}

function buildLatestMetrics(child: ChildRows, byId: Map<string, Run>): void {
  if (child.json) {
    for (const r of child.rows) {
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
  for (const r of child.rows) {
    const run = byId.get(str(r[0]) ?? '');
    const key = str(r[1]);
    if (!run || key === null) continue;
    setKey(run.metrics, key, { step: num(r[4]) ?? 0, timestamp: num(r[3]) ?? 0, value: metricValue(r[2], r[5]) });
  }
}

function queryInputs(ctx: ReadContext, ids: readonly string[] | null, out: RunRows): void {
  const s = ctx.schema;
  if (!s.hasColumn('inputs', 'source_type')) return;
  if (s.hasColumn('datasets', 'dataset_uuid')) {
    const d = 'datasets';
    out.datasets = section(ctx, 'dataset inputs', [] as Row[], () =>
      ctx.q.all(
        `SELECT i.destination_id, i.input_uuid, d.name, d.digest, ${s.colOf('d', d, 'dataset_source_type')}, ` +
          `${s.colOf('d', d, 'dataset_source')}, ${s.colOf('d', d, 'dataset_schema')}, ${s.colOf('d', d, 'dataset_profile')} ` +
          `FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id` +
          where("i.source_type = 'DATASET'", "i.destination_type = 'RUN'", ids && inIds('i.destination_id')),
        ...idsParam(ids),
      ),
    );
    if (out.datasets.some((r) => r[1] !== null) && s.hasColumn('input_tags', 'input_uuid')) {
      out.datasetTags = section(ctx, 'dataset input tags', [] as Row[], () =>
        ctx.q.all(
          `SELECT t.input_uuid, t.name, t.value FROM input_tags t JOIN inputs i ON i.input_uuid = t.input_uuid` +
            where("i.source_type = 'DATASET'", "i.destination_type = 'RUN'", ids && inIds('i.destination_id')),
          ...idsParam(ids),
        ),
      );
    }
  }
  // MLflow 3 model links: the run is the source of both kinds of rows, the model the destination.
  const step = s.numCol('inputs', 'step');
  out.modelLinks = section(ctx, 'model inputs and outputs', [] as Row[], () =>
    ctx.q.all(
      `SELECT source_type, source_id, destination_type, destination_id, ${step} FROM inputs` +
        where("source_type IN ('RUN_INPUT', 'RUN_OUTPUT')", ids && inIds('source_id')),
      ...idsParam(ids),
    ),
  );
}

function buildInputs(rows: RunRows, byId: Map<string, Run>): void {
  const byInput = new Map<string, DatasetInput>();
  for (const r of rows.datasets ?? []) {
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
  for (const r of rows.datasetTags) {
    const input = byInput.get(str(r[0]) ?? '');
    const name = str(r[1]);
    if (input && name !== null) input.tags[name] = str(r[2]) ?? '';
  }
  for (const r of rows.modelLinks ?? []) {
    const run = byId.get(str(r[1]) ?? '');
    const modelId = str(r[3]);
    if (!run || modelId === null) continue;
    const kind = `${str(r[0])}>${str(r[2])}`;
    if (kind === 'RUN_INPUT>MODEL_INPUT') run.inputs.models.push(modelId);
    else if (kind === 'RUN_OUTPUT>MODEL_OUTPUT') run.outputs.models.push({ modelId, step: num(r[4]) ?? 0 });
  }
}
