// The demo project `npm start` opens when no folder is given: a small, realistic grid search
// written with Runsight's own MLflow writer (so MLflow would read it too) — a parent sweep run
// with nested trials, per-epoch curves, image/CSV/SVG artifacts, an MLflow-2-style model folder
// in each trial's artifacts (so "drag into the registry" has something to register) and the
// reproducibility tags a git checkout would give.
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../../../common/random.ts';
import { createFileTrackingWriter, type TrackingWriter } from '../writer/tracking-writer.ts';
import { Raster, type Rgb } from './png.ts';

const DEMO_VERSION = '2';

export function defaultDemoDir(): string {
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(cache, 'runsight', `demo-project-v${DEMO_VERSION}`);
}

/** Returns the demo project folder, generating it on first use (atomically: temp dir + rename). */
export async function ensureDemoProject(dir = defaultDemoDir()): Promise<string> {
  if (await exists(path.join(dir, '.runsight-demo'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await generateDemo(tmp);
  await writeFile(path.join(tmp, '.runsight-demo'), `Runsight demo project v${DEMO_VERSION}\n`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  await rename(tmp, dir);
  return dir;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

const EPOCHS = 40;
const GIT_COMMIT = '3f9c2e1b7a4d5c6e8f90a1b2c3d4e5f6a7b8c9d0';

export async function generateDemo(projectDir: string): Promise<void> {
  // Seeded, so the demo is the same everywhere.
  const random = mulberry32(20261126);
  const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);
  let clock = t0;
  const writer = await createFileTrackingWriter(path.join(projectDir, 'mlruns'), { random, now: () => clock });
  try {
    await writeFile(
      path.join(projectDir, 'train.py'),
      '"""Fraud detector grid search (Runsight demo). Logged with MLflow."""\n',
    );
    const expId = await writer.createExperiment('fraud-detector', {
      tags: {
        'mlflow.note.content':
          '# Fraud detector\n\nGradient-boosted trees on card transactions.\nGrid search over learning rate × depth; pick the best **val_auc**.',
        team: 'risk-ml',
        dataset: 'transactions-2026-10',
      },
      creationTime: clock,
    });
    const sweep = await writer.createRun({
      experimentId: expId,
      runName: 'grid-search (9 trials)',
      userId: 'alice',
      sourceName: 'train.py',
      startTime: clock,
      tags: gitTags(),
    });
    await writer.logBatch(sweep.runId, { params: { search: 'grid', trials: '9' } });
    let best = { auc: 0, runId: '' };
    for (const lr of [0.03, 0.1, 0.3]) {
      for (const depth of [4, 6, 8]) {
        clock += 60_000;
        const trial = await runTrial(writer, expId, sweep.runId, lr, depth, random, () => clock, (ms) => (clock += ms));
        if (trial.auc > best.auc) best = { auc: trial.auc, runId: trial.runId };
      }
    }
    await writer.logBatch(sweep.runId, {
      metrics: [{ key: 'best_val_auc', value: best.auc, step: 0, timestamp: clock }],
      tags: { best_run_id: best.runId },
    });
    await writer.endRun(sweep.runId, 'FINISHED', clock);
    // Cross-validation of the best setting: nested runs (mlflow.parentRunId) under one parent.
    for (let fold = 0; fold < 3; fold++) {
      clock += 20_000;
      const cv = await writer.createRun({
        experimentId: expId,
        runName: `cv-fold-${fold}`,
        userId: 'alice',
        sourceName: 'train.py',
        startTime: clock,
        tags: { ...gitTags(), 'mlflow.parentRunId': sweep.runId },
      });
      await writer.logBatch(cv.runId, {
        params: { fold: String(fold), learning_rate: '0.1', max_depth: '6' },
        metrics: [{ key: 'val_auc', value: round(best.auc - 0.01 + random() * 0.02), step: 0, timestamp: clock + 5000 }],
      });
      await writer.endRun(cv.runId, 'FINISHED', clock + 6000);
    }
    // One failed trial, as real sweeps have.
    clock += 30_000;
    const failed = await writer.createRun({
      experimentId: expId,
      runName: 'trial-lr=1.0-depth=12',
      userId: 'alice',
      sourceName: 'train.py',
      startTime: clock,
      tags: { ...gitTags(), sweep: sweep.runId },
    });
    await writer.logBatch(failed.runId, {
      params: { learning_rate: '1.0', max_depth: '12', n_estimators: '400', subsample: '0.8' },
      metrics: [0, 1, 2].map((step) => ({ key: 'train_loss', value: 0.7 + step * 0.9, step, timestamp: clock + step * 1000 })),
    });
    await writer.logArtifact(failed.runId, 'logs/error.txt', 'ValueError: training diverged (loss = inf at epoch 3)\n');
    await writer.endRun(failed.runId, 'FAILED', clock + 4000);
  } finally {
    await writer.close();
  }
}

function gitTags(): Record<string, string> {
  return {
    'mlflow.source.git.commit': GIT_COMMIT,
    'mlflow.source.git.branch': 'main',
    'mlflow.source.git.repoURL': 'git@example.com:risk-ml/fraud-detector.git',
  };
}

async function runTrial(
  writer: TrackingWriter,
  experimentId: string,
  parentRunId: string,
  lr: number,
  depth: number,
  random: () => number,
  now: () => number,
  advance: (ms: number) => void,
): Promise<{ runId: string; auc: number }> {
  const run = await writer.createRun({
    experimentId,
    runName: `trial-lr=${lr}-depth=${depth}`,
    userId: 'alice',
    sourceName: 'train.py',
    startTime: now(),
    tags: { ...gitTags(), model_family: 'gbdt', sweep: parentRunId },
  });
  // A plausible response surface: best near lr 0.1, depth 6; deep trees overfit at high lr.
  const quality = 0.93 - 0.5 * (Math.log10(lr) + 1) ** 2 * 0.08 - ((depth - 6) / 2) ** 2 * 0.01 - (lr > 0.2 && depth > 6 ? 0.02 : 0);
  const params = { learning_rate: String(lr), max_depth: String(depth), n_estimators: '400', subsample: '0.8' };
  const metrics: { key: string; value: number; step: number; timestamp: number }[] = [];
  let aucCurve = 0.5;
  const noise = () => (random() - 0.5) * 0.01;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    advance(1500);
    const progress = 1 - Math.exp(-(epoch + 1) * lr * 0.6);
    const train = 0.69 * (1 - progress) + 0.05 + noise();
    const overfit = lr > 0.2 && depth > 6 ? Math.max(0, epoch - 20) * 0.004 : 0;
    const val = 0.69 * (1 - progress * (quality / 0.93)) + 0.08 + overfit + noise();
    aucCurve = 0.5 + (quality - 0.5) * progress + noise() / 2;
    metrics.push({ key: 'train_loss', value: round(train), step: epoch, timestamp: now() });
    metrics.push({ key: 'val_loss', value: round(val), step: epoch, timestamp: now() });
    metrics.push({ key: 'val_auc', value: round(aucCurve), step: epoch, timestamp: now() });
  }
  const f1 = round(aucCurve - 0.12 + noise());
  metrics.push({ key: 'val_f1', value: f1, step: EPOCHS - 1, timestamp: now() });
  metrics.push({ key: 'train_time_s', value: round(30 + depth * 9 * (1 + random() * 0.2)), step: 0, timestamp: now() });
  await writer.logBatch(run.runId, { params, metrics });
  await writer.logArtifact(run.runId, 'plots/roc_curve.png', rocPng(aucCurve));
  await writer.logArtifact(run.runId, 'plots/loss.svg', lossSvg(metrics));
  await writer.logArtifact(run.runId, 'confusion_matrix.png', confusionPng(aucCurve));
  await writer.logArtifact(run.runId, 'feature_importance.csv', featureCsv(random));
  await logModelFolder(writer, run.runId, now());
  await writer.endRun(run.runId, 'FINISHED', now());
  return { runId: run.runId, auc: aucCurve };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** An MLflow-2-style model in the run's artifacts: `model/MLmodel` + environment files. */
async function logModelFolder(writer: TrackingWriter, runId: string, ts: number): Promise<void> {
  const created = new Date(ts).toISOString().replace('T', ' ').replace('Z', '');
  await writer.logArtifact(
    runId,
    'model/MLmodel',
    [
      'artifact_path: model',
      'flavors:',
      '  python_function:',
      '    env:',
      '      conda: conda.yaml',
      '      virtualenv: python_env.yaml',
      '    loader_module: mlflow.sklearn',
      '    model_path: model.pkl',
      '    predict_fn: predict',
      '    python_version: 3.11.7',
      '  sklearn:',
      '    pickled_model: model.pkl',
      '    serialization_format: cloudpickle',
      '    sklearn_version: 1.5.2',
      'mlflow_version: 2.17.2',
      `model_uuid: ${runId.slice(0, 8)}c0ffee${runId.slice(14, 32)}`,
      `run_id: ${runId}`,
      `utc_time_created: '${created}'`,
      '',
    ].join('\n'),
  );
  await writer.logArtifact(runId, 'model/model.pkl', Buffer.from('demo model placeholder (not a real pickle)\n'));
  await writer.logArtifact(runId, 'model/requirements.txt', 'mlflow==2.17.2\nscikit-learn==1.5.2\ncloudpickle==3.1.0\n');
  await writer.logArtifact(
    runId,
    'model/conda.yaml',
    'channels:\n- conda-forge\ndependencies:\n- python=3.11.7\n- pip\n- pip:\n  - mlflow==2.17.2\n  - scikit-learn==1.5.2\nname: mlflow-env\n',
  );
  await writer.logArtifact(runId, 'model/python_env.yaml', 'python: 3.11.7\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n');
  await writer.setTag(
    runId,
    'mlflow.log-model.history',
    JSON.stringify([{ run_id: runId, artifact_path: 'model', utc_time_created: created, flavors: { sklearn: {}, python_function: {} } }]),
  );
}

function rocPng(auc: number): Buffer {
  const w = 320;
  const h = 240;
  const img = new Raster(w, h);
  const axis: Rgb = [90, 90, 90];
  const pad = 24;
  img.line(pad, h - pad, w - 8, h - pad, axis, 1);
  img.line(pad, h - pad, pad, 8, axis, 1);
  img.line(pad, h - pad, w - 8, 8, [200, 200, 200], 1);
  // tpr = fpr^k has area 1/(k+1): pick k so the drawn curve has the run's AUC.
  const k = Math.max(0.01, 1 / Math.max(auc, 0.5) - 1);
  const pts: [number, number][] = [];
  for (let i = 0; i <= 50; i++) {
    const fpr = i / 50;
    const tpr = fpr ** k;
    pts.push([pad + fpr * (w - 8 - pad), h - pad - tpr * (h - pad - 8)]);
  }
  img.polyline(pts, [37, 99, 235], 3);
  return img.toPng();
}

function confusionPng(auc: number): Buffer {
  const img = new Raster(200, 200, [250, 250, 250]);
  const tp = auc;
  const cells = [tp, 1 - tp, 1 - tp * 0.95, tp * 0.95];
  cells.forEach((v, i) => {
    const shade = Math.round(255 - v * 200);
    img.fillRect((i % 2) * 100 + 4, Math.floor(i / 2) * 100 + 4, 92, 92, [shade, shade, 255]);
  });
  return img.toPng();
}

function lossSvg(metrics: { key: string; value: number; step: number }[]): string {
  const series = (key: string) => metrics.filter((m) => m.key === key);
  const path = (key: string) =>
    series(key)
      .map((m, i) => `${i === 0 ? 'M' : 'L'}${(m.step / (EPOCHS - 1)) * 300 + 10},${190 - m.value * 220}`)
      .join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200">
  <rect width="320" height="200" fill="white"/>
  <path d="${path('train_loss')}" fill="none" stroke="#2563eb" stroke-width="2"/>
  <path d="${path('val_loss')}" fill="none" stroke="#ea580c" stroke-width="2"/>
  <text x="220" y="20" font-family="sans-serif" font-size="12" fill="#2563eb">train_loss</text>
  <text x="220" y="36" font-family="sans-serif" font-size="12" fill="#ea580c">val_loss</text>
</svg>
`;
}

function featureCsv(random: () => number): string {
  const features = ['amount', 'merchant_risk', 'hour_of_day', 'card_age_days', 'country_mismatch', 'velocity_1h'];
  const weights = features.map(() => random());
  const total = weights.reduce((a, b) => a + b, 0);
  return `feature,importance\n${features.map((f, i) => `${f},${((weights[i] as number) / total).toFixed(4)}`).join('\n')}\n`;
}
