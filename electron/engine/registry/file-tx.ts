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
import { EngineError } from '../errors.ts';
import { dumpYaml } from '../writer/py-yaml.ts';
import { errnoOf } from './atomic-fs.ts';
import { VERSION_KEYS, newVersionMeta, num, readMeta, type MetaMap } from './file-meta.ts';
import { FileRegistryReads } from './file-tx-reads.ts';
import { notFound } from './rules.ts';
import type { RegistryTx, VersionFields } from './types.ts';

/** How many numbers to try when versions keep appearing under our feet. */
const MAX_CLAIMS = 100;

export class FileRegistryTx extends FileRegistryReads implements RegistryTx {
  readonly kind = 'file' as const;
  readonly scrubsDeletedVersions = false;

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
    const meta = await readMeta(this.w, file);
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
      const meta = await readMeta(this.w, file);
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
