// The reading half of the file-store registry transaction (format doc 2.12, 2.13): the folders
// under `mlruns/models/`, the tag and alias files, the runs and logged models of the experiment
// folders. Paths are built here once, for the reads and for the writes of file-tx.ts.
import path from 'node:path';
import type { StoreInfo } from '../model.ts';
import { AtomicWriter, type RegistryFs } from './atomic-fs.ts';
import { fieldsFromMeta, idText, num, readMeta, text, type MetaMap } from './file-meta.ts';
import type { LoggedModelRecord, ModelRecord, RunRecord, VersionRecord, WriteHooks } from './types.ts';

const VERSION_DIR = /^version-([0-9]+)$/;
/** Top-level folders of mlruns/ that are not experiments (format doc 2.1). */
const RESERVED_TOP = new Set(['.trash', 'models']);
const SAFE_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

/**
 * What a file-store registry transaction reads: models, versions, runs and logged models as they
 * are on disk, with this transaction's pending description and timestamp changes (kept in memory
 * until commit) applied. FileRegistryTx (file-tx.ts) adds the writes.
 */
export class FileRegistryReads {
  protected readonly root: string;
  protected readonly w: AtomicWriter;
  protected readonly touched = new Map<string, number>();
  protected readonly descriptions = new Map<string, string | null>();

  constructor(store: StoreInfo, fs: RegistryFs, hooks: WriteHooks) {
    this.root = store.path;
    this.w = new AtomicWriter(fs, hooks);
  }

  get changedPaths(): string[] {
    return [...this.w.changed];
  }

  protected modelsDir(): string {
    return path.join(this.root, 'models');
  }

  protected modelDir(name: string): string {
    return path.join(this.modelsDir(), name);
  }

  protected versionDir(name: string, version: number): string {
    return path.join(this.modelDir(name), `version-${version}`);
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

  protected async readAliases(name: string): Promise<Record<string, number>> {
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
    const meta = await readMeta(this.w, path.join(this.modelDir(name), 'meta.yaml'));
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

  protected async versionNumbers(name: string): Promise<number[]> {
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
        meta = await readMeta(this.w, path.join(dir, 'meta.yaml'));
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
      const meta = await readMeta(this.w, path.join(dir, 'meta.yaml')).catch(() => null);
      if (meta) return { dir, meta };
    }
    return null;
  }

  protected async findLoggedModel(modelId: string): Promise<{ dir: string; meta: MetaMap } | null> {
    if (!SAFE_ID.test(modelId)) return null;
    for (const exp of await this.experimentDirs()) {
      const dir = path.join(exp, 'models', modelId);
      const meta = await readMeta(this.w, path.join(dir, 'meta.yaml')).catch(() => null);
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
}
