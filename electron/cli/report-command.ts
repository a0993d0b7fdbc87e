// `runsight report`: the compare view's export from a shell — the same ReportDocument the app
// builds, rendered to HTML, PDF, Markdown or CSV and written atomically.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { APP_VERSION } from '../engine/backend/index.ts';
import { buildReportDocument } from '../engine/backend/report/document.ts';
import { REPORT_EXT, assetsDirFor, renderReport, writeReportFiles } from '../engine/backend/report/export.ts';
import { REPORT_FORMATS, REPORT_SECTIONS, type ReportFormat, type ReportRequest, type ReportSection } from '../engine/backend/report/types.ts';
import { Engine, EngineError } from '../engine/engine.ts';
import { QueryError } from '../engine/index/index.ts';
import { toJson } from './json-out.ts';

export const REPORT_USAGE = `Usage: runsight report <folder|store> (--runs ID... | --filter EXPR) --format FORMAT --out PATH [options]

A comparison report of runs: summary table, differing params, the best run with its rationale,
charts (parallel coordinates, scatter, metric curves), shared image artifacts, reproducibility
and registry state. The app's Export button writes the same report.

Runs:
  --runs ID[,ID...]        these runs (repeatable; ids may also follow the store path)
  --filter EXPR            MLflow search syntax, with OR and parentheses (as the runs table)
  --experiment NAME        search only this experiment (repeatable; name or id)
  --order-by "KEY [ASC|DESC]"  repeatable, e.g. "metrics.val_loss ASC"
  --max-results N          most runs in a filtered report (default 1000)
Contents:
  --best KEY --max|--min   the best run by this metric, with the runner-up and the gap
  --title TEXT, --notes TEXT
  --sections LIST          comma-separated subset of: ${REPORT_SECTIONS.join(', ')}
  --metric-history         CSV: every metric point in long form (run_id, key, step, timestamp, value)
Output:
  --format FORMAT          html (one self-contained file), pdf, md (+ PNGs in <name>-assets/), csv
  --out PATH               the file to write (refused if it exists, unless --force)
  --force                  replace an existing file
  --json                   print what was written as JSON

PDF and the Markdown charts need Chromium or Chrome (found at /usr/bin/chromium and the usual
places, or RUNSIGHT_CHROMIUM=/path).

Exit codes: 0 written; 1 could not write; 2 usage error (bad filter, unknown option, existing
--out); 3 no matching run or metric; 4 store unreadable.
`;

class Usage extends Error {}

function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export async function runReportCommand(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        runs: { type: 'string', multiple: true },
        filter: { type: 'string' },
        experiment: { type: 'string', multiple: true },
        'order-by': { type: 'string', multiple: true },
        'max-results': { type: 'string' },
        best: { type: 'string' },
        max: { type: 'boolean', default: false },
        min: { type: 'boolean', default: false },
        title: { type: 'string' },
        notes: { type: 'string' },
        sections: { type: 'string' },
        'metric-history': { type: 'boolean', default: false },
        format: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    return usage((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(REPORT_USAGE);
    return 0;
  }
  try {
    return await report(values, positionals);
  } catch (e) {
    if (e instanceof Usage) return usage(e.message);
    if (e instanceof QueryError) return usage(`--filter: ${e.message}`);
    throw e;
  }
}

function usage(message: string): number {
  process.stderr.write(`runsight report: ${message}\n\nRun "runsight report --help" for the options.\n`);
  return 2;
}

async function report(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number> {
  const [target, ...extraIds] = positionals;
  if (!target) throw new Usage('missing <folder|store>');
  const format = values.format as string | undefined;
  if (!format || !REPORT_FORMATS.includes(format as ReportFormat)) throw new Usage(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
  const out = values.out as string | undefined;
  if (!out) throw new Usage(`missing --out PATH (e.g. --out report${REPORT_EXT[format as ReportFormat]})`);
  const runIds = [...list(values.runs as string[] | undefined), ...(values.runs ? extraIds : [])];
  if (!values.runs && extraIds.length > 0) throw new Usage(`unexpected argument "${extraIds[0]}" (run ids go after --runs)`);
  const filter = values.filter as string | undefined;
  if (runIds.length > 0 && filter) throw new Usage('give --runs or --filter, not both');
  if (values.max && values.min) throw new Usage('give --max or --min, not both');
  const bestKey = values.best as string | undefined;
  if (bestKey && !values.max && !values.min) throw new Usage('--best needs --max or --min');
  if (!bestKey && (values.max || values.min)) throw new Usage('--max/--min go with --best KEY');
  let sections: ReportSection[] | undefined;
  if (values.sections) {
    sections = list([values.sections as string]) as ReportSection[];
    const bad = sections.filter((s) => !REPORT_SECTIONS.includes(s));
    if (bad.length) throw new Usage(`unknown section ${bad.join(', ')} (known: ${REPORT_SECTIONS.join(', ')})`);
  }
  const maxResults = values['max-results'] === undefined ? undefined : Number(values['max-results']);
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1)) throw new Usage('--max-results must be a positive integer');

  const engine = await Engine.create({ watch: false });
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    let opened;
    try {
      opened = await engine.openProject(target);
    } catch (e) {
      process.stderr.write(`runsight report: cannot read ${target}: ${(e as Error).message}\n`);
      return 4;
    }
    if (opened.stores.length === 0) {
      process.stderr.write(`runsight report: no MLflow store found in ${path.resolve(target)}\n`);
      return 4;
    }
    let storeId = opened.stores.length === 1 ? opened.stores[0]?.id : undefined;
    if (!storeId && runIds.length > 0) storeId = opened.stores.find((s) => engine.index.getRun({ storeId: s.id, runId: runIds[0] as string }))?.id;
    if (!storeId) throw new Usage(`${target} holds ${opened.stores.length} stores; give one of them: ${opened.stores.map((s) => s.path).join(', ')}`);

    const experimentIds: string[] = [];
    const experiments = engine.index.listExperiments({ storeId, lifecycle: 'all' });
    for (const name of list(values.experiment as string[] | undefined)) {
      const e = experiments.find((x) => x.name === name) ?? experiments.find((x) => x.experimentId === name);
      if (!e) {
        process.stderr.write(`runsight report: no experiment "${name}"; there are: ${experiments.map((x) => x.name).join(', ')}\n`);
        return 3;
      }
      experimentIds.push(e.experimentId);
    }
    const request: ReportRequest = {
      storeId,
      runIds: runIds.length ? runIds : undefined,
      experimentIds,
      filter,
      orderBy: list(values['order-by'] as string[] | undefined).length ? (values['order-by'] as string[]) : undefined,
      maxResults,
      title: values.title as string | undefined,
      notes: values.notes as string | undefined,
      best: bestKey ? { metric: bestKey.replace(/^metrics\./, ''), direction: values.max ? 'max' : 'min' } : null,
      sections,
      metricHistory: values['metric-history'] as boolean,
    };
    const doc = await buildReportDocument(engine, request, { version: APP_VERSION, checkpoint: () => controller.signal.throwIfAborted() });
    if (doc.runs.length === 0) {
      process.stderr.write(`runsight report: no run matches${runIds.length ? ` (not found: ${doc.manifest.missingRunIds.join(', ')})` : ''}; nothing written\n`);
      return 3;
    }
    if (request.best && !doc.columns.metrics.includes(request.best.metric)) {
      process.stderr.write(`runsight report: no run logged the metric "${request.best.metric}"; metrics: ${doc.columns.metrics.join(', ') || 'none'}\n`);
      return 3;
    }
    let files;
    try {
      files = await renderReport(doc, format as ReportFormat, { fileName: out, signal: controller.signal });
    } catch (e) {
      if ((e as Error).name === 'AbortError') return interrupted();
      process.stderr.write(`runsight report: ${(e as Error).message}\n`);
      return 1;
    }
    let written: string[];
    try {
      written = await writeReportFiles(out, files, { force: values.force as boolean, signal: controller.signal });
    } catch (e) {
      if ((e as Error).name === 'AbortError') return interrupted();
      const exists = e instanceof EngineError && e.code === 'INVALID_ARGUMENT';
      process.stderr.write(`runsight report: ${(e as Error).message}\n`);
      return exists ? 2 : 1;
    }
    for (const w of files.warnings) process.stderr.write(`warning: ${w}\n`);
    const summary = {
      path: written[0],
      format,
      bytes: files.main.length,
      files: written,
      assetsDir: format === 'md' && files.assets.length ? path.join(path.dirname(path.resolve(out)), assetsDirFor(out)) : null,
      runs: doc.runs.length,
      best: doc.best ? { metric: doc.best.metric, direction: doc.best.direction, winner: doc.best.winner, rationale: doc.best.rationale } : null,
      warnings: files.warnings,
      manifest: doc.manifest,
    };
    if (values.json) process.stdout.write(`${toJson(summary)}\n`);
    else process.stdout.write(`${written[0]}  (${format}, ${doc.runs.length} runs, ${Math.round(files.main.length / 1024)} KiB${written.length > 1 ? `, ${written.length - 1} asset files` : ''})\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    await engine.dispose();
  }
}

function interrupted(): number {
  process.stderr.write('runsight report: interrupted; nothing written\n');
  return 130;
}
