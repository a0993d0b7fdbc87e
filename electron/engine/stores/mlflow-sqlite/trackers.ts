// The change trackers (change-tracker.ts) of a tracking database: which tables and row hashes
// fingerprint a run and a logged model. Shared by the reader and its load helper thread, which
// must take baselines with the same specs for one to restore the other's.
import { EntityTracker, metricRowHash, textRowHash, type AppendSpec, type ChildSpec } from './change-tracker.ts';
import { quoteIdent, type Schema } from './schema.ts';

/** Fingerprints of the runs: their own row, params, tags, latest metrics and inputs. */
export function runTracker(schema: Schema): EntityTracker {
  const s = schema;
  const r = 'runs';
  const parentSql =
    `SELECT run_uuid, json_array(${s.col(r, 'name')}, CAST(${s.col(r, 'experiment_id')} AS TEXT), ${s.col(r, 'user_id')}, ` +
    `${s.col(r, 'status')}, ${s.numCol(r, 'start_time')}, ${s.numCol(r, 'end_time')}, ${s.col(r, 'lifecycle_stage')}, ` +
    `${s.col(r, 'artifact_uri')}, ${s.numCol(r, 'deleted_time')}) FROM runs`;
  const specs: ChildSpec[] = [];
  const appends: AppendSpec[] = [];
  const simple = (table: string, rowHash: string | null): ChildSpec => ({
    table,
    owner: 'run_uuid',
    ownerColumns: ['run_uuid'],
    where: null,
    rowHash,
    hasRowid: s.hasRowid(table),
  });
  if (s.hasColumn('params', 'run_uuid')) specs.push(simple('params', null));
  if (s.hasColumn('tags', 'run_uuid')) specs.push(simple('tags', textRowHash('key', 'value')));
  const lm = 'latest_metrics';
  if (s.hasColumn(lm, 'run_uuid')) {
    specs.push(simple(lm, metricRowHash(s.col(lm, 'timestamp'), s.col(lm, 'step'), 'value', s.col(lm, 'is_nan', '0'))));
    if (s.hasColumn('metrics', 'run_uuid')) appends.push({ table: 'metrics', owner: 'run_uuid', hasRowid: s.hasRowid('metrics') });
  } else if (s.hasColumn('metrics', 'run_uuid')) {
    specs.push(simple('metrics', null));
  }
  if (s.hasColumn('inputs', 'destination_id')) {
    specs.push({
      table: 'inputs',
      owner: "CASE WHEN source_type = 'DATASET' THEN destination_id ELSE source_id END",
      ownerColumns: ['destination_id', 'source_id'],
      where: "(source_type = 'DATASET' AND destination_type = 'RUN') OR source_type IN ('RUN_INPUT', 'RUN_OUTPUT')",
      rowHash: null,
      hasRowid: s.hasRowid('inputs'),
    });
  }
  return new EntityTracker(parentSql, specs, appends);
}

/** Fingerprints of the logged models (none before MLflow 3.0). */
export function modelTracker(schema: Schema): EntityTracker | null {
  const s = schema;
  const t = 'logged_models';
  if (!s.hasColumn(t, 'model_id')) return null;
  const cols = [
    'experiment_id',
    'name',
    'artifact_location',
    'creation_timestamp_ms',
    'last_updated_timestamp_ms',
    'status',
    'lifecycle_stage',
    'model_type',
    'source_run_id',
    'status_message',
  ].map((c) => `CAST(${s.col(t, c)} AS TEXT)`);
  const specs: ChildSpec[] = [];
  for (const [table, hash] of [
    ['logged_model_params', null],
    ['logged_model_tags', textRowHash('tag_key', 'tag_value')],
    ['logged_model_metrics', null],
  ] as const) {
    if (!s.hasColumn(table, 'model_id')) continue;
    specs.push({
      table,
      owner: 'model_id',
      ownerColumns: ['model_id'],
      where: null,
      rowHash: table === 'logged_model_tags' && !s.hasColumn(table, 'tag_value') ? null : hash,
      hasRowid: s.hasRowid(table),
    });
  }
  return new EntityTracker(`SELECT model_id, json_array(${cols.join(', ')}) FROM ${quoteIdent(t)}`, specs, []);
}
