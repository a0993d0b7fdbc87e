// `runsight registry …` — the registry actions of the app for scripts and CI, through the same
// engine and writers (electron/engine/registry). Exit codes as every runsight command: 0 done,
// 1 a failure with a message (unknown model, run without a model, read-only store, policy…),
// 2 wrong usage. With --json, stdout carries the result (or `{"error": {code, message}}`).
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Engine } from '../engine/engine.ts';
import type { RegisteredModel, StoreInfo } from '../engine/model.ts';
import type { RegistryService } from '../engine/registry/index.ts';
import type { RegisterSource, RunModelCandidate } from '../engine/registry/types.ts';
import { toJson } from './json-out.ts';

export const REGISTRY_USAGE = `Usage: runsight registry <command> <store> [options]

<store>: an mlruns folder, an mlflow.db, or a project folder holding exactly one store.

Commands:
  register <store> --run ID [--model NAME] [--artifact-path P | --model-id M]
                       [--description TEXT]
      Registers the run's model as a new version (the model is created if missing).
      MLflow 3 logged models and MLflow 2 artifact folders with an MLmodel file; when
      the run has several, name one with --artifact-path (folder or logged-model name)
      or --model-id. NAME defaults to the model's own name.
  transition <store> --model NAME --version N --stage S [--archive-existing]
                       [--comment TEXT]
      S: None, Staging, Production or Archived.
  alias <store> --model NAME (--set ALIAS --version N | --delete ALIAS)
  list <store> [--all]
      Registered models and their versions (--all: with prompts and deleted versions).

Options:
  --json               machine-readable output on stdout
  --user NAME          who to name in the audit trail (default: $RUNSIGHT_USER, else the
                       OS account)
  -h, --help           this help
`;

const STAGES = ['none', 'staging', 'production', 'archived'];

class UsageError extends Error {}

interface Out {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const processOut: Out = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

export async function runRegistryCommand(argv: string[], out: Out = processOut): Promise<number> {
  let json = false;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        user: { type: 'string' },
        run: { type: 'string' },
        model: { type: 'string' },
        'artifact-path': { type: 'string' },
        'model-id': { type: 'string' },
        description: { type: 'string' },
        version: { type: 'string' },
        stage: { type: 'string' },
        'archive-existing': { type: 'boolean', default: false },
        comment: { type: 'string' },
        set: { type: 'string' },
        delete: { type: 'string' },
        all: { type: 'boolean', default: false },
      },
    });
    json = values.json;
    const [command, store, ...extra] = positionals;
    if (values.help) {
      out.stdout(REGISTRY_USAGE);
      return 0;
    }
    if (!command) throw new UsageError('Missing <command>');
    if (!['register', 'transition', 'alias', 'list'].includes(command)) throw new UsageError(`Unknown registry command "${command}"`);
    if (!store) throw new UsageError('Missing <store>');
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
    const v = values;
    // Usage is checked completely before the store is read.
    let action: (c: Ctx) => Promise<number>;
    switch (command) {
      case 'register': {
        const runId = required(v.run, '--run');
        if (v['artifact-path'] !== undefined && v['model-id'] !== undefined) throw new UsageError('Give --artifact-path or --model-id, not both');
        action = (c) => register(c, { runId, model: v.model, artifactPath: v['artifact-path'], modelId: v['model-id'], description: v.description }, json, out);
        break;
      }
      case 'transition': {
        const name = required(v.model, '--model');
        const version = versionArg(v.version);
        const stage = required(v.stage, '--stage');
        if (!STAGES.includes(stage.toLowerCase())) throw new UsageError(`Invalid --stage "${stage}": use None, Staging, Production or Archived`);
        action = async (c) => {
          const r = await c.svc.transition(c.info.id, { name, version, stage, archiveExisting: v['archive-existing'], comment: v.comment ?? null, user: c.user });
          return report(r, json, out);
        };
        break;
      }
      case 'alias': {
        const name = required(v.model, '--model');
        if ((v.set === undefined) === (v.delete === undefined)) throw new UsageError('Give either --set ALIAS --version N or --delete ALIAS');
        if (v.set !== undefined) {
          const alias = v.set;
          const version = versionArg(v.version);
          action = async (c) => report(await c.svc.setAlias(c.info.id, { name, alias, version, user: c.user }), json, out);
        } else {
          if (v.version !== undefined) throw new UsageError('--version goes with --set, not --delete');
          const alias = v.delete as string;
          action = async (c) => report(await c.svc.deleteAlias(c.info.id, { name, alias, user: c.user }), json, out);
        }
        break;
      }
      default:
        action = (c) => list(c, v.all, json, out);
    }
    // Loaded once the command line is known to be valid.
    const [{ Engine }, { RegistryService }, { resolveOneStore }] = await Promise.all([
      import('../engine/engine.ts'),
      import('../engine/registry/index.ts'),
      import('../engine/discovery.ts'),
    ]);
    const info = await resolveOneStore(store);
    const engine = await Engine.create({ watch: false });
    try {
      await engine.addStore(info);
      const user = v.user?.trim() || process.env.RUNSIGHT_USER?.trim() || osUser();
      return await action({ engine, svc: new RegistryService(engine), info, user });
    } finally {
      await engine.dispose();
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      out.stderr(`runsight registry: ${(e as Error).message}\n\n${REGISTRY_USAGE}`);
      return 2;
    }
    const message = e instanceof Error ? e.message : String(e);
    const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'INTERNAL';
    if (json) out.stdout(`${toJson({ error: { code, message } })}\n`);
    out.stderr(`runsight registry: ${message}\n`);
    return 1;
  }
}

interface Ctx {
  engine: Engine;
  svc: RegistryService;
  info: StoreInfo;
  user: string;
}

function required(v: string | undefined, flag: string): string {
  if (v === undefined || v.trim() === '') throw new UsageError(`Missing ${flag}`);
  return v;
}

function versionArg(v: string | undefined): number {
  const text = required(v, '--version');
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) throw new UsageError(`Invalid --version "${text}": a version number such as 3`);
  return Number(text);
}

function osUser(): string {
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}


function report(r: { summary: string }, json: boolean, out: Out): number {
  out.stdout(json ? `${toJson(r)}\n` : `${r.summary}\n`);
  return 0;
}

async function register(
  { svc, info, user }: Ctx,
  a: { runId: string; model?: string; artifactPath?: string; modelId?: string; description?: string },
  json: boolean,
  out: Out,
): Promise<number> {
  const found = await svc.listRunModels(info.id, a.runId);
  const candidate = pickCandidate(found.models, found.reason, a);
  const source: RegisterSource =
    candidate.kind === 'logged-model' ? { kind: 'logged-model', modelId: candidate.modelId } : { kind: 'artifact', artifactPath: candidate.artifactPath };
  const modelName = a.model ?? (candidate.kind === 'logged-model' ? candidate.name : (candidate.artifactPath.split('/').pop() as string));
  const r = await svc.register(info.id, { runId: a.runId, modelName, source, description: a.description ?? null, user });
  return report(r, json, out);
}

function describe(c: RunModelCandidate): string {
  return c.kind === 'logged-model'
    ? `logged model "${c.name}" (--model-id ${c.modelId}${c.registrable ? '' : `, ${c.status}`})`
    : `artifact folder "${c.artifactPath}" (--artifact-path ${c.artifactPath})`;
}

/** Which of the run's models to register: the one named, else the only registrable one. */
export function pickCandidate(models: RunModelCandidate[], reason: string | null, a: { runId: string; artifactPath?: string; modelId?: string }): RunModelCandidate {
  const listing = models.map((m) => `\n  ${describe(m)}`).join('');
  if (a.modelId !== undefined) {
    const m = models.find((x) => x.kind === 'logged-model' && x.modelId === a.modelId);
    if (!m) throw new Error(`Run ${a.runId} did not produce logged model ${a.modelId}${listing ? `; its models:${listing}` : ''}`);
    return m;
  }
  if (a.artifactPath !== undefined) {
    const wanted = a.artifactPath.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
    // An artifact folder, or — as MLflow 3 resolves runs:/<run>/<name> — a logged model of that name.
    const m =
      models.find((x) => x.kind === 'artifact' && x.artifactPath === wanted) ??
      models.find((x) => x.kind === 'logged-model' && x.name === wanted && x.registrable);
    if (m) return m;
    if (models.length === 0 && reason) throw new Error(reason);
    // Not found by the scan: let the writer check the folder itself (it explains what is missing).
    return { kind: 'artifact', artifactPath: wanted, name: wanted, source: '', registrable: true, reason: null, registeredAs: [] };
  }
  const usable = models.filter((m) => m.registrable);
  if (usable.length === 1) return usable[0] as RunModelCandidate;
  if (usable.length === 0) throw new Error(reason ?? `Run ${a.runId} has no model to register`);
  throw new Error(`Run ${a.runId} has ${usable.length} models; choose one with --artifact-path or --model-id:${listing}`);
}

async function list({ engine, info }: Ctx, all: boolean, json: boolean, out: Out): Promise<number> {
  const models = engine.index.listRegisteredModels({ storeId: info.id, includePrompts: all }).map((m) => shape(m, all));
  if (json) {
    out.stdout(`${toJson({ store: info.path, kind: info.kind, models })}\n`);
    return 0;
  }
  if (models.length === 0) out.stdout(`No registered models in ${info.path}\n`);
  for (const m of models) {
    const aliases = Object.entries(m.aliases)
      .map(([a, v]) => `@${a}→v${v}`)
      .join(' ');
    out.stdout(`${m.name}${m.isPrompt ? '  [prompt]' : ''}  (${m.versions.length} version${m.versions.length === 1 ? '' : 's'})${aliases ? `  ${aliases}` : ''}\n`);
    for (const v of m.versions) {
      const al = v.aliases.length > 0 ? `  ${v.aliases.map((a) => `@${a}`).join(' ')}` : '';
      out.stdout(`  v${String(v.version).padEnd(4)} ${v.currentStage.padEnd(16)} ${v.runId ? `run ${v.runId}` : v.source ?? ''}${al}\n`);
    }
  }
  return 0;
}

function shape(m: RegisteredModel, all: boolean) {
  return {
    name: m.name,
    description: m.description,
    isPrompt: m.isPrompt,
    creationTimestamp: m.creationTimestamp,
    lastUpdatedTimestamp: m.lastUpdatedTimestamp,
    tags: m.tags,
    aliases: m.aliases,
    versions: m.versions
      .filter((v) => all || v.currentStage !== 'Deleted_Internal')
      .map((v) => ({
        version: v.version,
        currentStage: v.currentStage,
        aliases: v.aliases,
        runId: v.runId,
        source: v.source,
        storageLocation: v.storageLocation,
        modelId: v.modelId,
        status: v.status,
        description: v.description,
        creationTimestamp: v.creationTimestamp,
        lastUpdatedTimestamp: v.lastUpdatedTimestamp,
        tags: v.tags,
      })),
  };
}
