#!/usr/bin/env node
// `runsight` — the engine from a terminal, for scripts and CI. Every command prints JSON with
// --json, exits 0 on success, 1 on a failure it can explain, 2 on wrong usage.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveOneStore } from '../engine/discovery.ts';
import { dumpStore } from '../engine/dump-store.ts';
import { Engine } from '../engine/engine.ts';
import { toJson } from './json-out.ts';

const USAGE = `Usage: runsight <command> [options]

Commands:
  inspect <folder> [--json]            stores, experiments, run counts and diagnostics
  dump <store> [--registry] [--json]   the whole store as JSON, in MLflow's own dump shape
                                       (<store>: an mlruns folder, an mlflow.db, or a project
                                       folder holding exactly one store)
  serve [folder] [--port N]            browser mode: the app on http://127.0.0.1 with a
                                       per-launch token (printed URL); --polling for
                                       network mounts
  registry <command> <store> ...       model registry: register, transition, alias, list
                                       (runsight registry --help)
  report <folder|store> (--runs ID... | --filter EXPR) --format html|pdf|md|csv --out PATH
                                       a comparison report (runsight report --help)
  runs <store> [--filter EXPR] ...     search runs (MLflow syntax, OR, parentheses) as a
                                       table, JSON or CSV
  best <store> --metric KEY --max|--min
                                       the best run's id (or --json with value, runner-up)
  promote <store> --model NAME ...     gated promotion: --require, --against @champion
                                       --min-gain, --dry-run, --report, audit trail

  runsight <command> --help            each command's options and exit codes

Options:
  -h, --help                           this help
`;

const COMMAND_USAGE: Record<string, string> = {
  inspect: `Usage: runsight inspect <folder> [--json]

Every MLflow store found in <folder> (file stores and SQLite databases, two levels deep), with
its experiments, run counts, registered models and the problems met while reading.
Exit codes: 0 done, 1 a failure (message on stderr), 2 usage error.
`,
  dump: `Usage: runsight dump <store> [--registry]

The whole store as JSON, in the shape of MLflow's own client dump (expected-runs.json; with
--registry: the model registry, expected-registry.json). <store>: an mlruns folder, an
mlflow.db, or a project folder holding exactly one store.
Exit codes: 0 done, 1 a failure (message on stderr), 2 usage error.
`,
  serve: `Usage: runsight serve [folder] [--port N] [--polling] [--token T]

Browser mode: the app on http://127.0.0.1:<port> with a per-launch token (the URL is printed).
Without a folder it opens a generated demo project. --polling watches by polling (network
mounts); --port 0 (default) picks a free port.
`,
};

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  // The registry commands have their own options (and usage text): parsed there.
  if (argv[0] === 'registry') return (await import('./registry-command.ts')).runRegistryCommand(argv.slice(1));
  if (argv[0] === 'report') return (await import('./report-command.ts')).runReportCommand(argv.slice(1));
  if (argv[0] === 'runs') return (await import('./runs-command.ts')).runRunsCommand(argv.slice(1));
  if (argv[0] === 'best') return (await import('./runs-command.ts')).runBestCommand(argv.slice(1));
  if (argv[0] === 'promote') return (await import('./promote-command.ts')).runPromoteCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      registry: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      port: { type: 'string' },
      polling: { type: 'boolean', default: false },
      token: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help && command && command in COMMAND_USAGE) {
    process.stdout.write(COMMAND_USAGE[command] as string);
    return 0;
  }
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'inspect':
      return inspect(requireArg(rest, 'folder'), values.json);
    case 'dump':
      return dump(requireArg(rest, 'store'), values.registry);
    case 'serve':
      return serve(rest[0] ?? null, { port: values.port, polling: values.polling, token: values.token });
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

function requireArg(rest: string[], name: string): string {
  const v = rest[0];
  if (!v) throw new UsageError(`Missing <${name}>`);
  return v;
}


async function serve(
  folder: string | null,
  opts: { port?: string; polling: boolean; token?: string },
): Promise<number> {
  const { runServe } = await import('../serve/serve-command.ts');
  return runServe(folder, { port: opts.port ? Number(opts.port) : 0, polling: opts.polling, token: opts.token });
}

async function dump(target: string, registry: boolean): Promise<number> {
  const info = await resolveOneStore(target);
  const out = await dumpStore(info);
  process.stdout.write(`${toJson(registry ? out.registry : out.runs)}\n`);
  for (const d of out.diagnostics) process.stderr.write(`warning: ${d.path}: ${d.problem}\n`);
  return 0;
}

async function inspect(folder: string, json: boolean): Promise<number> {
  const engine = await Engine.create({ watch: false });
  try {
    const { stores } = await engine.openProject(folder);
    const report = stores.map((s) => ({
      kind: s.kind,
      path: s.path,
      schemaRevision: s.schemaRevision ?? null,
      experiments: engine.index.listExperiments({ storeId: s.id, lifecycle: 'all' }).map((e) => ({
        experimentId: e.experimentId,
        name: e.name,
        lifecycleStage: e.lifecycleStage,
        runs: e.runCounts,
      })),
      registeredModels: engine.index.listRegisteredModels({ storeId: s.id }).length,
    }));
    const diagnostics = engine.diagnostics();
    if (json) {
      process.stdout.write(`${toJson({ folder: path.resolve(folder), stores: report, diagnostics })}\n`);
      return 0;
    }
    if (report.length === 0) process.stdout.write(`No MLflow store found in ${path.resolve(folder)}\n`);
    for (const s of report) {
      process.stdout.write(`${s.kind === 'file' ? 'file store' : 'SQLite store'}  ${s.path}`);
      process.stdout.write(s.schemaRevision ? `  (schema ${s.schemaRevision})\n` : '\n');
      for (const e of s.experiments) {
        const deleted = e.lifecycleStage === 'deleted' ? '  [deleted]' : '';
        const runs = `${e.runs.active} run${e.runs.active === 1 ? '' : 's'}${e.runs.deleted ? `, ${e.runs.deleted} deleted` : ''}`;
        process.stdout.write(`  ${e.experimentId.padEnd(20)} ${e.name}  —  ${runs}${deleted}\n`);
      }
      process.stdout.write(`  registered models: ${s.registeredModels}\n`);
    }
    if (diagnostics.length > 0) {
      process.stdout.write(`\n${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'}:\n`);
      for (const d of diagnostics) process.stdout.write(`  ${d.path}: ${d.problem}\n`);
    }
    return 0;
  } finally {
    await engine.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`runsight: ${(e as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`runsight: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
