// The file-store writer (format doc 2.1–2.7): PyYAML-formatted meta.yaml, one file per param and
// tag without a trailing newline, metric lines appended with Python's float formatting.
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { RunStatus } from '../model.ts';
import { dumpYaml, type YamlData } from './py-yaml.ts';
import { defaultSourceName, defaultUser, experimentIdFrom, randomRunName, RUN_ID_RE, runIdFrom } from './run-names.ts';
import { appendToUri, artifactTarget, asyncFs, blockingFs, isErrno, keyPath, localFileUri, metricLine, writeAtomic } from './store-files.ts';
import { TrackingWriteError, type CreateExperimentOptions, type MetricInput, type TrackingWriter, type WriterOptions } from './types.ts';

/** MLflow's run status enum as stored in the file store's meta.yaml (format doc 1.3). */
const FILE_STATUS: Record<RunStatus, number> = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 };

interface FileRunMeta {
  artifact_uri: string;
  end_time: number | null;
  entry_point_name: string;
  experiment_id: string;
  lifecycle_stage: string;
  run_id: string;
  run_name: string;
  source_name: string;
  source_type: number;
  source_version: string;
  start_time: number;
  status: number;
  tags: never[];
  user_id: string;
  [key: string]: YamlData;
}

interface FileRunState {
  dir: string;
  meta: FileRunMeta;
}

export async function createFileTrackingWriter(mlrunsDir: string, options: WriterOptions = {}): Promise<TrackingWriter> {
  const root = path.resolve(mlrunsDir);
  const now = options.now ?? Date.now;
  const random = options.random;
  const runs = new Map<string, FileRunState>();
  const fs = options.blockingIo ? blockingFs : asyncFs;

  // What MLflow's FileStore does on first use: the root, `.trash/`, the Default experiment "0";
  // the registry store adds `models/` (format doc 2.1).
  await fs.mkdir(path.join(root, '.trash'));
  await fs.mkdir(path.join(root, 'models'));
  if (!(await fs.exists(path.join(root, '0', 'meta.yaml')))) await writeExperiment('0', 'Default', {});

  async function writeExperiment(id: string, name: string, opts: CreateExperimentOptions): Promise<void> {
    const dir = path.join(root, id);
    const t = opts.creationTime ?? now();
    await fs.mkdir(dir);
    const meta = {
      artifact_location: opts.artifactLocation ?? localFileUri(dir),
      creation_time: t,
      experiment_id: id,
      last_update_time: t,
      lifecycle_stage: 'active',
      name,
    };
    // write_yaml(overwrite=False): a fresh file; refuse to clobber an existing experiment.
    await fs.writeFile(path.join(dir, 'meta.yaml'), dumpYaml(meta), 'wx');
    for (const [k, v] of Object.entries(opts.tags ?? {})) await writeKeyFile(path.join(dir, 'tags'), k, v);
  }

  async function writeKeyFile(base: string, key: string, value: string, flag = 'w'): Promise<void> {
    const p = keyPath(base, key);
    try {
      await fs.writeFile(p, value, flag);
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
      await fs.mkdir(path.dirname(p));
      await fs.writeFile(p, value, flag);
    }
  }

  async function readYamlFile(file: string): Promise<Record<string, unknown> | null> {
    let text: string;
    try {
      text = await fs.readFile(file);
    } catch {
      return null;
    }
    // intAsBigInt: unquoted 18-digit ids of old stores must not lose digits (format doc 1.1).
    const parsed: unknown = parseYaml(text, { intAsBigInt: true });
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  }

  /** Names in use, deleted experiments in .trash/ included (MLflow keeps those reserved, 2.8). */
  async function experimentNames(): Promise<Set<string>> {
    const names = new Set<string>();
    for (const base of [root, path.join(root, '.trash')]) {
      let entries: string[];
      try {
        entries = await fs.readdir(base);
      } catch {
        continue;
      }
      for (const d of entries) {
        if (base === root && (d === '.trash' || d === 'models')) continue;
        const meta = await readYamlFile(path.join(base, d, 'meta.yaml'));
        if (typeof meta?.name === 'string') names.add(meta.name);
      }
    }
    return names;
  }

  const locations = new Map<string, string>();
  async function experimentArtifactLocation(experimentId: string): Promise<string> {
    const known = locations.get(experimentId);
    if (known !== undefined) return known;
    const meta = await readYamlFile(path.join(root, experimentId, 'meta.yaml'));
    if (!meta) throw new TrackingWriteError(`No experiment ${experimentId} in ${root}`);
    if (typeof meta.artifact_location !== 'string') throw new TrackingWriteError(`Experiment ${experimentId} has no artifact_location`);
    locations.set(experimentId, meta.artifact_location);
    return meta.artifact_location;
  }

  async function runState(runId: string): Promise<FileRunState> {
    const known = runs.get(runId);
    if (known) return known;
    // A run this writer did not create (e.g. a live test continuing an existing run): find it.
    for (const d of await fs.readdir(root)) {
      if (d === '.trash' || d === 'models') continue;
      const dir = path.join(root, d, runId);
      const parsed = await readYamlFile(path.join(dir, 'meta.yaml'));
      if (!parsed) continue;
      const meta = {} as FileRunMeta;
      for (const [k, v] of Object.entries(parsed)) {
        (meta as Record<string, YamlData>)[k] = typeof v === 'bigint' ? Number(v) : (v as YamlData);
      }
      meta.experiment_id = String(parsed.experiment_id ?? d);
      const st = { dir, meta };
      runs.set(runId, st);
      return st;
    }
    throw new TrackingWriteError(`No run ${runId} in ${root}`);
  }

  async function rewriteRunMeta(st: FileRunState): Promise<void> {
    await writeAtomic(fs, path.join(st.dir, 'meta.yaml'), dumpYaml(st.meta));
  }

  async function setTagIn(st: FileRunState, key: string, value: string): Promise<void> {
    await writeKeyFile(path.join(st.dir, 'tags'), key, value);
    // set_tag of mlflow.runName also renames the run in meta.yaml (format doc 1.4).
    if (key === 'mlflow.runName' && st.meta.run_name !== value) {
      st.meta.run_name = value;
      await rewriteRunMeta(st);
    }
  }

  async function logParamIn(st: FileRunState, key: string, value: string): Promise<void> {
    try {
      await writeKeyFile(path.join(st.dir, 'params'), key, value, 'wx');
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
      const old = await fs.readFile(keyPath(path.join(st.dir, 'params'), key));
      if (old !== value) {
        throw new TrackingWriteError(`Changing param values is not allowed. Param with key='${key}' was already logged with value='${old}' for run ID='${st.meta.run_id}'. Attempted logging new value '${value}'.`);
      }
    }
  }

  async function logMetricsIn(st: FileRunState, metrics: readonly MetricInput[]): Promise<void> {
    // One append per key with all its lines: the same bytes as MLflow's line-by-line appends.
    const byKey = new Map<string, string>();
    for (const m of metrics) byKey.set(m.key, (byKey.get(m.key) ?? '') + metricLine(m, now));
    await Promise.all(
      [...byKey].map(async ([key, lines]) => {
        const p = keyPath(path.join(st.dir, 'metrics'), key);
        try {
          await fs.appendFile(p, lines);
        } catch (e) {
          if (!isErrno(e, 'ENOENT')) throw e;
          await fs.mkdir(path.dirname(p));
          await fs.appendFile(p, lines);
        }
      }),
    );
  }

  const writer: TrackingWriter = {
    kind: 'file',
    path: root,

    async createExperiment(name, opts = {}) {
      if ((await experimentNames()).has(name)) {
        throw new TrackingWriteError(`Experiment '${name}' already exists.`);
      }
      for (;;) {
        const id = experimentIdFrom(random);
        try {
          await writeExperiment(id, name, opts);
          return id;
        } catch (e) {
          if (!isErrno(e, 'EEXIST')) throw e;
        }
      }
    },

    async setExperimentTag(experimentId, key, value) {
      await writeKeyFile(path.join(root, experimentId, 'tags'), key, value);
    },

    async createRun(opts) {
      const runId = opts.runId ?? runIdFrom(random);
      if (!RUN_ID_RE.test(runId)) throw new TrackingWriteError(`Invalid run id "${runId}"`);
      const experimentId = opts.experimentId;
      const location = await experimentArtifactLocation(experimentId);
      const dir = path.join(root, experimentId, runId);
      const runName = opts.runName ?? randomRunName(random ?? Math.random);
      const userId = opts.userId ?? defaultUser();
      const artifactUri = appendToUri(location, runId, 'artifacts');
      const meta: FileRunMeta = {
        artifact_uri: artifactUri,
        end_time: null,
        entry_point_name: '',
        experiment_id: experimentId,
        lifecycle_stage: 'active',
        run_id: runId,
        run_name: runName,
        source_name: '',
        source_type: 4,
        source_version: '',
        start_time: opts.startTime ?? now(),
        status: FILE_STATUS[opts.status ?? 'RUNNING'],
        tags: [],
        user_id: userId,
      };
      const st: FileRunState = { dir, meta };
      // create_run: the run folder, meta.yaml, then metrics/, params/, artifacts/ (file_store.py).
      // Its `deleted_time: null` key is dropped again by the rewrite that follows when the run
      // name tag is set, so a live run's meta.yaml never has it (format doc 2.3): write the
      // final form directly.
      await fs.mkdir(dir);
      await fs.writeFile(path.join(dir, 'meta.yaml'), dumpYaml(meta), 'wx');
      // artifacts/ is made even when the artifact URI points elsewhere (e.g. s3://) [seen].
      await Promise.all(['metrics', 'params', 'artifacts', 'tags'].map((d) => fs.mkdir(path.join(dir, d))));
      runs.set(runId, st);
      const tags: Record<string, string> = {
        'mlflow.user': userId,
        'mlflow.source.name': opts.sourceName ?? defaultSourceName(),
        'mlflow.source.type': opts.sourceType ?? 'LOCAL',
        ...opts.tags,
        'mlflow.runName': runName,
      };
      await Promise.all(Object.entries(tags).map(([k, v]) => writeKeyFile(path.join(dir, 'tags'), k, v)));
      return { runId, experimentId, artifactUri };
    },

    async logParam(runId, key, value) {
      await logParamIn(await runState(runId), key, value);
    },

    async logMetric(runId, key, value, step = 0, timestamp) {
      await logMetricsIn(await runState(runId), [{ key, value, step, timestamp: timestamp ?? now() }]);
    },

    async setTag(runId, key, value) {
      await setTagIn(await runState(runId), key, value);
    },

    async logBatch(runId, batch) {
      const st = await runState(runId);
      await Promise.all(Object.entries(batch.params ?? {}).map(([k, v]) => logParamIn(st, k, v)));
      if (batch.metrics && batch.metrics.length > 0) await logMetricsIn(st, batch.metrics);
      const tags = Object.entries(batch.tags ?? {});
      await Promise.all(tags.filter(([k]) => k !== 'mlflow.runName').map(([k, v]) => writeKeyFile(path.join(st.dir, 'tags'), k, v)));
      const rename = tags.find(([k]) => k === 'mlflow.runName');
      if (rename) await setTagIn(st, rename[0], rename[1]);
    },

    async endRun(runId, status = 'FINISHED', endTime) {
      const st = await runState(runId);
      st.meta.status = FILE_STATUS[status];
      st.meta.end_time = endTime ?? now();
      delete st.meta.deleted_time;
      await rewriteRunMeta(st);
    },

    async logArtifact(runId, artifactPath, data) {
      const st = await runState(runId);
      const target = artifactTarget(st.meta.artifact_uri, artifactPath);
      await fs.mkdir(path.dirname(target));
      await fs.writeFile(target, data);
    },

    async close() {
      runs.clear();
    },
  };
  return writer;
}
