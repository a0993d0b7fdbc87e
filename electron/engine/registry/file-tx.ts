// Registry writes into a file store (`mlruns/models/`), in exactly the form MLflow 3.5 writes
// (format doc 2.12, 2.13; fixtures seed-rf and kitchen-sink): PyYAML-formatted meta.yaml with
// sorted keys (dumpYaml), tag and alias files without trailing newline, `aliases:` snapshot kept
// equal to the `aliases/` folder, last_updated_timestamp bumped on every change.
//
// The file store has no transactions, so the order of writes is what keeps it valid at every
// instant (a crash may stop us anywhere):
// - a new version is built completely in a hidden temp folder inside the model folder
//   (`.version.tmp-…`: MLflow only lists `version-*` folders, our reader matches `version-<n>`)
//   and renamed to `version-<n>` in one step, so no `version-<n>/` ever exists without its
//   meta.yaml (that would break MLflow's whole registry listing, format doc 2.13 rule 2). The
//   rename is also how a number is claimed: rename(2) refuses an existing non-empty folder, so a
//   version created meanwhile (a concurrent MLflow `register_model`, another Runsight) makes us
//   take the next number — numbers are never reused (rule 5);
// - every rewrite is temp file + rename (rule 6), the temp file sitting where readers never look;
// - the registered model's meta.yaml (timestamp, alias snapshot) is rewritten last, once.
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EngineError } from '../errors.ts';
import type { StoreInfo } from '../model.ts';
import { dumpYaml, type YamlData } from '../writer/py-yaml.ts';
import { AtomicWriter, errnoOf, type RegistryFs } from './atomic-fs.ts';
import { notFound } from './rules.ts';
import type { LoggedModelRecord, ModelRecord, RegistryTx, RunRecord, VersionFields, VersionRecord, WriteHooks } from './types.ts';

type MetaMap = { [key: string]: YamlData };

const VERSION_DIR = /^version-([0-9]+)$/;
/** Top-level folders of mlruns/ that are not experiments (format doc 2.1). */
const RESERVED_TOP = new Set(['.trash', 'models']);
const SAFE_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
/** How many numbers to try when versions keep appearing under our feet. */
const MAX_CLAIMS = 100;

/** meta.yaml keys of a model version, as MLflow 3.5 writes them (fixture version-N/meta.yaml). */
const VERSION_KEYS: { [K in keyof VersionFields]: string } = {
  creationTimestamp: 'creation_timestamp',
  lastUpdatedTimestamp: 'last_updated_timestamp',
  currentStage: 'current_stage',
  description: 'description',
  userId: 'user_id',
  source: 'source',
  runId: 'run_id',
  runLink: 'run_link',
  status: 'status',
  statusMessage: 'status_message',
  storageLocation: 'storage_location',
  modelId: 'model_id',
};

export class FileRegistryTx implements RegistryTx {
  readonly kind = 'file' as const;
  readonly scrubsDeletedVersions = false;
  private readonly root: string;
  private readonly w: AtomicWriter;
  private readonly touched = new Map<string, number>();
  private readonly descriptions = new Map<string, string | null>();

  constructor(store: StoreInfo, fs: RegistryFs, hooks: WriteHooks) {
    this.root = store.path;
    this.w = new AtomicWriter(fs, hooks);
  }

  get changedPaths(): string[] {
    return [...this.w.changed];
  }

  private modelsDir(): string {
    return path.join(this.root, 'models');
  }

  private modelDir(name: string): string {
    return path.join(this.modelsDir(), name);
  }

  private versionDir(name: string, version: number): string {
    return path.join(this.modelDir(name), `version-${version}`);
  }

  // ---- reads -----------------------------------------------------------------------------------

  private async readMeta(file: string): Promise<MetaMap | null> {
    let text = await this.w.readText(file);
    if (text !== null && text.trim() === '') {
      // A concurrent MLflow writes YAML non-atomically on creation; MLflow retries such reads too.
      await new Promise((r) => setTimeout(r, 100));
      text = await this.w.readText(file);
    }
    if (text === null) return null;
    let v: unknown;
    try {
      v = parseYaml(text, { intAsBigInt: true, uniqueKeys: false });
    } catch (e) {
      throw new EngineError('STORE_UNREADABLE', `${file}: invalid YAML (${String(e).split('\n')[0]}); not changing it`);
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      throw new EngineError('STORE_UNREADABLE', `${file}: not a YAML mapping; not changing it`);
    }
    return v as MetaMap;
  }

  private async readKeyFiles(base: string, rel = ''): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const e of await this.w.list(rel ? path.join(base, rel) : base)) {
      const key = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) Object.assign(out, await this.readKeyFiles(base, key));
      else {
        const t = await this.w.readText(path.join(base, ...key.split('/')));
        if (t !== null) out[key] = t;
      }
    }
    return out;
  }

  private async readAliases(name: string): Promise<Record<string, number>> {
    const dir = path.join(this.modelDir(name), 'aliases');
    const out: Record<string, number> = {};
    for (const e of await this.w.list(dir)) {
      if (e.isDirectory) continue;
      const t = (await this.w.readText(path.join(dir, e.name)))?.trim() ?? '';
      if (/^[0-9]+$/.test(t)) out[e.name] = Number(t);
    }
    return out;
  }

  async getModel(name: string): Promise<ModelRecord | null> {
    const meta = await this.readMeta(path.join(this.modelDir(name), 'meta.yaml'));
    if (!meta) return null;
    const pending = this.descriptions.has(name);
    return {
      name,
      creationTimestamp: num(meta.creation_timestamp),
      lastUpdatedTimestamp: this.touched.get(name) ?? num(meta.last_updated_timestamp),
      description: pending ? (this.descriptions.get(name) ?? null) : text(meta.description),
      tags: await this.readKeyFiles(path.join(this.modelDir(name), 'tags')),
      aliases: await this.readAliases(name),
    };
  }

  private async versionNumbers(name: string): Promise<number[]> {
    return (await this.w.list(this.modelDir(name)))
      .filter((e) => e.isDirectory && VERSION_DIR.test(e.name))
      .map((e) => Number(VERSION_DIR.exec(e.name)?.[1]))
      .sort((a, b) => a - b);
  }

  async maxVersion(name: string): Promise<number> {
    return (await this.versionNumbers(name)).reduce((m, v) => Math.max(m, v), 0);
  }

  async getVersions(name: string): Promise<VersionRecord[]> {
    const out: VersionRecord[] = [];
    for (const v of await this.versionNumbers(name)) {
      const dir = this.versionDir(name, v);
      let meta: MetaMap | null;
      try {
        meta = await this.readMeta(path.join(dir, 'meta.yaml'));
      } catch {
        // An unreadable version is not ours to fix; its number still counts (maxVersion).
        continue;
      }
      if (!meta) continue;
      out.push({ name, version: v, ...fieldsFromMeta(meta), tags: await this.readKeyFiles(path.join(dir, 'tags')) });
    }
    return out;
  }

  private async experimentDirs(): Promise<string[]> {
    return (await this.w.list(this.root))
      .filter((e) => e.isDirectory && !RESERVED_TOP.has(e.name) && !e.name.startsWith('.'))
      .map((e) => path.join(this.root, e.name));
  }

  private async findRun(runId: string): Promise<{ dir: string; meta: MetaMap } | null> {
    if (!SAFE_ID.test(runId)) return null;
    for (const exp of await this.experimentDirs()) {
      const dir = path.join(exp, runId);
      const meta = await this.readMeta(path.join(dir, 'meta.yaml')).catch(() => null);
      if (meta) return { dir, meta };
    }
    return null;
  }

  private async findLoggedModel(modelId: string): Promise<{ dir: string; meta: MetaMap } | null> {
    if (!SAFE_ID.test(modelId)) return null;
    for (const exp of await this.experimentDirs()) {
      const dir = path.join(exp, 'models', modelId);
      const meta = await this.readMeta(path.join(dir, 'meta.yaml')).catch(() => null);
      if (meta) return { dir, meta };
    }
    return null;
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    const r = await this.findRun(runId);
    if (!r) return null;
    return {
      runId,
      experimentId: idText(r.meta.experiment_id) ?? path.basename(path.dirname(r.dir)),
      artifactUri: text(r.meta.artifact_uri) ?? '',
      lifecycleStage: text(r.meta.lifecycle_stage) ?? 'active',
    };
  }

  async getLoggedModel(modelId: string): Promise<LoggedModelRecord | null> {
    const m = await this.findLoggedModel(modelId);
    if (!m) return null;
    return {
      modelId,
      experimentId: idText(m.meta.experiment_id) ?? path.basename(path.dirname(path.dirname(m.dir))),
      name: text(m.meta.name) ?? modelId,
      artifactLocation: text(m.meta.artifact_location) ?? '',
      sourceRunId: text(m.meta.source_run_id),
      status: num(m.meta.status),
      // Missing means active (format doc 2.10).
      lifecycleStage: text(m.meta.lifecycle_stage) ?? 'active',
      modelVersionsTag: await this.w.readText(path.join(m.dir, 'tags', 'mlflow.modelVersions')),
    };
  }

  async runHasOutput(runId: string, modelId: string): Promise<boolean> {
    const r = await this.findRun(runId);
    if (!r || !SAFE_ID.test(modelId)) return false;
    return this.w.fs.exists(path.join(r.dir, 'outputs', modelId));
  }

  // ---- writes ----------------------------------------------------------------------------------

  async createModel(rec: { name: string; creationTimestamp: number; description: string | null }): Promise<boolean> {
    const modelsDir = this.modelsDir();
    await this.w.mkdirp(modelsDir);
    const meta: MetaMap = {
      aliases: {},
      creation_timestamp: rec.creationTimestamp,
      deployment_job_id: null,
      deployment_job_state: null,
      description: rec.description,
      last_updated_timestamp: rec.creationTimestamp,
      name: rec.name,
    };
    // The temp meta.yaml waits in models/ (a file there is ignored: only folders are models) and
    // is renamed in right after the folder is made: a model folder without meta.yaml would also
    // break MLflow's listing, so the window is kept to two system calls.
    const dir = this.modelDir(rec.name);
    const tmp = this.w.tmpPath(modelsDir, 'meta.yaml');
    await this.w.fs.writeFile(tmp, dumpYaml(meta), true);
    const target = path.join(dir, 'meta.yaml');
    await this.hookBeforeRename(tmp, target);
    try {
      await this.w.fs.mkdir(dir, false);
    } catch (e) {
      await this.w.fs.unlink(tmp).catch(() => undefined);
      if (errnoOf(e) === 'EEXIST') return false;
      throw e;
    }
    try {
      await this.w.fs.rename(tmp, target);
    } catch (e) {
      await this.w.fs.unlink(tmp).catch(() => undefined);
      await this.w.fs.rm(dir).catch(() => undefined);
      throw e;
    }
    this.w.changed.add(target);
    return true;
  }

  private hookBeforeRename(tmp: string, target: string): Promise<void> | void {
    return this.w.hooks.beforeRename?.(tmp, target);
  }

  async deleteModel(name: string): Promise<void> {
    const dir = this.modelDir(name);
    // Versions first, each hidden by one rename, so a crash never leaves a version-<n>/ half gone.
    for (const v of await this.versionNumbers(name)) {
      const hidden = this.w.tmpPath(dir, `version-${v}-deleted`);
      await this.w.fs.rename(this.versionDir(name, v), hidden);
      await this.w.fs.rm(hidden);
    }
    await this.w.fs.rm(dir);
    this.w.changed.add(dir);
    this.touched.delete(name);
    this.descriptions.delete(name);
  }

  async setModelDescription(name: string, description: string | null): Promise<void> {
    this.descriptions.set(name, description);
  }

  async touchModel(name: string, at: number): Promise<void> {
    this.touched.set(name, Math.max(at, this.touched.get(name) ?? 0));
  }

  async createVersion(name: string, fields: VersionFields, tags: Record<string, string>): Promise<number> {
    const dir = this.modelDir(name);
    const tmp = this.w.tmpPath(dir, 'version');
    await this.w.fs.mkdir(tmp, false);
    let crashed = false;
    try {
      for (const [key, value] of Object.entries(tags)) {
        const file = path.join(tmp, 'tags', ...key.split('/'));
        await this.w.mkdirp(path.dirname(file));
        await this.w.fs.writeFile(file, value, true);
      }
      let n = (await this.maxVersion(name)) + 1;
      for (let attempt = 0; attempt < MAX_CLAIMS; attempt++) {
        await this.w.fs.writeFile(path.join(tmp, 'meta.yaml'), dumpYaml(newVersionMeta(name, n, fields)));
        const target = this.versionDir(name, n);
        try {
          await this.hookBeforeRename(tmp, target);
        } catch (e) {
          crashed = true;
          throw e;
        }
        if ((await this.w.renameDir(tmp, target)) === 'ok') return n;
        n = Math.max(n + 1, (await this.maxVersion(name)) + 1);
      }
      throw new EngineError('WRITE_CONFLICT', `Could not claim a version number for "${name}": versions keep appearing (${MAX_CLAIMS} tries)`);
    } catch (e) {
      // A failure we can see is cleaned up; a crash (simulated by a hook) leaves the hidden temp
      // folder behind, which every reader ignores.
      if (!crashed) await this.w.fs.rm(tmp).catch(() => undefined);
      throw e;
    }
  }

  async updateVersion(name: string, version: number, patch: Partial<VersionFields>): Promise<void> {
    const dir = this.versionDir(name, version);
    const file = path.join(dir, 'meta.yaml');
    const meta = await this.readMeta(file);
    if (!meta) throw notFound(`Model version ${name} v${version} has no meta.yaml`);
    for (const [k, v] of Object.entries(patch) as [keyof VersionFields, string | number | null][]) {
      meta[VERSION_KEYS[k]] = v;
    }
    await this.w.writeFile(file, dumpYaml(meta));
  }

  async setModelTag(name: string, key: string, value: string | null): Promise<void> {
    const dir = this.modelDir(name);
    await this.writeKeyFile(dir, path.join(dir, 'tags', ...key.split('/')), value);
  }

  async setVersionTag(name: string, version: number, key: string, value: string | null): Promise<void> {
    const dir = this.versionDir(name, version);
    await this.writeKeyFile(dir, path.join(dir, 'tags', ...key.split('/')), value);
  }

  async setAlias(name: string, alias: string, version: number | null): Promise<void> {
    const dir = this.modelDir(name);
    await this.writeKeyFile(dir, path.join(dir, 'aliases', alias), version === null ? null : String(version));
  }

  async setLoggedModelTag(modelId: string, key: string, value: string | null): Promise<void> {
    const m = await this.findLoggedModel(modelId);
    if (!m) throw notFound(`Logged model ${modelId} not found`);
    await this.writeKeyFile(m.dir, path.join(m.dir, 'tags', ...key.split('/')), value);
  }

  /** Tag/alias files: content as is, no trailing newline; the temp file waits in the entity folder. */
  private async writeKeyFile(entityDir: string, file: string, value: string | null): Promise<void> {
    if (value === null) {
      await this.w.remove(file);
      return;
    }
    await this.w.mkdirp(path.dirname(file));
    await this.w.writeFile(file, value, entityDir);
  }

  /** Rewrites each touched registered model's meta.yaml: timestamp, description, alias snapshot. */
  async commit(): Promise<void> {
    const names = new Set([...this.touched.keys(), ...this.descriptions.keys()]);
    for (const name of names) {
      const file = path.join(this.modelDir(name), 'meta.yaml');
      const meta = await this.readMeta(file);
      if (!meta) continue;
      const at = this.touched.get(name);
      if (at !== undefined) meta.last_updated_timestamp = Math.max(at, num(meta.last_updated_timestamp) ?? 0);
      if (this.descriptions.has(name)) meta.description = this.descriptions.get(name) ?? null;
      // MLflow rewrites the whole entity: the snapshot of the aliases/ folder as {alias: '<n>'}
      // (quoted strings, format doc 2.13 rule 7) and the MLflow 3 keys.
      const aliases = await this.readAliases(name);
      meta.aliases = Object.fromEntries(Object.entries(aliases).map(([a, v]) => [a, String(v)]));
      if (!('deployment_job_id' in meta)) meta.deployment_job_id = null;
      if (!('deployment_job_state' in meta)) meta.deployment_job_state = null;
      if (!('description' in meta)) meta.description = null;
      meta.name = name;
      await this.w.writeFile(file, dumpYaml(meta));
    }
    this.touched.clear();
    this.descriptions.clear();
  }
}

/** All 15 keys MLflow 3.5 writes for a version (fixture seed-rf version-1/meta.yaml). */
function newVersionMeta(name: string, version: number, f: VersionFields): MetaMap {
  return {
    creation_timestamp: f.creationTimestamp,
    current_stage: f.currentStage,
    deployment_job_state: null,
    description: f.description,
    last_updated_timestamp: f.lastUpdatedTimestamp,
    model_id: f.modelId,
    name,
    run_id: f.runId,
    run_link: f.runLink,
    source: f.source,
    status: f.status,
    status_message: f.statusMessage,
    storage_location: f.storageLocation,
    user_id: f.userId,
    version,
  };
}

function fieldsFromMeta(meta: MetaMap): VersionFields {
  return {
    creationTimestamp: num(meta.creation_timestamp),
    lastUpdatedTimestamp: num(meta.last_updated_timestamp),
    currentStage: text(meta.current_stage) ?? 'None',
    description: text(meta.description),
    userId: text(meta.user_id),
    source: text(meta.source),
    runId: text(meta.run_id),
    runLink: text(meta.run_link),
    status: text(meta.status),
    statusMessage: text(meta.status_message),
    storageLocation: text(meta.storage_location),
    modelId: text(meta.model_id),
  };
}

function num(v: YamlData | undefined): number | null {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v.trim())) return Number(v.trim());
  return null;
}

function text(v: YamlData | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** Ids stay text: an unquoted 18-digit id parsed as BigInt prints back exactly (format doc 1.1). */
function idText(v: YamlData | undefined): string | null {
  return typeof v === 'bigint' ? v.toString() : text(v);
}
