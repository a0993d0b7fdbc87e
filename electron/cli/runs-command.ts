// `runsight runs` (search runs from the shell, MLflow's grammar plus OR / parentheses, as the app)
// and `runsight best` (the best run by one metric, for `$(runsight best …)` in a pipeline).
// Both read the store once through the engine's index; exit codes in ci-common.ts.
import { parseArgs } from 'node:util';
import type { RunRow } from '../engine/index/types.ts';
import { TIE_RULE, selectBest, type Direction } from './best-run.ts';
import {
  EXIT,
  EXIT_CODES_HELP,
  allRuns,
  jsonNumber,
  list,
  noMatch,
  openStore,
  processOut,
  reportFailure,
  resolveExperiments,
  usageError,
  warnDiagnostics,
  withQueryErrors,
  type Out,
  oneStore,
} from './ci-common.ts';
import { toJson } from './json-out.ts';

const STORE_ARG = `<store>: an mlruns folder, an mlflow.db, or a project folder holding exactly one store.`;

export const RUNS_USAGE = `Usage: runsight runs <store> [options]

Searches the active runs of a store with MLflow's search syntax.
${STORE_ARG}

Options:
  --experiment NAME      only this experiment (name or id; repeatable); default: all
  --filter EXPR          MLflow filter, plus OR, parentheses and NOT, e.g.
                         "metrics.r2_score > 0.4 AND (params.max_depth = '5' OR params.max_depth = '10')"
  --order-by TERM        e.g. "metrics.val_loss ASC" (repeatable; default: newest first)
  --max-results N        at most N runs (default 1000)
  --columns LIST         comma-separated: run_id, run_name, status, start_time, end_time,
                         user_id, experiment_id, metrics.KEY, params.KEY, tags.KEY (repeatable)
  --format F             table | json | csv (default: table on a terminal, else json)
  -h, --help             this help

JSON: {"total": <matches>, "runs": [...]}; NaN and ±Infinity as the strings "NaN",
"Infinity", "-Infinity". With --columns each run is an object keyed by those columns.

${EXIT_CODES_HELP}`;

export const BEST_USAGE = `Usage: runsight best <store> --metric KEY (--max | --min) [options]

Prints the id of the best run by one metric (plain, so $(runsight best …) works), or with
--json an object with its value, the runner-up and the gap.
${STORE_ARG}

Options:
  --metric KEY           the metric (as logged, without "metrics.")
  --max | --min          higher is better | lower is better
  --experiment NAME      only this experiment (name or id; repeatable); default: all
  --filter EXPR          only runs matching this filter (MLflow syntax plus OR / parentheses)
  --finished-only        only runs with status FINISHED
  --json                 {runId, runName, experimentId, metric, direction, value, considered,
                         withMetric, missing, nonFinite, runnerUp, gap, tie, tieRule}
  -h, --help             this help

Which runs compete: the active runs matching the options that logged a finite value of KEY.
Runs without KEY are counted in "missing"; NaN / ±Infinity values in "nonFinite".
Tie rule: ${TIE_RULE}.

${EXIT_CODES_HELP}`;

// ---- runs -----------------------------------------------------------------------------------------

export async function runRunsCommand(argv: string[], out: Out = processOut): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        experiment: { type: 'string', multiple: true },
        filter: { type: 'string' },
        'order-by': { type: 'string', multiple: true },
        'max-results': { type: 'string' },
        columns: { type: 'string', multiple: true },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      out.stdout(RUNS_USAGE);
      return EXIT.ok;
    }
    const store = oneStore(positionals);
    const format = values.format ?? (out.isTTY ? 'table' : 'json');
    if (!['table', 'json', 'csv'].includes(format)) throw usageError(`Invalid --format "${format}": use table, json or csv`);
    json = format === 'json';
    const max = values['max-results'] === undefined ? 1000 : positiveInt(values['max-results'], '--max-results');
    const columns = list(values.columns).flatMap((c) => c.split(',').map((x) => x.trim()).filter(Boolean)).map(parseColumn);

    const { engine, info, dispose } = await openStore(store);
    try {
      warnDiagnostics(engine, 'runs', out);
      const experiments = resolveExperiments(engine, info, list(values.experiment));
      const orderBy = list(values['order-by']);
      const query = { storeId: info.id, experimentIds: experiments.map((e) => e.experimentId), filter: values.filter ?? '', orderBy };
      const { rows, total } = allRuns(engine, query, max);
      const cols = columns.length > 0 ? columns : defaultColumns(rows);
      if (format === 'json') {
        const runs = columns.length > 0 ? rows.map((r) => Object.fromEntries(cols.map((c) => [c.label, jsonCell(r, c)]))) : rows.map(runJson);
        out.stdout(`${toJson({ total, runs })}\n`);
      } else if (format === 'csv') {
        out.stdout(toCsv([cols.map((c) => c.label), ...rows.map((r) => cols.map((c) => textCell(r, c, 'csv')))]));
      } else {
        out.stdout(toTable(cols.map((c) => c.label), rows.map((r) => cols.map((c) => textCell(r, c, 'table')))));
        out.stdout(`${rows.length} of ${total} run${total === 1 ? '' : 's'}\n`);
      }
      return EXIT.ok;
    } finally {
      await dispose();
    }
  } catch (e) {
    return reportFailure('runs', e, out, json, RUNS_USAGE);
  }
}

interface Column {
  label: string;
  kind: 'attr' | 'metric' | 'param' | 'tag';
  key: string;
}

const ATTRIBUTES: Record<string, (r: RunRow) => string | number | null> = {
  run_id: (r) => r.runId,
  run_name: (r) => r.runName,
  status: (r) => r.status,
  start_time: (r) => r.startTime,
  end_time: (r) => r.endTime,
  user_id: (r) => r.userId,
  experiment_id: (r) => r.experimentId,
  artifact_uri: (r) => r.artifactUri,
  lifecycle_stage: (r) => r.lifecycleStage,
  parent_run_id: (r) => r.parentRunId,
};

const PREFIXES: Record<string, Column['kind']> = {
  metrics: 'metric',
  metric: 'metric',
  params: 'param',
  param: 'param',
  parameters: 'param',
  tags: 'tag',
  tag: 'tag',
  attributes: 'attr',
  attribute: 'attr',
  attr: 'attr',
};

function parseColumn(text: string): Column {
  const dot = text.indexOf('.');
  const prefix = dot > 0 ? PREFIXES[text.slice(0, dot)] : undefined;
  if (prefix) {
    const key = text.slice(dot + 1).replace(/^[`"](.*)[`"]$/, '$1');
    if (prefix === 'attr' && !(key in ATTRIBUTES)) throw usageError(`Unknown attribute column "${text}": use ${Object.keys(ATTRIBUTES).join(', ')}`);
    if (key === '') throw usageError(`Invalid column "${text}"`);
    return { label: prefix === 'attr' ? key : text, kind: prefix, key };
  }
  if (text in ATTRIBUTES) return { label: text, kind: 'attr', key: text };
  throw usageError(`Unknown column "${text}": an attribute (${Object.keys(ATTRIBUTES).join(', ')}) or metrics.KEY, params.KEY, tags.KEY`);
}

function defaultColumns(rows: RunRow[]): Column[] {
  const metrics = new Set<string>();
  const params = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r.metrics)) metrics.add(k);
    for (const k of Object.keys(r.params)) params.add(k);
  }
  return [
    ...['run_id', 'run_name', 'status', 'start_time'].map((k) => ({ label: k, kind: 'attr' as const, key: k })),
    ...[...metrics].sort().map((k) => ({ label: `metrics.${k}`, kind: 'metric' as const, key: k })),
    ...[...params].sort().map((k) => ({ label: `params.${k}`, kind: 'param' as const, key: k })),
  ];
}

function rawCell(r: RunRow, c: Column): string | number | null {
  switch (c.kind) {
    case 'attr':
      return (ATTRIBUTES[c.key] as (r: RunRow) => string | number | null)(r);
    case 'metric':
      return r.metrics[c.key]?.value ?? null;
    case 'param':
      return r.params[c.key] ?? null;
    case 'tag':
      return r.tags[c.key] ?? null;
  }
}

function jsonCell(r: RunRow, c: Column): string | number | null {
  const v = rawCell(r, c);
  return typeof v === 'number' ? jsonNumber(v) : v;
}

function textCell(r: RunRow, c: Column, mode: 'table' | 'csv'): string {
  const v = rawCell(r, c);
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (c.kind === 'attr') return mode === 'table' ? new Date(v).toISOString().replace('T', ' ').slice(0, 19) : String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  return mode === 'table' ? String(Number(v.toPrecision(6))) : String(v);
}

function runJson(r: RunRow) {
  return {
    runId: r.runId,
    runName: r.runName,
    experimentId: r.experimentId,
    status: r.status,
    startTime: r.startTime,
    endTime: r.endTime,
    userId: r.userId,
    lifecycleStage: r.lifecycleStage,
    artifactUri: r.artifactUri,
    parentRunId: r.parentRunId,
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, jsonNumber(m.value)])),
    params: r.params,
    tags: r.tags,
  };
}

/** RFC 4180: every field that needs it quoted, CRLF line ends. */
export function toCsv(rows: string[][]): string {
  return rows.map((r) => r.map((f) => (/[",\r\n]/.test(f) || /^\s|\s$/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(',')).join('\r\n') + '\r\n';
}

function toTable(header: string[], rows: string[][]): string {
  const clip = (s: string) => {
    const one = s.replace(/\s+/g, ' ');
    return one.length > 40 ? `${one.slice(0, 39)}…` : one;
  };
  const cells = [header, ...rows].map((r) => r.map(clip));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`;
  return [line(cells[0] as string[]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('');
}

function positiveInt(text: string, flag: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) throw usageError(`Invalid ${flag} "${text}": a positive whole number`);
  return Number(text);
}

// ---- best -----------------------------------------------------------------------------------------

export async function runBestCommand(argv: string[], out: Out = processOut): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        metric: { type: 'string' },
        max: { type: 'boolean', default: false },
        min: { type: 'boolean', default: false },
        experiment: { type: 'string', multiple: true },
        filter: { type: 'string' },
        'finished-only': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    json = values.json;
    if (values.help) {
      out.stdout(BEST_USAGE);
      return EXIT.ok;
    }
    const store = oneStore(positionals);
    const metric = metricKey(values.metric, '--metric');
    const dir = direction(values.max, values.min);

    const { engine, info, dispose } = await openStore(store);
    try {
      warnDiagnostics(engine, 'best', out);
      const experiments = resolveExperiments(engine, info, list(values.experiment));
      const found = findBest(engine, {
        storeId: info.id,
        experimentIds: experiments.map((e) => e.experimentId),
        filter: values.filter ?? '',
        finishedOnly: values['finished-only'],
        metric,
        dir,
      });
      const { best, runnerUp } = found;
      if (json) {
        out.stdout(
          `${toJson({
            runId: best.row.runId,
            runName: best.row.runName,
            experimentId: best.row.experimentId,
            metric,
            direction: dir,
            value: best.value,
            considered: found.considered,
            withMetric: found.withMetric,
            missing: found.missing,
            nonFinite: found.nonFinite,
            runnerUp: runnerUp ? { runId: runnerUp.row.runId, runName: runnerUp.row.runName, value: runnerUp.value } : null,
            gap: found.gap,
            tie: found.tie,
            tieRule: TIE_RULE,
          })}\n`,
        );
      } else {
        out.stdout(`${best.row.runId}\n`);
      }
      return EXIT.ok;
    } finally {
      await dispose();
    }
  } catch (e) {
    return reportFailure('best', e, out, json, BEST_USAGE);
  }
}

/** The best run, or exit 3 saying why there is none (no run matched; nobody logged the metric). */
export function findBest(
  engine: Parameters<typeof allRuns>[0],
  q: { storeId: string; experimentIds: string[]; filter: string; finishedOnly: boolean; metric: string; dir: Direction },
) {
  const { rows } = withQueryErrors(() => allRuns(engine, { storeId: q.storeId, experimentIds: q.experimentIds, filter: q.filter }), { filter: q.filter });
  const considered = q.finishedOnly ? rows.filter((r) => r.status === 'FINISHED') : rows;
  if (considered.length === 0) {
    const why = rows.length > 0 ? ` (${rows.length} matched, none FINISHED)` : '';
    throw noMatch(`No run matches${q.filter ? ` --filter "${q.filter}"` : ''}${why}`);
  }
  const outcome = selectBest(considered, q.metric, q.dir);
  if (!outcome.ok) {
    if (outcome.nonFinite > 0) throw noMatch(`Metric "${q.metric}" is NaN or infinite in all ${outcome.nonFinite} runs that logged it (of ${outcome.considered} considered)`);
    throw noMatch(
      `None of the ${outcome.considered} run${outcome.considered === 1 ? '' : 's'} considered logged metric "${q.metric}"; the metrics they logged:`,
      outcome.loggedKeys.length > 0 ? outcome.loggedKeys.map((k) => `  ${k}`).join('\n') : '  (none)',
    );
  }
  return outcome.result;
}

export function metricKey(v: string | undefined, flag: string): string {
  if (v === undefined || v.trim() === '') throw usageError(`Missing ${flag} KEY`);
  return v.startsWith('metrics.') ? v.slice('metrics.'.length) : v;
}

export function direction(max: boolean, min: boolean): Direction {
  if (max === min) throw usageError(max ? 'Give --max or --min, not both' : 'Give --max (higher is better) or --min (lower is better)');
  return max ? 'max' : 'min';
}
