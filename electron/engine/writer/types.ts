// The tracking writer's options and results, shared by the file-store and SQLite writers.
import type { RunStatus } from '../model.ts';

export interface WriterOptions {
  /** Source of randomness for ids and run names (seed it for reproducible stores). */
  random?: () => number;
  /** Clock in epoch ms (default Date.now). */
  now?: () => number;
  /**
   * SQLite only: `false` sets `PRAGMA synchronous = OFF` for this connection (a per-connection
   * setting, nothing is stored in the file). For bulk generation; a crash may then corrupt the db.
   */
  durable?: boolean;
  /**
   * File store only: do each write with a blocking call instead of a libuv thread-pool round trip.
   * Several times faster for bulk generation on a local disk (the generator uses it), but it
   * blocks the event loop during each call: not for a process that must stay responsive.
   */
  blockingIo?: boolean;
}

export interface CreateExperimentOptions {
  /** Explicit artifact location URI; default: `<store root>/<experiment id>` (format doc 1.6). */
  artifactLocation?: string;
  tags?: Record<string, string>;
  creationTime?: number;
}

export interface CreateRunOptions {
  experimentId: string;
  /** Default: MLflow-style random `adjective-animal-NNN`. */
  runName?: string;
  /** `mlflow.user` + user_id; default: the OS user, as MLflow's fluent API does. */
  userId?: string;
  /** `mlflow.source.name`; default: the running script. */
  sourceName?: string;
  /** `mlflow.source.type`; default LOCAL. */
  sourceType?: string;
  startTime?: number;
  /** RUNNING (default, what `mlflow.start_run` creates) or SCHEDULED. */
  status?: 'RUNNING' | 'SCHEDULED';
  /** More tags, written after the system tags (they may override them, as in MLflow). */
  tags?: Record<string, string>;
  /** Explicit run id (32 hex chars); default random. */
  runId?: string;
}

export interface MetricInput {
  key: string;
  value: number;
  step?: number;
  /** Default: now. */
  timestamp?: number;
}

export interface LogBatch {
  params?: Record<string, string>;
  metrics?: MetricInput[];
  tags?: Record<string, string>;
}

export interface CreatedRun {
  runId: string;
  experimentId: string;
  artifactUri: string;
}

export interface TrackingWriter {
  readonly kind: 'file' | 'sqlite';
  /** file: the mlruns folder; sqlite: the database file. */
  readonly path: string;
  createExperiment(name: string, options?: CreateExperimentOptions): Promise<string>;
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;
  createRun(options: CreateRunOptions): Promise<CreatedRun>;
  /** Params are immutable: re-logging the same value is a no-op, another value throws (as MLflow). */
  logParam(runId: string, key: string, value: string): Promise<void>;
  logMetric(runId: string, key: string, value: number, step?: number, timestamp?: number): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  /** Params, then metrics, then tags — MLflow's log_batch order — in one transaction (SQLite). */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  endRun(runId: string, status?: RunStatus, endTime?: number): Promise<void>;
  /** Writes bytes to `<run artifact dir>/<artifactPath>` (local artifact locations only). */
  logArtifact(runId: string, artifactPath: string, data: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export class TrackingWriteError extends Error {}
