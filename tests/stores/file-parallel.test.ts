// A big store is read by two threads (load-worker.ts takes batches of run folders). Whatever thread
// read a run, the result must be the same as reading it on one thread: records, diagnostics, and
// the per-metric-file state that later refreshes continue from.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreSnapshot } from '../../electron/engine/model.ts';
import { FileStoreReader } from '../../electron/engine/stores/mlflow-file/index.ts';
import { diagLines, fastTempDir, fileStoreInfo, Mirror, runMeta } from '../helpers/file-store.ts';

const EXP = '123456789012345678';
const RUNS = 2100; // above the reader's threshold for a helper thread
let root: string;
let cleanup: () => Promise<void>;

const runId = (i: number) => i.toString(16).padStart(32, '0');

beforeAll(async () => {
  const t = await fastTempDir('runsight-file-parallel-');
  cleanup = t.cleanup;
  root = path.join(t.dir, 'mlruns');
  const exp = path.join(root, EXP);
  mkdirSync(path.join(exp, 'datasets', 'ds1'), { recursive: true });
  writeFileSync(path.join(exp, 'meta.yaml'), `artifact_location: file://${exp}\nexperiment_id: '${EXP}'\nlifecycle_stage: active\nname: big\n`);
  writeFileSync(path.join(exp, 'datasets', 'ds1', 'meta.yaml'), "digest: abc\nname: train\nprofile: '{}'\nschema: '{}'\nsource: '{}'\nsource_type: local\n");
  for (let i = 0; i < RUNS; i++) {
    const dir = path.join(exp, runId(i));
    mkdirSync(path.join(dir, 'params'), { recursive: true });
    mkdirSync(path.join(dir, 'metrics', 'sys'), { recursive: true });
    mkdirSync(path.join(dir, 'tags'), { recursive: true });
    writeFileSync(path.join(dir, 'meta.yaml'), runMeta(EXP, runId(i), { name: `r${i}`, startTime: 1795697840000 + i }, dir));
    writeFileSync(path.join(dir, 'params', 'lr'), String(i / 1000));
    writeFileSync(path.join(dir, 'tags', 'mlflow.runName'), `r${i}`);
    let lines = '';
    for (let s = 0; s < 20; s++) lines += `${1795697840000 + s} ${Math.sin(i + s)} ${s}\n`;
    writeFileSync(path.join(dir, 'metrics', 'loss'), lines);
    writeFileSync(path.join(dir, 'metrics', 'sys', 'gpu'), `1 ${i} 0 train abc\n`);
    if (i % 97 === 0) writeFileSync(path.join(dir, 'metrics', 'bad'), '1 1 1\nnot a line\n');
    if (i % 101 === 0) {
      mkdirSync(path.join(dir, 'inputs', 'in1'), { recursive: true });
      writeFileSync(path.join(dir, 'inputs', 'in1', 'meta.yaml'), 'destination_id: ds1\ndestination_type: RUN\nsource_id: ds1\nsource_type: DATASET\ntags:\n  mlflow.data.context: training\n');
    }
    if (i % 499 === 0) writeFileSync(path.join(dir, 'meta.yaml'), 'run_id: [broken\n');
  }
});

afterAll(async () => {
  await cleanup();
});

function canonical(snap: StoreSnapshot) {
  return { mirror: Mirror.of(snap).canonical(), diagnostics: diagLines(root, snap.diagnostics) };
}

describe('file store: two-thread load', () => {
  it('reads the same as one thread, diagnostics included', async () => {
    const one = await new FileStoreReader(fileStoreInfo(root), { workerUrl: null }).load();
    const progress: number[] = [];
    const reader = new FileStoreReader(fileStoreInfo(root), { waitForHelper: true });
    const two = await reader.load({ onProgress: (d) => progress.push(d) });
    // The helper thread really read part of the store (not everything fell back to this thread).
    expect(reader.lastLoad?.helperRuns).toBeGreaterThan(0);
    expect(one.runs).toHaveLength(RUNS - Math.ceil(RUNS / 499));
    expect(one.runs.find((r) => r.runId === runId(101))!.inputs.datasets.map((d) => [d.name, d.tags])).toEqual([
      ['train', { 'mlflow.data.context': 'training' }],
    ]);
    expect(canonical(two)).toEqual(canonical(one));
    expect(progress.at(-1)).toBe(RUNS);
  });

  it('falls back to one thread when the helper module cannot be loaded', async () => {
    const one = await new FileStoreReader(fileStoreInfo(root), { workerUrl: null }).load();
    const missing = new URL('./no-such-worker.ts', import.meta.url);
    const reader = new FileStoreReader(fileStoreInfo(root), { workerUrl: missing, waitForHelper: true });
    const fallback = await reader.load();
    expect(reader.lastLoad?.helperRuns).toBe(0);
    expect(canonical(fallback)).toEqual(canonical(one));
  });

  it('reads the batches a crashed helper had taken', async () => {
    const one = await new FileStoreReader(fileStoreInfo(root), { workerUrl: null }).load();
    const crashing = new URL('../helpers/file-crashing-worker.ts', import.meta.url);
    const reader = new FileStoreReader(fileStoreInfo(root), { workerUrl: crashing, waitForHelper: true });
    const snap = await reader.load();
    expect(reader.lastLoad?.helperRuns).toBe(0);
    expect(canonical(snap)).toEqual(canonical(one));
  });

  it('refreshes runs read by either thread from where their metric files were left', async () => {
    const reader = new FileStoreReader(fileStoreInfo(root), { waitForHelper: true });
    const mirror = Mirror.of(await reader.load());
    expect(reader.lastLoad?.helperRuns).toBeGreaterThan(0);
    const touched = [1, 2, 700, 1200, 1700, RUNS - 1].map((i) => path.join(root, EXP, runId(i), 'metrics', 'loss'));
    for (const f of touched) appendFileSync(f, '1795697999999 42 7\n1795697999999 -1 1000\n');
    const change = await reader.refresh(touched);
    mirror.apply(change);
    expect(change.runs).toHaveLength(touched.length);
    for (const r of change.runs) expect(r.metrics.loss).toMatchObject({ step: 1000, value: -1 });
    const fresh = await new FileStoreReader(fileStoreInfo(root), { workerUrl: null }).load();
    expect(mirror.canonical()).toEqual(Mirror.of(fresh).canonical());
    expect(diagLines(root, reader.diagnostics())).toEqual(diagLines(root, fresh.diagnostics));
    // Histories continue in file order after the appended lines.
    expect((await reader.getMetricHistory(runId(700), 'loss')).slice(-2).map((p) => p.step)).toEqual([7, 1000]);
  });
});

describe('file store: streaming load and the bounded refresh cache', () => {
  it('onRuns hands every run over in batches, and the snapshot then holds none', async () => {
    const one = await new FileStoreReader(fileStoreInfo(root), { workerUrl: null }).load();
    const reader = new FileStoreReader(fileStoreInfo(root), { waitForHelper: true });
    const batches: number[] = [];
    const streamed: StoreSnapshot['runs'] = [];
    const snap = await reader.load({
      onRuns: (runs) => {
        batches.push(runs.length);
        streamed.push(...runs);
      },
    });
    expect(reader.lastLoad?.helperRuns).toBeGreaterThan(0);
    expect(snap.runs).toEqual([]);
    expect(batches.length).toBeGreaterThan(1);
    expect(canonical({ ...snap, runs: streamed })).toEqual(canonical(one));
  });

  it('runs beyond the hot limit go cold and are re-read whole on their next change', async () => {
    const reader = new FileStoreReader(fileStoreInfo(root), { maxHotRuns: 2 });
    const mirror = Mirror.of(await reader.load());
    const file = (i: number) => path.join(root, EXP, runId(i), 'metrics', 'loss');
    const order = [3, 4, 5, 3, 6, 4, 3, 3];
    for (const [k, i] of order.entries()) {
      appendFileSync(file(i), `1795697999999 ${k} ${2000 + k}\n`);
      const change = await reader.refresh([file(i)]);
      mirror.apply(change);
      expect(change.runs.map((r) => [r.runId, r.metrics.loss?.step])).toEqual([[runId(i), 2000 + k]]);
      // Unchanged since: a hot run reports nothing.
      expect((await reader.refresh([file(i)])).runs).toEqual([]);
    }
    const fresh = await new FileStoreReader(fileStoreInfo(root), { workerUrl: null }).load();
    expect(mirror.canonical()).toEqual(Mirror.of(fresh).canonical());
    expect(diagLines(root, reader.diagnostics())).toEqual(diagLines(root, fresh.diagnostics));
  });
});
