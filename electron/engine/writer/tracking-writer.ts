// Writes MLflow tracking data (experiments, runs, params, metrics, tags, artifacts) exactly as
// MLflow 3.5 does, into either backend, so that real MLflow — and our readers — read the result as
// their own. Used by the benchmark generator (bench/), the demo project and live tests that
// simulate a training process.
//
// File store (format doc 2.1–2.7): PyYAML-formatted meta.yaml (sorted keys, PyYAML's quoting rules,
// reproduced by `dumpYaml` below), one file per param/tag without trailing newline, metric lines
// `<ts> <value> <step>\n` appended with Python's float formatting (`pyFloat`).
// SQLite store (format doc 3.2, 3.3, 3.5): MLflow 3.5's exact schema (mlflow-3.5-schema.sql, taken
// from sqlite_master of a database MLflow created) + alembic head, one transaction per logical
// change, `latest_metrics` maintained with MLflow's (step, timestamp, value) rule and NaN/inf
// encodings.
//
// Calls for one run must be awaited in order (like one MLflow client); different runs may be
//
// This file is the writer's face; the work is in its modules:
//   types.ts         options, inputs and the TrackingWriter interface
//   file-writer.ts   the file store            sqlite-writer.ts  the SQLite store
//   run-names.ts     ids and random run names  store-files.ts    fs wrappers, atomic writes, URIs
//   py-float.ts      Python's str(float)       py-yaml.ts        PyYAML's safe_dump
export { createFileTrackingWriter } from './file-writer.ts';
export { pyFloat } from './py-float.ts';
export { dumpYaml, type YamlData, type YamlScalar } from './py-yaml.ts';
export { randomRunName } from './run-names.ts';
export { MLFLOW_SCHEMA_REVISION, createSqliteTrackingWriter, mlflowSchemaSql } from './sqlite-writer.ts';
export { localFileUri } from './store-files.ts';
export * from './types.ts';
