// Reading the two kinds of small files the store is made of: `meta.yaml` records and key/value
// folders (params/, tags/, experiment and registry tags/: one file per key, value = content).
import type { Collector } from './diagnostics.ts';
import { describeError, readText, type Io } from './fs-util.ts';
import { walkKeys, type WalkProblem } from './key-walk.ts';
import { parseMetaYaml, type YamlMap } from './meta-yaml.ts';

export type MetaFile = { ok: true; map: YamlMap } | { ok: false; missing: boolean; problem: string };

export async function readMetaFile(io: Io, abs: string): Promise<MetaFile> {
  const r = await readText(io, abs);
  if (!r.ok) {
    return { ok: false, missing: r.code === 'ENOENT', problem: describeError(r.code) };
  }
  if (r.badUtf8) return { ok: false, missing: false, problem: 'not valid UTF-8' };
  const p = parseMetaYaml(r.text);
  if (!p.ok) return { ok: false, missing: false, problem: p.problem };
  return p;
}

/**
 * Reads every key file below `base` (missing `base` = no keys). Values are the file contents as
 * written: MLflow reads them with codecs.open, so no newline translation and no trimming.
 */
export async function readKeyValues(io: Io, base: string, diags: Collector, what: string): Promise<Record<string, string>> {
  const problems: WalkProblem[] = [];
  const files = await walkKeys(io, base, problems);
  for (const p of problems) diags.add(p.path, `${p.problem}`);
  const out: Record<string, string> = {};
  if (files.length === 0) return out;
  for (const f of files) {
    let r = readText(io, f.abs);
    if (r instanceof Promise) r = await r;
    if (!r.ok) {
      diags.add(f.abs, `${describeError(r.code, f.viaSymlink)} (${what} "${f.key}" skipped)`);
      continue;
    }
    if (r.badUtf8) diags.add(f.abs, `not valid UTF-8 (${what} "${f.key}" shown with replacement characters)`);
    out[f.key] = r.text;
  }
  return sortKeys(out);
}

function sortKeys(rec: Record<string, string>): Record<string, string> {
  const keys = Object.keys(rec);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) > (keys[i] as string)) sorted = false;
  if (sorted) return rec;
  const out: Record<string, string> = {};
  for (const k of keys.sort()) out[k] = rec[k] as string;
  return out;
}
