// What the CI commands (`runs`, `best`, `promote`) share: the exit codes a pipeline branches on,
// opening one store read-only for queries, and turning every failure into its code and one clear
// message on stderr (stdout carries only data).
//
// Exit codes (documented in each command's --help and the README's "Use in CI"):
//   0  done (promote: every gate passed, and the change was applied unless --dry-run)
//   1  a gate failed (promote; nothing was written), or an unexpected error
//   2  usage error: unknown option, missing argument, a filter/order-by/--require that does not parse
//   3  nothing to act on: no run matches, a metric nobody logged, an unknown experiment / model /
//      version / alias, a candidate run that is not FINISHED
//   4  the store: not found or unreadable, locked by another writer, read-only, unknown schema
import path from 'node:path';
import type { Engine } from '../engine/engine.ts';
import type { StoreInfo } from '../engine/model.ts';
import type { ExperimentSummary, RunQuery, RunRow } from '../engine/index/types.ts';

export const EXIT = { ok: 0, gateFailed: 1, usage: 2, noMatch: 3, store: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  done
  1  a gate failed (promote: nothing was written), or an unexpected error
  2  usage error (unknown option, a filter or --require that does not parse)
  3  no matching run, a metric nobody logged, unknown experiment / model / version /
     alias, or a candidate run that is not FINISHED
  4  store not found or unreadable, locked by another writer, read-only, or of a schema
     revision Runsight does not know
`;

/** A failure with its exit code; `detail` is printed on the lines after the message. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly detail: string | null;
  constructor(exitCode: ExitCode, message: string, detail: string | null = null) {
    super(message);
    this.exitCode = exitCode;
    this.detail = detail;
  }
}

export const usageError = (message: string, detail: string | null = null) => new CliError(EXIT.usage, message, detail);
export const noMatch = (message: string, detail: string | null = null) => new CliError(EXIT.noMatch, message, detail);
export const storeError = (message: string) => new CliError(EXIT.store, message);

/** The one `<store>` argument a command takes (usage error when missing or followed by more). */
export function oneStore(positionals: readonly string[]): string {
  const [store, ...extra] = positionals;
  if (!store) throw usageError('Missing <store>');
  if (extra.length > 0) throw usageError(`Unexpected argument "${extra[0]}"`);
  return store;
}

export interface Out {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Whether stdout is a terminal (the default format of `runs` follows it). */
  isTTY: boolean;
}

export const processOut: Out = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: process.stdout.isTTY === true,
};

/**
 * The exit code and message for anything a command throws: CliError as is; the engine's codes
 * (NOT_FOUND → 3, INVALID_ARGUMENT → 2, store problems → 4); parseArgs errors → 2.
 */
export function classify(e: unknown): { code: ExitCode; message: string; detail: string | null } {
  if (e instanceof CliError) return { code: e.exitCode, message: e.message, detail: e.detail };
  const message = e instanceof Error ? e.message : String(e);
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : '';
  if (code.startsWith('ERR_PARSE_ARGS')) return { code: EXIT.usage, message, detail: null };
  switch (code) {
    case 'NOT_FOUND':
      return { code: EXIT.noMatch, message, detail: null };
    case 'INVALID_ARGUMENT':
      return { code: EXIT.usage, message, detail: null };
    case 'STORE_UNREADABLE':
    case 'READ_ONLY':
    case 'WRITE_CONFLICT':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'ENOENT':
      return { code: EXIT.store, message, detail: null };
    default:
      return { code: 1 as ExitCode, message, detail: null };
  }
}

/** Prints the failure on stderr (and `{"error": …}` on stdout with --json); returns its code. */
export function reportFailure(command: string, e: unknown, out: Out, json: boolean, usage: string | null): ExitCode {
  const { code, message, detail } = classify(e);
  if (json && code !== EXIT.usage) out.stdout(`${JSON.stringify({ error: { exitCode: code, message, ...(detail ? { detail } : {}) } }, null, 2)}\n`);
  out.stderr(`runsight ${command}: ${message}\n${detail ? `${detail}\n` : ''}`);
  if (code === EXIT.usage && usage && !(e instanceof CliError && e.detail)) out.stderr(`\n${usage}`);
  return code;
}

/**
 * The store named on the command line, indexed once (no watcher). `No store` and an unreadable or
 * unverified store exit 4; a folder with several stores is a usage error (name one).
 */
export async function openStore(target: string): Promise<{ engine: Engine; info: StoreInfo; dispose: () => Promise<void> }> {
  const [{ Engine }, { discoverStores }, { KNOWN_REVISIONS }] = await Promise.all([
    import('../engine/engine.ts'),
    import('../engine/discovery.ts'),
    import('../engine/stores/mlflow-sqlite/index.ts'),
  ]);
  const found = await discoverStores(target, { maxDepth: 2 });
  if (found.stores.length === 0) {
    const why = found.diagnostics.map((d) => `\n  ${d.path}: ${d.problem}`).join('');
    throw storeError(`No MLflow store found at ${path.resolve(target)}${why}`);
  }
  if (found.stores.length > 1) {
    const names = found.stores.map((s) => `  ${s.kind === 'file' ? 'file  ' : 'sqlite'} ${s.path}`).join('\n');
    throw usageError(`${found.stores.length} stores found at ${path.resolve(target)}; name one:`, names);
  }
  const info = found.stores[0] as StoreInfo;
  if (info.kind === 'sqlite' && (info.schemaRevision == null || !KNOWN_REVISIONS.includes(info.schemaRevision))) {
    throw storeError(
      `${info.path} has schema revision ${info.schemaRevision ?? '(none)'}, which Runsight does not know (it reads and writes ${KNOWN_REVISIONS.join(', ')}): open it with a matching MLflow to migrate it`,
    );
  }
  const engine = await Engine.create({ watch: false });
  try {
    await engine.addStore(info);
  } catch (e) {
    await engine.dispose();
    throw storeError(`Cannot read ${info.path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  // A store whose root could not be read reports it on its own path.
  const fatal = engine.diagnostics().find((d) => d.severity !== 'notice' && path.resolve(d.path) === path.resolve(info.path));
  if (fatal) {
    await engine.dispose();
    throw storeError(`Cannot read ${info.path}: ${fatal.problem}`);
  }
  return { engine, info, dispose: () => engine.dispose() };
}

/** Problems with single runs or files: warnings on stderr, the command goes on. */
export function warnDiagnostics(engine: Engine, command: string, out: Out): void {
  for (const d of engine.diagnostics()) if (d.severity !== 'notice') out.stderr(`runsight ${command}: warning: ${d.path}: ${d.problem}\n`);
}

/** `--experiment NAME` (or id), repeatable; none = every experiment of the store. */
export function resolveExperiments(engine: Engine, info: StoreInfo, names: readonly string[]): ExperimentSummary[] {
  const all = engine.index.listExperiments({ storeId: info.id, lifecycle: 'all' });
  if (names.length === 0) return [];
  return names.map((n) => {
    const e = all.find((x) => x.name === n) ?? all.find((x) => x.experimentId === n);
    if (!e) {
      const listing = all
        .filter((x) => x.lifecycleStage === 'active')
        .map((x) => `  ${x.name} (${x.experimentId})`)
        .join('\n');
      throw noMatch(`No experiment named "${n}" in ${info.path}; its experiments:`, listing || '  (none)');
    }
    return e;
  });
}

/** Every run matching the query (all pages), in the query's order. */
export function allRuns(engine: Engine, q: Omit<RunQuery, 'offset' | 'limit'>, max = Number.POSITIVE_INFINITY): { rows: RunRow[]; total: number } {
  const rows: RunRow[] = [];
  const page = 5_000;
  let total = 0;
  for (let offset = 0; rows.length < max; offset += page) {
    const r = withQueryErrors(() => engine.index.queryRuns({ ...q, offset, limit: Math.min(page, max - rows.length) }), q);
    total = r.total;
    rows.push(...r.rows);
    if (r.rows.length === 0 || offset + r.rows.length >= r.total) break;
  }
  return { rows, total };
}

/** A QueryError from the index → usage error naming the option, with the text and a caret. */
export function withQueryErrors<T>(fn: () => T, q: { filter?: string; orderBy?: RunQuery['orderBy'] }): T {
  try {
    return fn();
  } catch (e) {
    const qe = e as { name?: string; position?: number; length?: number; source?: string; orderByIndex?: number | null; message: string };
    if (qe?.name !== 'QueryError') throw e;
    const orderBy = qe.source === 'orderBy' ? q.orderBy?.[qe.orderByIndex ?? 0] : undefined;
    const text = qe.source === 'orderBy' ? (typeof orderBy === 'string' ? orderBy : (orderBy?.key ?? '')) : (q.filter ?? '');
    throw usageError(`invalid ${qe.source === 'orderBy' ? '--order-by' : '--filter'} at position ${qe.position ?? 0}: ${qe.message}`, caret(text, qe.position ?? 0, qe.length ?? 0));
  }
}

export function caret(text: string, position: number, length: number): string {
  return `  ${text}\n  ${' '.repeat(position)}${'^'.repeat(Math.max(1, length))}`;
}

/** JSON has no NaN or Infinity: written as the strings MLflow's own dump uses. */
export function jsonNumber(v: number | null | undefined): number | string | null {
  if (v === null || v === undefined) return null;
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  return v;
}

export function list(values: (string | undefined)[] | undefined): string[] {
  return (values ?? []).filter((v): v is string => v !== undefined);
}
