// Experiments and logged models from the tracking tables (format doc 3.2, 3.3); the runs are
// read-runs.ts. Each child table is read with one query and grouped in JS (no per-run queries);
// `ids` restricts a read to some models for refresh.
import type { Experiment, LoggedModel, LoggedModelMetric, LoggedModelStatus, MetricPoint } from '../../model.ts';
import { inIds, num, str, type Row } from './query.ts';
import { section, where, type ReadContext } from './read-context.ts';
import { idsParam, lifecycle, metricValue } from './read-runs.ts';

export { readRuns } from './read-runs.ts';

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
