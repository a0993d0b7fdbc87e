// Format details of the file store that the fixtures do not show: stores written by old MLflow
// versions (format doc 2.2, 2.3, 2.5) and the exact line/YAML rules the reader follows.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { createFileStoreReader, looksLikeFileStore } from '../../electron/engine/stores/mlflow-file/index.ts';
import { parseFlat, parseMetaYaml, type YamlMap, type YamlValue } from '../../electron/engine/stores/mlflow-file/meta-yaml.ts';
import { parseRunMetricLine } from '../../electron/engine/stores/mlflow-file/metric-file.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { diagLines, fastTempDir, fileStoreInfo } from '../helpers/file-store.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function store(): Promise<string> {
  const t = await fastTempDir('runsight-file-formats-');
  cleanups.push(t.cleanup);
  const root = path.join(t.dir, 'mlruns');
  await mkdir(root);
  return root;
}

describe('metric lines (MLflow _get_metric_from_line)', () => {
  it('accepts 2-, 3- and 5-field lines and Python float spellings', () => {
    expect(parseRunMetricLine('1795697841032 0.7')).toEqual({ step: 0, timestamp: 1795697841032, value: 0.7, datasetName: null, datasetDigest: null });
    expect(parseRunMetricLine('5 1e-300 -5')).toMatchObject({ step: -5, value: 1e-300 });
    expect(parseRunMetricLine('5 1.7976931348623157e+308 1099511627776')).toMatchObject({ step: 1099511627776, value: 1.7976931348623157e308 });
    expect(parseRunMetricLine('1 0.97 0 iris-train aab1b4cb')).toMatchObject({ datasetName: 'iris-train', datasetDigest: 'aab1b4cb' });
    expect(parseRunMetricLine('1 nan 0')?.value).toBeNaN();
    expect(parseRunMetricLine('1 inf 0')?.value).toBe(Infinity);
    expect(parseRunMetricLine('1 -inf 0')?.value).toBe(-Infinity);
    expect(parseRunMetricLine('1 -Infinity 0')?.value).toBe(-Infinity);
    expect(Object.is(parseRunMetricLine('1 -0.0 0')?.value, -0)).toBe(true);
    expect(Object.is(parseRunMetricLine('1 2 -0')?.step, 0)).toBe(true);
    expect(parseRunMetricLine('  1 2 3 \r')).toMatchObject({ timestamp: 1, value: 2, step: 3 });
    expect(parseRunMetricLine('1 .5 3')).toMatchObject({ value: 0.5 });
    expect(parseRunMetricLine('12345678901234567890 1 1')?.timestamp).toBe(12345678901234567890);
  });

  it('rejects what Python would reject', () => {
    for (const bad of ['', 'garbage', '1', '1 2 3 4', '1 2 3 4 5 6', '1 x 3', '1 0x10 3', '1.5 2 3', '1 2 3.5', '1  2 3', '1 2 e', '1 2 1e', '1 2 3 a b c', '- 2 3']) {
      expect(parseRunMetricLine(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});

describe('meta.yaml', () => {
  it('keeps unquoted 18-digit ids exact', () => {
    const p = parseMetaYaml('experiment_id: 387161336320449950\nname: old\n');
    expect(p.ok && p.map.get('experiment_id')).toEqual({ plain: '387161336320449950' });
  });

  it('reports empty, invalid and non-mapping files', () => {
    expect(parseMetaYaml('')).toEqual({ ok: false, problem: 'empty file' });
    expect(parseMetaYaml('\n  \n')).toEqual({ ok: false, problem: 'empty file' });
    expect(parseMetaYaml('- a\n- b\n')).toEqual({ ok: false, problem: 'not a YAML mapping' });
    const bad = parseMetaYaml("name: 'unterminated\nexperiment_id: '1");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problem).toMatch(/^invalid YAML/);
  });

  it('the flat fast path agrees with the YAML library on every meta.yaml of the fixtures', async () => {
    const files: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.name === 'meta.yaml') files.push(p);
      }
    };
    await walk(path.join(fixturePath('kitchen-sink'), 'mlruns'));
    await walk(path.join(fixturePath('seed-rf'), 'mlruns'));
    let fast = 0;
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      const flat = parseFlat(text);
      if (flat === null) continue;
      fast++;
      expect(toJs(flat), f).toEqual(parseDocument(text, { version: '1.1' }).toJS({}));
    }
    // Run and logged-model records are flat: most files take the fast path.
    expect(fast).toBeGreaterThan(files.length / 2);
  });
});

/** Our representation, resolved the way PyYAML would for the fixtures' scalars. */
function toJs(m: YamlMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of m) out[k] = resolve(v);
  return out;
}
function resolve(v: YamlValue): unknown {
  if (v === null || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(resolve);
  if (v instanceof Map) return toJs(v);
  if (/^-?[0-9]+$/.test(v.plain)) return Number(v.plain);
  return v.plain;
}

describe('stores written by old MLflow versions', () => {
  it('reads unquoted ids, missing run_name/lifecycle/status/times and 2-field metric lines', async () => {
    const root = await store();
    const exp = '123456789012345678';
    const expDir = path.join(root, exp);
    await mkdir(expDir);
    // MLflow 1.x: unquoted integer id, no creation_time/last_update_time.
    await writeFile(path.join(expDir, 'meta.yaml'), `artifact_location: file://${expDir}\nexperiment_id: ${exp}\nlifecycle_stage: active\nname: legacy\n`);
    const runId = 'a'.repeat(32);
    const runDir = path.join(expDir, runId);
    await mkdir(path.join(runDir, 'metrics'), { recursive: true });
    await mkdir(path.join(runDir, 'tags'), { recursive: true });
    await writeFile(
      path.join(runDir, 'meta.yaml'),
      `artifact_uri: file://${runDir}/artifacts\nend_time: null\nentry_point_name: ''\nexperiment_id: ${exp}\n` +
        `name: ''\nrun_uuid: ${runId}\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1500000000000\ntags: []\nuser_id: bob\n`,
    );
    await writeFile(path.join(runDir, 'tags', 'mlflow.runName'), 'from-tag');
    await writeFile(path.join(runDir, 'metrics', 'loss'), '1500000000001 0.5\n1500000000002 0.25\n');
    const snap = await createFileStoreReader(fileStoreInfo(root)).load();
    expect(diagLines(root, snap.diagnostics)).toEqual([]);
    expect(snap.experiments).toEqual([
      {
        experimentId: exp,
        name: 'legacy',
        artifactLocation: `file://${expDir}`,
        lifecycleStage: 'active',
        creationTime: null,
        lastUpdateTime: null,
        tags: {},
      },
    ]);
    const run = snap.runs[0]!;
    expect(run).toMatchObject({
      runId,
      experimentId: exp,
      runName: 'from-tag',
      status: 'RUNNING',
      lifecycleStage: 'active',
      endTime: null,
      deletedTime: null,
      userId: 'bob',
    });
    // Both lines are at step 0: the later timestamp wins.
    expect(run.metrics.loss).toMatchObject({ step: 0, timestamp: 1500000000002, value: 0.25 });
  });

  it('applies the "latest" rule: highest step, then timestamp, then value; first maximum on ties', async () => {
    const root = await store();
    const exp = '1';
    await mkdir(path.join(root, exp));
    await writeFile(path.join(root, exp, 'meta.yaml'), `artifact_location: x\nexperiment_id: '1'\nname: e\n`);
    const runDir = path.join(root, exp, 'b'.repeat(32));
    await mkdir(path.join(runDir, 'metrics'), { recursive: true });
    await writeFile(path.join(runDir, 'meta.yaml'), `experiment_id: '1'\nrun_id: ${'b'.repeat(32)}\nstatus: 3\n`);
    const m = (k: string, body: string) => writeFile(path.join(runDir, 'metrics', k), body);
    await m('a', '10 1.0 5\n20 0.5 5\n5 9.0 4\n'); // step 5, then timestamp 20
    await m('b', '10 1.0 5\n10 3.0 5\n10 2.0 5\n'); // same step+timestamp: largest value
    await m('c', '10 nan 5\n10 1.0 5\n'); // NaN is not comparable: the first stays
    await m('d', '10 -0.0 1\n10 0.0 1\n'); // equal values: the first stays
    const snap = await createFileStoreReader(fileStoreInfo(root)).load();
    const metrics = snap.runs[0]!.metrics;
    expect(metrics.a).toMatchObject({ timestamp: 20, value: 0.5 });
    expect(metrics.b?.value).toBe(3);
    expect(metrics.c?.value).toBeNaN();
    expect(Object.is(metrics.d?.value, -0)).toBe(true);
  });
});

describe('reader API', () => {
  it('reports progress as runs read / runs found, ending at total', async () => {
    const root = path.join(fixturePath('kitchen-sink'), 'mlruns');
    const calls: [number, number][] = [];
    const snap = await createFileStoreReader(fileStoreInfo(root)).load({ onProgress: (d, t) => calls.push([d, t]) });
    expect(calls[0]).toEqual([0, calls[0]![1]]);
    const [done, total] = calls.at(-1)!;
    expect(done).toBe(total);
    expect(total).toBe(snap.runs.length);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
  });

  it('stops a load when its signal is aborted', async () => {
    const root = path.join(fixturePath('kitchen-sink'), 'mlruns');
    const ac = new AbortController();
    ac.abort(new Error('user closed the project'));
    await expect(createFileStoreReader(fileStoreInfo(root)).load({ signal: ac.signal })).rejects.toThrow('user closed the project');
  });

  it('recognises a store that only has a registry, and not an empty or artifact-only folder', async () => {
    const root = await store();
    expect(await looksLikeFileStore(root)).toBe(false);
    await mkdir(path.join(root, '1', 'abc', 'artifacts'), { recursive: true });
    expect(await looksLikeFileStore(root)).toBe(false);
    await mkdir(path.join(root, 'models', 'm'), { recursive: true });
    await writeFile(path.join(root, 'models', 'm', 'meta.yaml'), 'name: m\ncreation_timestamp: 1\nlast_updated_timestamp: 1\n');
    expect(await looksLikeFileStore(root)).toBe(true);
    expect(await looksLikeFileStore(path.join(root, 'nope'))).toBe(false);
  });

  it('reports a dataset input whose dataset record is missing, and keeps the other inputs', async () => {
    const root = await store();
    await mkdir(path.join(root, '1'));
    await writeFile(path.join(root, '1', 'meta.yaml'), `artifact_location: x\nexperiment_id: '1'\nname: e\n`);
    const run = path.join(root, '1', 'c'.repeat(32));
    await mkdir(path.join(run, 'inputs', 'i1'), { recursive: true });
    await mkdir(path.join(run, 'inputs', 'i2'), { recursive: true });
    await writeFile(path.join(run, 'meta.yaml'), `experiment_id: '1'\nrun_id: ${'c'.repeat(32)}\nstatus: 3\n`);
    await writeFile(path.join(run, 'inputs', 'i1', 'meta.yaml'), 'destination_id: d0\ndestination_type: RUN\nsource_id: d0\nsource_type: DATASET\ntags: {}\n');
    await writeFile(path.join(run, 'inputs', 'i2', 'meta.yaml'), 'destination_id: m-1\ndestination_type: RUN\nsource_id: m-1\nsource_type: MODEL\ntags: {}\n');
    const snap = await createFileStoreReader(fileStoreInfo(root)).load();
    expect(snap.runs[0]!.inputs).toEqual({ datasets: [], models: ['m-1'] });
    expect(diagLines(root, snap.diagnostics)).toEqual([
      `1/${'c'.repeat(32)}/inputs/i1/meta.yaml: dataset "d0" missing or unreadable in the experiment's datasets/ (input skipped)`,
    ]);
  });
});
