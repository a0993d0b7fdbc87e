// Reading MLflow's `meta.yaml` files (format doc 2.2, 2.3, 2.9, 2.10, 2.12).
//
// MLflow writes them with PyYAML `safe_dump(sort_keys=True, allow_unicode=True)`: almost always a
// flat mapping of `key: scalar` lines. Two things matter:
// - untyped plain scalars must not be turned into JS numbers behind our back: very old stores wrote
//   `experiment_id: 387161336320449950` unquoted, which a double cannot hold (format doc 1.1). So a
//   plain scalar is kept as its source text (`{plain}`) and each field is converted by the caller,
//   knowing what it expects (an id stays text, a timestamp becomes a number);
// - speed: a store has one meta.yaml per run, so the common flat shape is parsed by a strict hand
//   parser, and anything it is not sure about (nested maps, double quotes, folded lines, comments)
//   goes to the `yaml` package, converted to the same representation.
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';

/** A plain (unquoted) scalar, as written. `null`/`~`/empty plain scalars are `null` instead. */
export interface PlainScalar {
  plain: string;
}
export type YamlMap = Map<string, YamlValue>;
export type YamlValue = null | string | PlainScalar | YamlMap | YamlValue[];

export type MetaParse = { ok: true; map: YamlMap } | { ok: false; problem: string };

const NULL_PLAIN = new Set(['', '~', 'null', 'Null', 'NULL']);

/** Characters the hand parser leaves to the full YAML parser (line breaks YAML knows, tabs, controls). */
// eslint-disable-next-line no-control-regex
const HARD_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\t\r]/;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a meta.yaml text; problems are short sentences for diagnostics. */
export function parseMetaYaml(text: string): MetaParse {
  if (text.trim() === '') return { ok: false, problem: 'empty file' };
  const fast = parseFlat(text);
  if (fast) return { ok: true, map: fast };
  return parseWithLibrary(text);
}

/** The strict flat parser; null means "not sure, ask the real parser". */
export function parseFlat(text: string): YamlMap | null {
  if (HARD_CHARS.test(text)) return null;
  const map: YamlMap = new Map();
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = n;
    const line = text.slice(pos, eol);
    pos = eol + 1;
    const colon = line.indexOf(': ');
    // `key:` alone opens a nested block (or is a null we leave to the real parser).
    if (colon < 0) return null;
    const key = line.slice(0, colon);
    const raw = line.slice(colon + 2);
    if (!KEY.test(key) || map.has(key)) return null;
    const value = flatScalar(raw);
    if (value === undefined) return null;
    map.set(key, value);
  }
  return map;
}

function flatScalar(raw: string): YamlValue | undefined {
  if (raw === '' || raw !== raw.trim()) return undefined;
  const c = raw.charCodeAt(0);
  if (c === 0x27 /* ' */) return singleQuoted(raw);
  if (raw === '[]') return [];
  if (raw === '{}') return new Map();
  if ('"[]{}&*!|>%@`#,'.includes(raw[0] as string)) return undefined;
  if ((c === 0x2d || c === 0x3f || c === 0x3a) && (raw.length === 1 || raw[1] === ' ')) return undefined; // - ? :
  if (raw.includes(': ') || raw.includes(' #') || raw.endsWith(':')) return undefined;
  return NULL_PLAIN.has(raw) ? null : { plain: raw };
}

function singleQuoted(raw: string): string | undefined {
  if (raw.length < 2 || raw.charCodeAt(raw.length - 1) !== 0x27) return undefined;
  const inner = raw.slice(1, -1);
  let out = '';
  let from = 0;
  for (let i = inner.indexOf("'"); i >= 0; i = inner.indexOf("'", i + 2)) {
    if (inner.charCodeAt(i + 1) !== 0x27) return undefined; // a lone quote: not one scalar
    out += inner.slice(from, i + 1);
    from = i + 2;
  }
  return out + inner.slice(from);
}

function parseWithLibrary(text: string): MetaParse {
  let doc: Document.Parsed;
  try {
    // PyYAML writes YAML 1.1; the schema hardly matters since plain scalars are kept as text.
    doc = parseDocument(text, { version: '1.1', uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    return { ok: false, problem: `invalid YAML (${firstLine(String(e))})` };
  }
  if (doc.errors.length > 0) {
    return { ok: false, problem: `invalid YAML (${firstLine(doc.errors[0]?.message ?? 'parse error')})` };
  }
  const root = convert(doc.contents, doc);
  if (root === null) return { ok: false, problem: 'empty file' };
  if (!(root instanceof Map)) return { ok: false, problem: 'not a YAML mapping' };
  return { ok: true, map: root };
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function convert(node: unknown, doc: Document.Parsed): YamlValue {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return convert(node.resolve(doc), doc);
  if (isScalar(node)) {
    if (node.value === null || node.value === undefined) return null;
    if (node.type === 'PLAIN') {
      const src = node.source ?? String(node.value);
      return NULL_PLAIN.has(src) ? null : { plain: src };
    }
    return typeof node.value === 'string' ? node.value : String(node.value);
  }
  if (isMap(node)) {
    const m: YamlMap = new Map();
    for (const pair of node.items) {
      const k = convert(pair.key, doc);
      m.set(keyText(k), convert(pair.value, doc));
    }
    return m;
  }
  if (isSeq(node)) return node.items.map((it) => convert(it, doc));
  return null;
}

function keyText(k: YamlValue): string {
  if (k === null) return '';
  if (typeof k === 'string') return k;
  if ('plain' in k && typeof k.plain === 'string') return k.plain;
  return JSON.stringify(k);
}

// ---- field accessors: `undefined` = absent, `null` = YAML null, otherwise the converted value ----

export function isPlain(v: YamlValue | undefined): v is PlainScalar {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map);
}

/** A text field; numbers and booleans written plain come back as written. */
export function textField(m: YamlMap, key: string): string | null | undefined {
  const v = m.get(key);
  if (v === undefined || v === null) return v;
  if (typeof v === 'string') return v;
  if (isPlain(v)) return v.plain;
  return undefined;
}

const INT_TEXT = /^[-+]?[0-9]+$/;
const FLOAT_TEXT = /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

/** An integer field (timestamps, enums, versions, steps). `undefined` when absent or not a number. */
export function intField(m: YamlMap, key: string): number | null | undefined {
  const v = m.get(key);
  if (v === null) return null;
  const t = typeof v === 'string' ? v.trim() : isPlain(v) ? v.plain.replace(/_/g, '') : undefined;
  if (t === undefined) return undefined;
  if (INT_TEXT.test(t)) return Number(t);
  if (FLOAT_TEXT.test(t)) return Math.trunc(Number(t));
  return undefined;
}

export function mapField(m: YamlMap, key: string): YamlMap | null | undefined {
  const v = m.get(key);
  if (v === undefined || v === null) return v;
  return v instanceof Map ? v : undefined;
}

/** A mapping of text to text (input tags, the aliases snapshot); non-text entries are dropped. */
export function textMap(m: YamlMap | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!m) return out;
  for (const [k, v] of m) {
    if (typeof v === 'string') out[k] = v;
    else if (isPlain(v)) out[k] = v.plain;
  }
  return out;
}
