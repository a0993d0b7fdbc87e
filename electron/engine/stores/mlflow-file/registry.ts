// The file-store model registry under `mlruns/models/` (format doc 2.12). Small, so it is always
// read whole. Aliases come from the `aliases/<alias>` files only: the `aliases:` map in meta.yaml is
// a snapshot MLflow never reads (it goes stale on rename, format doc 2.12 and 5.7).
import path from 'node:path';
import type { ModelVersion, RegisteredModel } from '../../model.ts';
import type { Collector } from './diagnostics.ts';
import { describeError, listDir, readText, type Io } from './fs-util.ts';
import { readKeyValues, readMetaFile } from './read-helpers.ts';
import { registeredModelFromMeta, versionFromMeta } from './records.ts';

const VERSION_DIR = /^version-([0-9]+)$/;
const PROMPT_TAG = 'mlflow.prompt.is_prompt';

export async function readRegistry(io: Io, modelsDir: string, diags: Collector): Promise<RegisteredModel[]> {
  const l = await listDir(io, modelsDir);
  if (!l.ok) {
    // No registry yet is normal (format doc 2.1: empty folders may be missing).
    if (l.code !== 'ENOENT') diags.add(modelsDir, `registry folder ${describeError(l.code)} (registry not read)`);
    return [];
  }
  for (const n of l.badNames) diags.add(path.join(modelsDir, n), 'file name is not valid UTF-8 (registered model skipped)');
  const dirs = l.entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name);
  const models = await Promise.all(dirs.map((d) => readRegisteredModel(io, path.join(modelsDir, d), d, diags)));
  return models.filter((m): m is RegisteredModel => m !== null);
}

async function readRegisteredModel(io: Io, dir: string, folder: string, diags: Collector): Promise<RegisteredModel | null> {
  const metaPath = path.join(dir, 'meta.yaml');
  const meta = await readMetaFile(io, metaPath);
  if (!meta.ok) {
    diags.add(metaPath, `${meta.missing ? 'missing' : meta.problem} (registered model "${folder}" skipped)`);
    return null;
  }
  const rec = registeredModelFromMeta(meta.map, diags.at(metaPath));
  const name = rec.name ?? folder;
  const l = await listDir(io, dir);
  const entries = l.ok ? l.entries : [];
  const [tags, aliases, versions] = await Promise.all([
    readKeyValues(io, path.join(dir, 'tags'), diags, 'tag'),
    readAliases(io, path.join(dir, 'aliases'), diags),
    Promise.all(
      entries
        .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && VERSION_DIR.test(e.name))
        .map((e) => readVersion(io, path.join(dir, e.name), name, Number(VERSION_DIR.exec(e.name)?.[1]), diags)),
    ),
  ]);
  const kept = versions.filter((v): v is ModelVersion => v !== null).sort((a, b) => a.version - b.version);
  for (const v of kept) {
    v.aliases = Object.keys(aliases)
      .filter((a) => aliases[a] === v.version)
      .sort();
  }
  return {
    name,
    creationTimestamp: rec.creationTimestamp,
    lastUpdatedTimestamp: rec.lastUpdatedTimestamp,
    description: rec.description,
    tags,
    aliases,
    isPrompt: (tags[PROMPT_TAG] ?? '').toLowerCase() === 'true',
    versions: kept,
  };
}

async function readAliases(io: Io, dir: string, diags: Collector): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const l = await listDir(io, dir);
  if (!l.ok) {
    if (l.code !== 'ENOENT') diags.add(dir, `aliases folder ${describeError(l.code)} (aliases skipped)`);
    return out;
  }
  for (const n of l.badNames) diags.add(path.join(dir, n), 'file name is not valid UTF-8 (alias skipped)');
  const files = l.entries.filter((e) => !e.isDirectory()).map((e) => e.name).sort();
  const texts = await Promise.all(files.map((f) => readText(io, path.join(dir, f))));
  files.forEach((alias, i) => {
    const r = texts[i]!;
    const abs = path.join(dir, alias);
    if (!r.ok) {
      diags.add(abs, `${describeError(r.code)} (alias "${alias}" skipped)`);
      return;
    }
    const t = r.text.trim();
    if (!/^[0-9]+$/.test(t)) {
      diags.add(abs, `expected a version number, got "${t.slice(0, 40)}" (alias "${alias}" skipped)`);
      return;
    }
    out[alias] = Number(t);
  });
  return out;
}

async function readVersion(io: Io, dir: string, modelName: string, folderVersion: number, diags: Collector): Promise<ModelVersion | null> {
  const metaPath = path.join(dir, 'meta.yaml');
  const meta = await readMetaFile(io, metaPath);
  if (!meta.ok) {
    // MLflow fails the whole registry listing here (format doc 2.13); we only skip the version.
    diags.add(metaPath, `${meta.missing ? 'missing' : meta.problem} (version ${folderVersion} of "${modelName}" skipped)`);
    return null;
  }
  const v = versionFromMeta(meta.map, modelName, folderVersion, diags.at(metaPath));
  const tags = await readKeyValues(io, path.join(dir, 'tags'), diags, 'tag');
  return { ...v, tags, aliases: [] };
}
