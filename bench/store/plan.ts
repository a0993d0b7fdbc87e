// One synthetic run's content, drawn from its own PRNG stream: 10 params, 10 metrics × 100 steps
// (a loss curve shaped by how good the configuration is), 5 user tags, a status and times.
import type { RunStatus } from '../../electron/engine/model.ts';
import { pyFloat, type MetricInput } from '../../electron/engine/writer/tracking-writer.ts';
import { createRng, gauss, hex, pick, runIdFor, sig } from './rng.ts';

export const PARAMS_PER_RUN = 10;
export const METRICS_PER_RUN = 10;
export const STEPS = 100;
export const USER_TAGS_PER_RUN = 5;
/** Runs per experiment (a 10k store has 5 experiments, a 100k store 50). */
export const RUNS_PER_EXPERIMENT = 2000;
/** 2026-01-01T00:00:00Z: a fixed clock keeps stores reproducible. */
export const BASE_TIME = 1_767_225_600_000;

export const PARAM_KEYS = [
  'learning_rate',
  'optimizer',
  'batch_size',
  'max_depth',
  'num_layers',
  'hidden_size',
  'dropout',
  'weight_decay',
  'activation',
  'scheduler',
] as const;

export const METRIC_KEYS = [
  'train_loss',
  'val_loss',
  'train_acc',
  'val_acc',
  'val_f1',
  'val_auc',
  'lr',
  'grad_norm',
  'system/gpu_utilization',
  'system/memory_gb',
] as const;

export const TAG_KEYS = ['team', 'dataset', 'sweep_id', 'stage', 'mlflow.source.git.commit'] as const;

const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop'] as const;
const ACTIVATIONS = ['relu', 'gelu', 'silu', 'tanh'] as const;
const SCHEDULERS = ['cosine', 'step', 'constant', 'onecycle'] as const;
export const TEAMS = ['vision', 'nlp', 'tabular', 'speech'] as const;
const DATASETS = ['cifar10', 'imagenet-subset', 'tiny-shakespeare', 'adult-income', 'librispeech-100h'] as const;
const STAGES = ['dev', 'sweep', 'candidate'] as const;
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const ADJ = ['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'kind', 'lively', 'proud', 'silly', 'witty'];
const NOUN = ['ant', 'bee', 'cat', 'dog', 'eel', 'fox', 'gnu', 'hen', 'owl', 'pig', 'ram', 'yak'];

export interface RunPlan {
  runId: string;
  runName: string;
  userId: string;
  startTime: number;
  endTime: number | null;
  status: RunStatus;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: MetricInput[];
}

export function planRun(seed: number, index: number, sweepOf: (i: number) => number): RunPlan {
  const rng = createRng(seed, index);
  const runId = runIdFor(rng);
  const lr = sig(10 ** (-5 + 4 * rng()), 2);
  const optimizer = pick(rng, OPTIMIZERS);
  const batchSize = pick(rng, [16, 32, 64, 128, 256]);
  const maxDepth = 2 + Math.floor(rng() * 11);
  const numLayers = 1 + Math.floor(rng() * 12);
  const hidden = pick(rng, [64, 128, 256, 512, 1024]);
  const dropout = Math.round(rng() * 50) / 100;
  const wd = sig(10 ** (-6 + 4 * rng()), 1);
  const params: Record<string, string> = {
    learning_rate: pyFloat(lr),
    optimizer,
    batch_size: String(batchSize),
    max_depth: String(maxDepth),
    num_layers: String(numLayers),
    hidden_size: String(hidden),
    dropout: pyFloat(dropout),
    weight_decay: pyFloat(wd),
    activation: pick(rng, ACTIVATIONS),
    scheduler: pick(rng, SCHEDULERS),
  };

  // How good this configuration is: best near lr = 3e-3, adam(w) a little better, mild dropout.
  const lrPenalty = Math.abs(Math.log10(lr) - Math.log10(3e-3)) * 0.18;
  const optBonus = optimizer === 'adamw' ? -0.05 : optimizer === 'adam' ? -0.03 : optimizer === 'sgd' ? 0.06 : 0;
  const finalVal = Math.max(0.08, 0.3 + lrPenalty + optBonus + Math.abs(dropout - 0.2) * 0.3 + 0.08 * gauss(rng));
  const finalTrain = finalVal * (0.55 + 0.3 * rng());
  const startLoss = 2.3 + 0.2 * rng();
  const tau = 8 + 25 * rng();
  const noise = 0.01 + 0.03 * rng();

  const r = rng();
  const status: RunStatus = r < 0.92 ? 'FINISHED' : r < 0.96 ? 'FAILED' : r < 0.98 ? 'KILLED' : 'RUNNING';
  const startTime = BASE_TIME + index * 60_000 + Math.floor(rng() * 30_000);
  const stepMs = 400 + Math.floor(rng() * 1200);
  const gpuBase = 55 + 40 * rng();
  const memBase = 4 + 30 * rng();

  const metrics: MetricInput[] = [];
  for (let step = 0; step < STEPS; step++) {
    const timestamp = startTime + (step + 1) * stepMs + Math.floor(rng() * 50);
    const decay = Math.exp(-step / tau);
    const valLoss = finalVal + (startLoss - finalVal) * decay + noise * gauss(rng);
    const trainLoss = finalTrain + (startLoss - finalTrain) * decay + noise * 0.7 * gauss(rng);
    const acc = (loss: number): number => Math.min(0.999, Math.max(0.05, 1 - loss / 2.6 + 0.01 * gauss(rng)));
    const valAcc = acc(valLoss);
    const progress = step / (STEPS - 1);
    const values: [string, number][] = [
      ['train_loss', trainLoss],
      ['val_loss', valLoss],
      ['train_acc', acc(trainLoss)],
      ['val_acc', valAcc],
      ['val_f1', Math.max(0, valAcc - 0.03 + 0.01 * gauss(rng))],
      ['val_auc', Math.min(1, 0.5 + valAcc / 2 + 0.005 * gauss(rng))],
      ['lr', lr * (0.5 + 0.5 * Math.cos(Math.PI * progress))],
      ['grad_norm', Math.abs(5 * decay + 0.5 + 0.3 * gauss(rng))],
      ['system/gpu_utilization', Math.min(100, Math.max(0, gpuBase + 5 * gauss(rng)))],
      ['system/memory_gb', memBase + 0.5 * progress + 0.05 * gauss(rng)],
    ];
    for (const [key, value] of values) metrics.push({ key, value, step, timestamp });
  }
  const lastTs = metrics[metrics.length - 1]?.timestamp ?? startTime;

  const sweep = sweepOf(index);
  const tags: Record<string, string> = {
    team: pick(rng, TEAMS),
    dataset: pick(rng, DATASETS),
    sweep_id: `sweep-${String(sweep).padStart(3, '0')}`,
    stage: pick(rng, STAGES),
    'mlflow.source.git.commit': hex(rng, 40),
  };
  return {
    runId,
    runName: `${pick(rng, ADJ)}-${pick(rng, NOUN)}-${index}`,
    userId: pick(rng, USERS),
    startTime,
    endTime: status === 'RUNNING' ? null : lastTs + 500,
    status,
    params,
    tags,
    metrics,
  };
}
