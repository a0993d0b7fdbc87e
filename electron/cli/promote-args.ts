// `runsight promote`: its command line — the usage, the options, and the whole command line
// checked (candidate, target, gates) before the store is read.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { parseFilter, type Comparison } from '../engine/index/filter-parser.ts';
import type { Direction } from './best-run.ts';
import { EXIT_CODES_HELP, caret, list, oneStore, usageError } from './ci-common.ts';
import type { GainGate, RequireGate } from './promote-gates.ts';
import { direction, metricKey } from './runs-command.ts';

export const PROMOTE_USAGE = `Usage: runsight promote <store> --model NAME <candidate> <target> [gates] [options]

Promotes a model version when its gates pass: every gate is checked on the metrics the runs
logged, then the stage or alias changes (or a transition is requested for review), in one
registry transaction, recorded in the version's audit trail (tag runsight.audit).
<store>: an mlruns folder, an mlflow.db, or a project folder holding exactly one store.

Candidate (one of):
  --version N              an existing version of NAME
  --run ID                 a run; its model is registered as a new version first unless a
                           version of NAME already comes from it (--artifact-path P or
                           --model-id M choose among several models of the run)
  --best KEY --max|--min   the best FINISHED run by a metric (as runsight best), with
                           [--experiment NAME] [--filter EXPR]

Target (one of):
  --stage STAGE            None, Staging, Production or Archived [--archive-existing]
  --alias ALIAS            set or move the alias (e.g. champion)

Gates:
  --require "EXPR"         a comparison on the candidate run's metrics, in filter syntax,
                           e.g. "metrics.val_auc >= 0.85" (repeatable); a missing metric fails
  --against REF            the incumbent: @ALIAS, a stage (Production) or a version number
  --min-gain KEY=D         the candidate's KEY beats the incumbent's by at least D (repeatable)
  --min-rel-gain KEY=P%    … by at least P percent of the incumbent's value (or a fraction: 0.01)
                           Direction per metric: KEY:max=D / KEY:min=D, else --max / --min.
                           A metric either run lacks fails the gate.

Options:
  --allow-unfinished       accept a candidate run that is not FINISHED
  --require-approval       request the stage transition (review flow) instead of making it
  --dry-run                evaluate and print what would change; write nothing
  --json                   the decision as JSON on stdout (gates, values, changes)
  --report PATH            the decision as Markdown (e.g. for a pull-request comment)
  --audit-failures         record a failed decision in the candidate version's audit trail
                           (a write; by default a failed gate leaves the store untouched)
  --actor NAME             who to name in the audit trail (default: $RUNSIGHT_USER, $USER,
                           else the OS account)
  --comment TEXT           recorded with the transition and the decision
  --busy-timeout MS        how long to wait for a SQLite store locked by another writer
                           (default 5000), then exit 4
  -h, --help               this help

${EXIT_CODES_HELP}`;

const NUMERIC_OPS = new Set(['=', '!=', '<', '<=', '>', '>=']);
const STAGE_NAMES = ['None', 'Staging', 'Production', 'Archived'];

/** The options as given (node:util parseArgs, strict), before they are checked. */
export function readPromoteOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      model: { type: 'string' },
      version: { type: 'string' },
      run: { type: 'string' },
      best: { type: 'string' },
      max: { type: 'boolean', default: false },
      min: { type: 'boolean', default: false },
      experiment: { type: 'string', multiple: true },
      filter: { type: 'string' },
      'artifact-path': { type: 'string' },
      'model-id': { type: 'string' },
      stage: { type: 'string' },
      'archive-existing': { type: 'boolean', default: false },
      alias: { type: 'string' },
      require: { type: 'string', multiple: true },
      against: { type: 'string' },
      'min-gain': { type: 'string', multiple: true },
      'min-rel-gain': { type: 'string', multiple: true },
      'allow-unfinished': { type: 'boolean', default: false },
      'require-approval': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      report: { type: 'string' },
      'audit-failures': { type: 'boolean', default: false },
      actor: { type: 'string' },
      comment: { type: 'string' },
      'busy-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

export type PromoteValues = ReturnType<typeof readPromoteOptions>['values'];

export type PromoteTarget = { stage: string; archiveExisting: boolean } | { alias: string };

/** A promote command line, checked. */
export interface PromoteRequest {
  store: string;
  model: string;
  /** --version N, or null for --run / --best. */
  version: number | null;
  /** --best KEY, or null. */
  bestKey: string | null;
  /** --max / --min: the direction of --best and of gains without their own. */
  globalDir: Direction | null;
  requires: RequireGate[];
  gains: GainGate[];
  /** --against REF, or null. */
  against: string | null;
  target: PromoteTarget;
  busyTimeoutMs: number;
  actor: string;
}

/** Checks the whole command line before the store is read (a usage error, exit 2, otherwise). */
export function promoteRequest(values: PromoteValues, positionals: string[]): PromoteRequest {
  const store = oneStore(positionals);
  const model = values.model?.trim();
  if (!model) throw usageError('Missing --model NAME');
  const picks = [values.version !== undefined, values.run !== undefined, values.best !== undefined].filter(Boolean).length;
  if (picks !== 1) throw usageError('Give exactly one candidate: --version N, --run ID or --best KEY --max|--min');
  if ((values.stage === undefined) === (values.alias === undefined)) throw usageError('Give exactly one target: --stage STAGE or --alias ALIAS');
  if (values.stage !== undefined && canonical(values.stage) === undefined) {
    throw usageError(`Invalid --stage "${values.stage}": use None, Staging, Production or Archived`);
  }
  if (values['archive-existing'] && values.stage === undefined) throw usageError('--archive-existing goes with --stage');
  if (values['require-approval'] && values.stage === undefined) throw usageError('--require-approval requests a stage transition: it goes with --stage, not --alias');
  if ((values.filter !== undefined || values.experiment !== undefined) && values.best === undefined) throw usageError('--filter and --experiment choose among runs for --best');
  if ((values['artifact-path'] !== undefined || values['model-id'] !== undefined) && values.best === undefined && values.run === undefined) {
    throw usageError('--artifact-path and --model-id choose the model of a run (--run or --best)');
  }
  const version = values.version === undefined ? null : versionNumber(values.version, '--version');
  const globalDir = values.max || values.min ? direction(values.max, values.min) : null;
  const bestKey = values.best === undefined ? null : metricKey(values.best, '--best');
  if (bestKey !== null && globalDir === null) throw usageError('--best needs --max (higher is better) or --min (lower is better)');
  const requires = list(values.require).map(parseRequire);
  const gains = [
    ...list(values['min-gain']).map((t) => parseGain(t, 'min-gain', globalDir)),
    ...list(values['min-rel-gain']).map((t) => parseGain(t, 'min-rel-gain', globalDir)),
  ];
  const against = values.against?.trim() || null;
  if (gains.length > 0 && against === null) throw usageError('--min-gain / --min-rel-gain compare with the incumbent: give --against @ALIAS, a stage or a version');
  if (against !== null && gains.length === 0) throw usageError('--against needs a gain to check: --min-gain KEY=D or --min-rel-gain KEY=P% (KEY=0: not worse)');
  const busyTimeoutMs = values['busy-timeout'] === undefined ? 5_000 : versionNumber(values['busy-timeout'], '--busy-timeout');
  const actor = values.actor?.trim() || process.env.RUNSIGHT_USER?.trim() || process.env.USER?.trim() || osUser();
  const target: PromoteTarget =
    values.stage !== undefined ? { stage: canonical(values.stage) as string, archiveExisting: values['archive-existing'] } : { alias: values.alias as string };
  return { store, model, version, bestKey, globalDir, requires, gains, against, target, busyTimeoutMs, actor };
}

function parseRequire(text: string): RequireGate {
  let node;
  try {
    node = parseFilter(text);
  } catch (e) {
    const qe = e as { name?: string; position?: number; length?: number; message: string };
    if (qe?.name !== 'QueryError') throw e;
    throw usageError(`invalid --require: ${qe.message}`, caret(text, qe.position ?? 0, qe.length ?? 0));
  }
  const c = node as Comparison | null;
  if (!c || c.type !== 'comparison' || c.entity !== 'metric' || !NUMERIC_OPS.has(c.op) || typeof c.value !== 'number') {
    throw usageError(`invalid --require "${text}": one comparison of a metric with a number, e.g. "metrics.val_auc >= 0.85"`);
  }
  return { kind: 'require', text, metric: c.key, op: c.op, threshold: c.value };
}

function parseGain(text: string, kind: GainGate['kind'], globalDir: Direction | null): GainGate {
  const m = /^(.+?)(?::(max|min))?=(.+)$/.exec(text.trim());
  const flag = `--${kind}`;
  if (!m) throw usageError(`invalid ${flag} "${text}": KEY=${kind === 'min-gain' ? '0.01' : '1%'} (or KEY:max=… / KEY:min=…)`);
  const metric = metricKey(m[1]?.trim(), flag);
  const dir = (m[2] as Direction | undefined) ?? globalDir;
  if (!dir) throw usageError(`${flag} ${text}: is higher or lower better? Write ${metric}:max=… or ${metric}:min=…, or give --max / --min`);
  const raw = (m[3] as string).trim();
  const percent = kind === 'min-rel-gain' && raw.endsWith('%');
  const n = Number(percent ? raw.slice(0, -1) : raw);
  if (raw === '' || !Number.isFinite(n)) throw usageError(`invalid ${flag} "${text}": "${raw}" is not a number`);
  return { kind, text, metric, direction: dir, threshold: percent ? n / 100 : n };
}

function versionNumber(text: string, flag: string): number {
  if (!/^[0-9]+$/.test(text.trim()) || Number(text) < 1) throw usageError(`Invalid ${flag} "${text}": a positive whole number`);
  return Number(text);
}

export function canonical(stage: string): string | undefined {
  return STAGE_NAMES.find((s) => s.toLowerCase() === stage.trim().toLowerCase());
}

function osUser(): string {
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}
