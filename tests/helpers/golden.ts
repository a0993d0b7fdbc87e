// Structural comparison of our dump with MLflow's own (expected-*.json). Only the differences
// the fixtures document are tolerated:
// - the dumper's metadata keys (mlflow_version, tracking_uri, registry_uri) are not content;
// - an absent `prompts` equals an empty list (fixtures README);
// - artifact entries that git could not keep (fixture-info.json `dump_lines_changed_by_pruning`:
//   empty folders) are dropped from the expectation;
// - an unavailable artifact location is an `{error}` entry on both sides; the message is
//   MLflow's Python exception there and ours here, so only its presence is compared.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue } from '../../electron/engine/mlflow-dump.ts';
import { fixturePath, type FixtureName } from './fixtures.ts';

const METADATA_KEYS = new Set(['mlflow_version', 'tracking_uri', 'registry_uri']);

export function loadExpected(name: FixtureName, which: 'runs' | 'registry'): JsonValue {
  const text = readFileSync(path.join(fixturePath(name), `expected-${which}.json`), 'utf8');
  const json = JSON.parse(text) as { [k: string]: JsonValue };
  for (const k of METADATA_KEYS) delete json[k];
  if (which === 'registry' && json.prompts === undefined) json.prompts = [];
  const pruned = prunedArtifactPaths(name);
  if (which === 'runs' && pruned.size > 0) dropPrunedArtifacts(json, pruned);
  return json;
}

function prunedArtifactPaths(name: FixtureName): Set<string> {
  const info = JSON.parse(readFileSync(path.join(fixturePath(name), 'fixture-info.json'), 'utf8')) as {
    dump_lines_changed_by_pruning?: string[];
  };
  const out = new Set<string>();
  for (const line of info.dump_lines_changed_by_pruning ?? []) {
    const m = /"path": "(.*)"/.exec(line);
    if (m?.[1]) out.add(m[1]);
  }
  return out;
}

function dropPrunedArtifacts(node: JsonValue, pruned: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) dropPrunedArtifacts(child, pruned);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const arts = node.artifacts;
  if (Array.isArray(arts)) {
    node.artifacts = arts.filter(
      (e) => !(e && typeof e === 'object' && !Array.isArray(e) && e.is_dir === true && pruned.has(String(e.path))),
    );
  }
  for (const v of Object.values(node)) dropPrunedArtifacts(v, pruned);
}

/** Normalises our side the same way (prompts default, metadata keys). */
export function normaliseActual(json: JsonValue, which: 'runs' | 'registry'): JsonValue {
  const copy = JSON.parse(JSON.stringify(json, numberReplacer), numberReviver) as { [k: string]: JsonValue };
  for (const k of METADATA_KEYS) delete copy[k];
  if (which === 'registry' && copy.prompts === undefined) copy.prompts = [];
  return copy;
}

// JSON.stringify loses -0; keep it through the copy so the comparison sees it.
const NEG_ZERO = '\u0000-0';
function numberReplacer(_k: string, v: unknown): unknown {
  return Object.is(v, -0) ? NEG_ZERO : v;
}
function numberReviver(_k: string, v: unknown): unknown {
  return v === NEG_ZERO ? -0 : v;
}

function isErrorEntry(v: JsonValue): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).join() === 'error';
}

/** Every difference as `path: expected X, got Y` (empty when equal). */
export function diffJson(expected: JsonValue, actual: JsonValue, at = '$', out: string[] = []): string[] {
  if (out.length > 50) return out;
  if (isErrorEntry(expected) && isErrorEntry(actual)) return out;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      out.push(`${at}: expected array, got ${short(actual)}`);
      return out;
    }
    if (expected.length !== actual.length) out.push(`${at}: expected ${expected.length} items, got ${actual.length}`);
    const n = Math.min(expected.length, actual.length);
    for (let i = 0; i < n; i++) diffJson(expected[i] as JsonValue, actual[i] as JsonValue, `${at}[${i}]`, out);
    return out;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      out.push(`${at}: expected object, got ${short(actual)}`);
      return out;
    }
    for (const k of Object.keys(expected)) {
      if (!(k in actual)) out.push(`${at}.${k}: missing`);
      else diffJson(expected[k] as JsonValue, actual[k] as JsonValue, `${at}.${k}`, out);
    }
    for (const k of Object.keys(actual)) if (!(k in expected)) out.push(`${at}.${k}: unexpected key`);
    return out;
  }
  if (!Object.is(expected, actual)) out.push(`${at}: expected ${short(expected)}, got ${short(actual)}`);
  return out;
}

function short(v: unknown): string {
  const s = Object.is(v, -0) ? '-0' : JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
