// `runsight promote` — the CI gate before a model version replaces the incumbent: pick the
// candidate (a version, a run, or the best run by a metric), check gates on the metrics the runs
// logged (thresholds; gains over the incumbent named by --against), then move the stage / alias,
// or request the transition through the review flow, in one registry transaction with a `promote`
// audit entry (registry-writer.ts → promote). A failed gate writes nothing (exit 1); --dry-run
// prints what would change and writes nothing. Exit codes in ci-common.ts.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Engine } from '../engine/engine.ts';
import { parseFilter, type Comparison } from '../engine/index/filter-parser.ts';
import type { ModelVersion, RegisteredModel, Run, StoreInfo } from '../engine/model.ts';
import type { AuditGate, RegisterSource } from '../engine/registry/types.ts';
import type { Direction } from './best-run.ts';
import {
  EXIT,
  EXIT_CODES_HELP,
  caret,
  classify,
  jsonNumber,
  list,
  noMatch,
  openStore,
  processOut,
  reportFailure,
  resolveExperiments,
  usageError,
  warnDiagnostics,
  type Out,
  oneStore,
} from './ci-common.ts';
import { toJson } from './json-out.ts';
import { pickCandidate } from './registry-command.ts';
import { direction, findBest, metricKey } from './runs-command.ts';

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

interface RequireGate {
  kind: 'require';
  text: string;
  metric: string;
  op: string;
  threshold: number;
}

interface GainGate {
  kind: 'min-gain' | 'min-rel-gain';
  text: string;
  metric: string;
  direction: Direction;
  threshold: number;
}

export interface GateResult {
  kind: 'require' | 'min-gain' | 'min-rel-gain';
  /** As given on the command line. */
  gate: string;
  metric: string;
  direction: Direction | null;
  op: string;
  /** require: the candidate's value; gains: the gain (absolute or relative). */
  observed: number | string | null;
  candidate: number | string | null;
  incumbent: number | string | null;
  threshold: number;
  passed: boolean;
  reason: string | null;
}

export async function runPromoteCommand(argv: string[], out: Out = processOut): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = parseArgs({
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
    json = values.json;
    if (values.help) {
      out.stdout(PROMOTE_USAGE);
      return EXIT.ok;
    }
    // ---- the whole command line is checked before the store is read ----
    const store = oneStore(positionals);
    const model = values.model?.trim();
    if (!model) throw usageError('Missing --model NAME');
    const picks = [values.version !== undefined, values.run !== undefined, values.best !== undefined].filter(Boolean).length;
    if (picks !== 1) throw usageError('Give exactly one candidate: --version N, --run ID or --best KEY --max|--min');
    if ((values.stage === undefined) === (values.alias === undefined)) throw usageError('Give exactly one target: --stage STAGE or --alias ALIAS');
    if (values.stage !== undefined && !STAGE_NAMES.some((s) => s.toLowerCase() === values.stage?.trim().toLowerCase())) {
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

    const { engine, info, dispose } = await openStore(store);
    try {
      warnDiagnostics(engine, 'promote', out);
      const registered = engine.index.getRegisteredModel({ storeId: info.id, name: model });
      // ---- the candidate ----
      let candidate: { version: ModelVersion | null; run: Run; register: RegisterSource | null; registerLabel: string | null };
      if (version !== null) {
        const v = liveVersion(registered, model, version, info);
        const run = v.runId ? engine.index.getRun({ storeId: info.id, runId: v.runId }) : null;
        if (!run) throw noMatch(`${model} v${version} has no run in this store${v.runId ? ` (run ${v.runId})` : ''}: its logged metrics cannot be checked`);
        candidate = { version: v, run, register: null, registerLabel: null };
      } else {
        let run: Run | null;
        if (bestKey !== null) {
          const experiments = resolveExperiments(engine, info, list(values.experiment));
          const best = findBest(engine, {
            storeId: info.id,
            experimentIds: experiments.map((e) => e.experimentId),
            filter: values.filter ?? '',
            finishedOnly: !values['allow-unfinished'],
            metric: bestKey,
            dir: globalDir as Direction,
          });
          run = engine.index.getRun({ storeId: info.id, runId: best.best.row.runId });
        } else {
          run = engine.index.getRun({ storeId: info.id, runId: values.run as string });
          if (!run) throw noMatch(`Run ${values.run} not found in ${info.path}`);
        }
        const r = run as Run;
        checkFinished(r, values['allow-unfinished']);
        const existing = (registered?.versions ?? []).filter((v) => v.runId === r.runId && v.currentStage !== 'Deleted_Internal');
        const chosen = values['artifact-path'] === undefined && values['model-id'] === undefined ? existing[existing.length - 1] : undefined;
        if (chosen) candidate = { version: chosen, run: r, register: null, registerLabel: null };
        else {
          const { RegistryService } = await import('../engine/registry/index.ts');
          const found = await new RegistryService(engine).listRunModels(info.id, r.runId);
          let pick;
          try {
            pick = pickCandidate(found.models, found.reason, { runId: r.runId, artifactPath: values['artifact-path'], modelId: values['model-id'] });
          } catch (e) {
            throw noMatch(e instanceof Error ? e.message : String(e));
          }
          const source: RegisterSource = pick.kind === 'logged-model' ? { kind: 'logged-model', modelId: pick.modelId } : { kind: 'artifact', artifactPath: pick.artifactPath };
          const label = pick.kind === 'logged-model' ? `logged model "${pick.name}" (${pick.modelId})` : `artifacts/${pick.artifactPath}`;
          candidate = { version: null, run: r, register: source, registerLabel: label };
        }
      }
      checkFinished(candidate.run, values['allow-unfinished']);
      // ---- the incumbent ----
      const incumbent = against === null ? null : resolveAgainst(engine, info, registered, model, against);
      // ---- the gates ----
      const results: GateResult[] = [
        ...requires.map((g) => evalRequire(g, candidate.run)),
        ...gains.map((g) => evalGain(g, candidate.run, incumbent?.run ?? null, incumbent?.version.version ?? null)),
      ];
      const passed = results.every((g) => g.passed);
      const nextVersion = candidate.version ? candidate.version.version : maxVersion(registered) + 1;
      const target: { stage: string; archiveExisting: boolean } | { alias: string } =
        values.stage !== undefined ? { stage: canonical(values.stage) as string, archiveExisting: values['archive-existing'] } : { alias: values.alias as string };
      const changes = plannedChanges({
        model,
        registered,
        candidate,
        nextVersion,
        target,
        requestApproval: values['require-approval'],
      });
      const dryRun = values['dry-run'];
      const decision: Decision = {
        decision: passed ? 'passed' : 'failed',
        applied: false,
        dryRun,
        requestedApproval: values['require-approval'],
        store: info.path,
        model,
        candidate: {
          version: candidate.version?.version ?? null,
          registered: candidate.version !== null,
          runId: candidate.run.runId,
          runName: candidate.run.runName,
          status: candidate.run.status,
        },
        target: 'stage' in target ? { stage: target.stage, archiveExisting: target.archiveExisting, alias: null } : { stage: null, archiveExisting: false, alias: target.alias },
        against: incumbent ? { ref: against as string, version: incumbent.version.version, runId: incumbent.version.runId } : null,
        gates: results,
        changes: passed ? changes : [],
        actor,
        summary: null,
        recorded: false,
      };

      // ---- write (or not) ----
      let failure: unknown = null;
      if (!dryRun && (passed || (values['audit-failures'] && candidate.version !== null))) {
        const { RegistryService } = await import('../engine/registry/index.ts');
        const svc = new RegistryService(engine, { busyTimeoutMs });
        try {
          const r = await svc.promote(info.id, {
            name: model,
            user: actor,
            candidate: candidate.version ? { version: candidate.version.version } : { register: { runId: candidate.run.runId, source: candidate.register as RegisterSource } },
            target,
            requestApproval: values['require-approval'],
            comment: values.comment ?? null,
            against: incumbent ? { ref: against as string, version: incumbent.version.version } : null,
            decision: passed ? 'passed' : 'failed',
            gates: results.map(auditGate),
            apply: passed,
          });
          decision.applied = passed;
          decision.recorded = true;
          decision.summary = r.summary;
          decision.candidate.version = r.version;
        } catch (e) {
          failure = e;
        }
      }
      if (failure !== null) {
        // Nothing was written (one transaction): report the decision as not applied, then the error.
        decision.changes = [];
        const { code, message } = classify(failure);
        decision.error = { exitCode: code, message };
      }
      if (values.report) await writeFile(values.report, markdownReport(decision));
      if (json) out.stdout(`${toJson(decision)}\n`);
      else out.stdout(humanReport(decision));
      if (failure !== null) return reportFailure('promote', failure, out, false, null);
      if (!passed) {
        const failed = results.filter((g) => !g.passed).map((g) => `${g.gate}${g.reason ? ` (${g.reason})` : ''}`);
        out.stderr(`runsight promote: gate failed: ${failed.join('; ')}${decision.recorded ? ' (decision recorded in the audit trail)' : '; nothing was written'}\n`);
        return EXIT.gateFailed;
      }
      return EXIT.ok;
    } finally {
      await dispose();
    }
  } catch (e) {
    return reportFailure('promote', e, out, json, PROMOTE_USAGE);
  }
}

// ---- parsing ------------------------------------------------------------------------------------

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

function canonical(stage: string): string | undefined {
  return STAGE_NAMES.find((s) => s.toLowerCase() === stage.trim().toLowerCase());
}

function osUser(): string {
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

function checkFinished(run: Run, allowUnfinished: boolean): void {
  if (run.status !== 'FINISHED' && !allowUnfinished) {
    throw noMatch(`Run ${run.runId} ("${run.runName}") is ${run.status}, not FINISHED: a candidate must be a finished run (--allow-unfinished to accept it)`);
  }
}

// ---- the registry as read -----------------------------------------------------------------------

function modelOrFail(m: RegisteredModel | null, name: string, info: StoreInfo): RegisteredModel {
  if (!m || m.isPrompt) throw noMatch(`Registered model "${name}" not found in ${info.path}`);
  return m;
}

function liveVersion(m: RegisteredModel | null, name: string, version: number, info: StoreInfo): ModelVersion {
  const model = modelOrFail(m, name, info);
  const v = model.versions.find((x) => x.version === version && x.currentStage !== 'Deleted_Internal');
  if (!v) {
    const live = model.versions.filter((x) => x.currentStage !== 'Deleted_Internal').map((x) => `v${x.version}`);
    throw noMatch(`${name} has no version ${version}; its versions: ${live.join(', ') || '(none)'}`);
  }
  return v;
}

function maxVersion(m: RegisteredModel | null): number {
  return (m?.versions ?? []).reduce((n, v) => Math.max(n, v.version), 0);
}

function resolveAgainst(engine: Engine, info: StoreInfo, m: RegisteredModel | null, name: string, ref: string): { version: ModelVersion; run: Run | null } {
  const model = modelOrFail(m, name, info);
  let version: number | null = null;
  if (ref.startsWith('@')) {
    version = model.aliases[ref.slice(1)] ?? null;
    if (version === null) {
      const aliases = Object.keys(model.aliases).map((a) => `@${a}`);
      throw noMatch(`${name} has no alias ${ref}; its aliases: ${aliases.join(', ') || '(none)'}`);
    }
  } else if (/^[0-9]+$/.test(ref)) {
    version = Number(ref);
  } else {
    const stage = canonical(ref);
    if (!stage) throw usageError(`Invalid --against "${ref}": @ALIAS, a stage (None, Staging, Production, Archived) or a version number`);
    const inStage = model.versions.filter((v) => v.currentStage === stage);
    if (inStage.length === 0) throw noMatch(`${name} has no version in ${stage}`);
    version = Math.max(...inStage.map((v) => v.version));
  }
  const v = liveVersion(model, name, version, info);
  return { version: v, run: v.runId ? engine.index.getRun({ storeId: info.id, runId: v.runId }) : null };
}

// ---- gates --------------------------------------------------------------------------------------

function metricOf(run: Run | null, key: string): number | null {
  const p = run?.metrics[key];
  return p ? p.value : null;
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function evalRequire(g: RequireGate, run: Run): GateResult {
  const v = metricOf(run, g.metric);
  const base = { kind: g.kind, gate: g.text, metric: g.metric, direction: null, op: g.op, observed: jsonNumber(v), candidate: jsonNumber(v), incumbent: null, threshold: g.threshold };
  if (v === null) return { ...base, passed: false, reason: `run ${run.runId} did not log ${g.metric}` };
  if (Number.isNaN(v)) return { ...base, passed: false, reason: `${g.metric} is NaN` };
  return { ...base, passed: compare(g.op, v, g.threshold), reason: null };
}

function evalGain(g: GainGate, cand: Run, inc: Run | null, incVersion: number | null): GateResult {
  const c = metricOf(cand, g.metric);
  const i = metricOf(inc, g.metric);
  const base = { kind: g.kind, gate: `${g.kind === 'min-gain' ? '--min-gain' : '--min-rel-gain'} ${g.text}`, metric: g.metric, direction: g.direction, op: '>=', candidate: jsonNumber(c), incumbent: jsonNumber(i), threshold: g.threshold };
  if (c === null) return { ...base, observed: null, passed: false, reason: `the candidate's run ${cand.runId} did not log ${g.metric}` };
  if (inc === null) return { ...base, observed: null, passed: false, reason: `the incumbent v${incVersion} has no run in this store` };
  if (i === null) return { ...base, observed: null, passed: false, reason: `the incumbent's run ${inc.runId} did not log ${g.metric}` };
  if (!Number.isFinite(c) || !Number.isFinite(i)) return { ...base, observed: null, passed: false, reason: `${g.metric} is not finite` };
  const gain = g.direction === 'max' ? c - i : i - c;
  const observed = g.kind === 'min-gain' ? gain : i === 0 ? (gain > 0 ? Number.POSITIVE_INFINITY : gain < 0 ? Number.NEGATIVE_INFINITY : 0) : gain / Math.abs(i);
  return { ...base, observed: jsonNumber(observed), passed: observed >= g.threshold, reason: null };
}

function auditGate(g: GateResult): AuditGate {
  const num = (v: number | string | null) => (typeof v === 'number' ? v : null);
  return { gate: g.gate, observed: num(g.observed), threshold: g.threshold, passed: g.passed };
}

// ---- the decision -------------------------------------------------------------------------------

interface Decision {
  decision: 'passed' | 'failed';
  applied: boolean;
  dryRun: boolean;
  requestedApproval: boolean;
  store: string;
  model: string;
  candidate: { version: number | null; registered: boolean; runId: string; runName: string; status: string };
  target: { stage: string | null; archiveExisting: boolean; alias: string | null };
  against: { ref: string; version: number; runId: string | null } | null;
  gates: GateResult[];
  changes: string[];
  actor: string;
  summary: string | null;
  /** A write was made (the change, or a failed decision with --audit-failures). */
  recorded: boolean;
  error?: { exitCode: number; message: string };
}

function plannedChanges(a: {
  model: string;
  registered: RegisteredModel | null;
  candidate: { version: ModelVersion | null; run: Run; registerLabel: string | null };
  nextVersion: number;
  target: { stage: string; archiveExisting: boolean } | { alias: string };
  requestApproval: boolean;
}): string[] {
  const out: string[] = [];
  const v = a.nextVersion;
  const from = a.candidate.version?.currentStage ?? 'None';
  if (!a.candidate.version) out.push(`register ${a.candidate.registerLabel} of run ${a.candidate.run.runId} as ${a.model} v${v}${a.registered ? '' : ' (new registered model)'}`);
  if ('stage' in a.target) {
    if (a.requestApproval) out.push(`request moving ${a.model} v${v} from ${from} to ${a.target.stage} (review flow: applied when a reviewer approves)`);
    else {
      out.push(from === a.target.stage ? `${a.model} v${v} stays in ${a.target.stage}` : `move ${a.model} v${v} from ${from} to ${a.target.stage}`);
      if (a.target.archiveExisting) {
        const stage = a.target.stage;
        for (const o of a.registered?.versions ?? []) if (o.version !== v && o.currentStage === stage) out.push(`archive ${a.model} v${o.version} (was ${stage})`);
      }
    }
  } else {
    const before = a.registered?.aliases[a.target.alias];
    out.push(
      before === undefined
        ? `set alias @${a.target.alias} on ${a.model} v${v}`
        : before === v
          ? `alias @${a.target.alias} already on ${a.model} v${v}`
          : `move alias @${a.target.alias} of ${a.model} from v${before} to v${v}`,
    );
  }
  out.push(`append the decision to the audit trail of ${a.model} v${v} (tag runsight.audit)`);
  return out;
}

function fmt(v: number | string | null, kind?: GateResult['kind']): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  if (kind === 'min-rel-gain') return `${Number((v * 100).toPrecision(6))}%`;
  return String(Number(v.toPrecision(6)));
}

function verdictLine(d: Decision): string {
  if (d.error) return `not applied: ${d.error.message}`;
  if (d.decision === 'failed') return d.recorded ? 'gate failed — nothing changed (decision recorded in the audit trail)' : 'gate failed — nothing was written';
  if (d.dryRun) return 'passed — dry run, nothing was written';
  return d.requestedApproval ? 'passed — transition requested for review' : 'passed — applied';
}

function humanReport(d: Decision): string {
  const lines: string[] = [];
  const cand = d.candidate.version !== null && d.candidate.registered ? `v${d.candidate.version} (run ${d.candidate.runId})` : `run ${d.candidate.runId} (${d.candidate.runName})`;
  lines.push(`${d.model}: candidate ${cand}${d.against ? `, against ${d.against.ref} = v${d.against.version}` : ''}`);
  for (const g of d.gates) {
    const cmp = g.kind === 'require' ? `${fmt(g.observed)} ${g.op} ${g.threshold}` : `gain ${fmt(g.observed, g.kind)} (${fmt(g.candidate)} vs ${fmt(g.incumbent)}) >= ${fmt(g.threshold, g.kind)}`;
    lines.push(`  ${g.passed ? 'PASS' : 'FAIL'}  ${g.gate}: ${cmp}${g.reason ? ` — ${g.reason}` : ''}`);
  }
  if (d.gates.length === 0) lines.push('  (no gates)');
  lines.push(`Decision: ${verdictLine(d)}`);
  if (d.changes.length > 0) {
    lines.push(d.applied ? 'Changed:' : d.dryRun ? 'Would change:' : 'Changes:');
    for (const c of d.changes) lines.push(`  - ${c}`);
  }
  return `${lines.join('\n')}\n`;
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownReport(d: Decision): string {
  const ok = d.decision === 'passed' && !d.error;
  const lines: string[] = [];
  lines.push(`### Runsight promotion gate: ${ok ? 'passed ✅' : 'failed ❌'} — \`${mdEscape(d.model)}\``);
  lines.push('');
  const cand = d.candidate.registered ? `v${d.candidate.version} · run \`${d.candidate.runId}\` (${mdEscape(d.candidate.runName)})` : `run \`${d.candidate.runId}\` (${mdEscape(d.candidate.runName)}), not registered yet`;
  const target = d.target.stage ? `stage **${d.target.stage}**${d.target.archiveExisting ? ' (archive existing)' : ''}` : `alias **@${mdEscape(d.target.alias ?? '')}**`;
  lines.push(`- Candidate: ${cand}`);
  lines.push(`- Target: ${target}${d.requestedApproval ? ' — through review' : ''}`);
  if (d.against) lines.push(`- Against: \`${mdEscape(d.against.ref)}\` = v${d.against.version}${d.against.runId ? ` · run \`${d.against.runId}\`` : ''}`);
  lines.push(`- Decision: **${verdictLine(d)}**${d.actor ? ` · by ${mdEscape(d.actor)}` : ''}`);
  lines.push('');
  if (d.gates.length > 0) {
    lines.push('| Gate | Candidate | Incumbent | Observed | Threshold | Result |');
    lines.push('| --- | ---: | ---: | ---: | ---: | --- |');
    for (const g of d.gates) {
      const thr = g.kind === 'require' ? `${g.op} ${g.threshold}` : `≥ ${fmt(g.threshold, g.kind)}`;
      const observed = g.kind === 'require' ? fmt(g.observed) : `${fmt(g.observed, g.kind)} (${g.direction === 'max' ? 'higher' : 'lower'} is better)`;
      lines.push(
        `| \`${mdEscape(g.gate)}\` | ${fmt(g.candidate)} | ${g.kind === 'require' ? '' : fmt(g.incumbent)} | ${observed} | ${thr} | ${g.passed ? '✅ pass' : `❌ fail${g.reason ? ` — ${mdEscape(g.reason)}` : ''}`} |`,
      );
    }
    lines.push('');
  } else {
    lines.push('No gates were given.');
    lines.push('');
  }
  if (d.changes.length > 0) {
    lines.push(d.applied ? '**Changed:**' : d.dryRun ? '**Would change (dry run):**' : '**Changes:**');
    for (const c of d.changes) lines.push(`- ${mdEscape(c)}`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

