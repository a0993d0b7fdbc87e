// Writes MLflow tracking data (experiments, runs, params, metrics, tags, artifacts) exactly as
// MLflow 3.5 does, into either backend, so that real MLflow — and our readers — read the result as
// their own. Used by the benchmark generator (bench/), the demo project and live tests that
// simulate a training process.
//
// File store (format doc 2.1–2.7): PyYAML-formatted meta.yaml (sorted keys, PyYAML's quoting rules,
// reproduced by `dumpYaml` below), one file per param/tag without trailing newline, metric lines
// `<ts> <value> <step>\n` appended with Python's float formatting (`pyFloat`).
// SQLite store (format doc 3.2, 3.3, 3.5): MLflow 3.5's exact schema (mlflow-3.5-schema.sql, taken
// from sqlite_master of a database MLflow created) + alembic head, one transaction per logical
// change, `latest_metrics` maintained with MLflow's (step, timestamp, value) rule and NaN/inf
// encodings.
//
// Calls for one run must be awaited in order (like one MLflow client); different runs may be
// written concurrently.
import { randomBytes } from 'node:crypto';
import {
  access,
  appendFile,
  appendFileSync,
  existsSync,
  mkdir,
  mkdirSync,
  readFile,
  readFileSync,
  readdir,
  readdirSync,
  rename,
  renameSync,
  writeFile,
  writeFileSync,
  type PathLike,
} from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { parse as parseYaml } from 'yaml';
import type { RunStatus } from '../model.ts';

export const MLFLOW_SCHEMA_REVISION = 'bf29a5ff90ea';
const SCHEMA_FILE = fileURLToPath(new URL('./mlflow-3.5-schema.sql', import.meta.url));

/** MLflow's run status enum as stored in the file store's meta.yaml (format doc 1.3). */
const FILE_STATUS: Record<RunStatus, number> = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 };
/** SQLite has no inf: MLflow stores ±DBL_MAX instead (format doc 3.3). */
const DBL_MAX = 1.7976931348623157e308;

export interface WriterOptions {
  /** Source of randomness for ids and run names (seed it for reproducible stores). */
  random?: () => number;
  /** Clock in epoch ms (default Date.now). */
  now?: () => number;
  /**
   * SQLite only: `false` sets `PRAGMA synchronous = OFF` for this connection (a per-connection
   * setting, nothing is stored in the file). For bulk generation; a crash may then corrupt the db.
   */
  durable?: boolean;
  /**
   * File store only: do each write with a blocking call instead of a libuv thread-pool round trip.
   * Several times faster for bulk generation on a local disk (the generator uses it), but it
   * blocks the event loop during each call: not for a process that must stay responsive.
   */
  blockingIo?: boolean;
}

export interface CreateExperimentOptions {
  /** Explicit artifact location URI; default: `<store root>/<experiment id>` (format doc 1.6). */
  artifactLocation?: string;
  tags?: Record<string, string>;
  creationTime?: number;
}

export interface CreateRunOptions {
  experimentId: string;
  /** Default: MLflow-style random `adjective-animal-NNN`. */
  runName?: string;
  /** `mlflow.user` + user_id; default: the OS user, as MLflow's fluent API does. */
  userId?: string;
  /** `mlflow.source.name`; default: the running script. */
  sourceName?: string;
  /** `mlflow.source.type`; default LOCAL. */
  sourceType?: string;
  startTime?: number;
  /** RUNNING (default, what `mlflow.start_run` creates) or SCHEDULED. */
  status?: 'RUNNING' | 'SCHEDULED';
  /** More tags, written after the system tags (they may override them, as in MLflow). */
  tags?: Record<string, string>;
  /** Explicit run id (32 hex chars); default random. */
  runId?: string;
}

export interface MetricInput {
  key: string;
  value: number;
  step?: number;
  /** Default: now. */
  timestamp?: number;
}

export interface LogBatch {
  params?: Record<string, string>;
  metrics?: MetricInput[];
  tags?: Record<string, string>;
}

export interface CreatedRun {
  runId: string;
  experimentId: string;
  artifactUri: string;
}

export interface TrackingWriter {
  readonly kind: 'file' | 'sqlite';
  /** file: the mlruns folder; sqlite: the database file. */
  readonly path: string;
  createExperiment(name: string, options?: CreateExperimentOptions): Promise<string>;
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;
  createRun(options: CreateRunOptions): Promise<CreatedRun>;
  /** Params are immutable: re-logging the same value is a no-op, another value throws (as MLflow). */
  logParam(runId: string, key: string, value: string): Promise<void>;
  logMetric(runId: string, key: string, value: number, step?: number, timestamp?: number): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  /** Params, then metrics, then tags — MLflow's log_batch order — in one transaction (SQLite). */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  endRun(runId: string, status?: RunStatus, endTime?: number): Promise<void>;
  /** Writes bytes to `<run artifact dir>/<artifactPath>` (local artifact locations only). */
  logArtifact(runId: string, artifactPath: string, data: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export class TrackingWriteError extends Error {}

// ---------------------------------------------------------------------------------------------
// Ids and names (mlflow/utils/name_utils.py, format doc 1.1)

const PREDICATES = [
  'able', 'abundant', 'adaptable', 'adorable', 'adventurous', 'agreeable', 'amazing', 'ambitious',
  'amusing', 'auspicious', 'awesome', 'beautiful', 'bedecked', 'bemused', 'bittersweet', 'blushing',
  'bold', 'bouncy', 'brawny', 'bright', 'burly', 'bustling', 'calm', 'capable', 'carefree',
  'caring', 'casual', 'charming', 'chill', 'classy', 'clean', 'clumsy', 'colorful', 'crawling',
  'dapper', 'dashing', 'dazzling', 'debonair', 'defiant', 'delicate', 'delightful', 'efficient',
  'enchanting', 'entertaining', 'enthused', 'exultant', 'fearless', 'flawless', 'fortunate',
  'funny', 'gaudy', 'gentle', 'gifted', 'glamorous', 'grandiose', 'gregarious', 'handsome',
  'hilarious', 'honorable', 'illustrious', 'industrious', 'inquisitive', 'intelligent', 'invincible',
  'judicious', 'kindly', 'languid', 'learned', 'legendary', 'likeable', 'loud', 'luminous',
  'luxuriant', 'lyrical', 'magnificent', 'marvelous', 'melodic', 'merciful', 'monumental',
  'mysterious', 'nebulous', 'nimble', 'omniscient', 'orderly', 'overjoyed', 'peaceful', 'persistent',
  'placid', 'polite', 'popular', 'powerful', 'puzzled', 'rare', 'rebellious', 'receptive',
  'redolent', 'resilient', 'respected', 'righteous', 'rogue', 'salty', 'sassy', 'secretive',
  'sedate', 'selective', 'serious', 'silent', 'sincere', 'skillful', 'smiling', 'sneaky',
  'spiffy', 'stately', 'stylish', 'suave', 'tasteful', 'thoughtful', 'traveling', 'treasured',
  'trusting', 'unequaled', 'unique', 'upbeat', 'useful', 'valuable', 'vaunted', 'victorious',
  'welcoming', 'whimsical', 'wise', 'youthful', 'zealous',
];
const NOUNS = [
  'ant', 'ape', 'asp', 'auk', 'bass', 'bat', 'bear', 'bee', 'bird', 'boar', 'bug', 'calf', 'carp',
  'cat', 'chimp', 'cod', 'colt', 'conch', 'cow', 'crab', 'crane', 'croc', 'crow', 'cub', 'deer',
  'doe', 'dog', 'dolphin', 'donkey', 'dove', 'duck', 'eel', 'elk', 'fawn', 'finch', 'fish', 'flea',
  'fly', 'foal', 'fowl', 'fox', 'frog', 'gnat', 'gnu', 'goat', 'goose', 'grouse', 'grub', 'gull',
  'hare', 'hawk', 'hen', 'hog', 'horse', 'hound', 'jay', 'kit', 'kite', 'koi', 'lamb', 'lark',
  'loon', 'lynx', 'mare', 'midge', 'mink', 'mole', 'moose', 'moth', 'mouse', 'mule', 'newt', 'owl',
  'ox', 'panda', 'penguin', 'perch', 'pig', 'pug', 'quail', 'ram', 'rat', 'ray', 'robin', 'roo',
  'rook', 'seal', 'shad', 'shark', 'sheep', 'shoat', 'shrew', 'shrike', 'shrimp', 'skink', 'skunk',
  'sloth', 'slug', 'smelt', 'snail', 'snake', 'snipe', 'sow', 'sponge', 'squid', 'squirrel', 'stag',
  'steed', 'stoat', 'stork', 'swan', 'tern', 'toad', 'trout', 'turtle', 'vole', 'wasp', 'whale',
  'wolf', 'worm', 'wren', 'yak', 'zebra',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length) % items.length] as T;
}

export function randomRunName(random: () => number): string {
  return `${pick(random, PREDICATES)}-${pick(random, NOUNS)}-${Math.floor(random() * 1000)}`;
}

function randomHex(random: (() => number) | undefined, chars: number): string {
  if (!random) return randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars);
  let out = '';
  while (out.length < chars) out += Math.floor(random() * 0x10000).toString(16).padStart(4, '0');
  return out.slice(0, chars);
}

/** uuid4 hex, version nibble included, as `uuid.uuid4().hex`. */
function runIdFrom(random: (() => number) | undefined): string {
  const h = randomHex(random, 32).split('');
  h[12] = '4';
  h[16] = '89ab'[parseInt(h[16] as string, 16) & 3] as string;
  return h.join('');
}

/** 18 decimal digits, first one non-zero (MLflow: the first 18 digits of a uuid4 as int). */
function experimentIdFrom(random: (() => number) | undefined): string {
  const r = random ?? (() => randomBytes(4).readUInt32LE(0) / 0x1_0000_0000);
  let s = String(1 + Math.floor(r() * 9));
  while (s.length < 18) s += String(Math.floor(r() * 10) % 10);
  return s;
}

function defaultUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

function defaultSourceName(): string {
  return process.argv[1] ?? '';
}

const RUN_ID_RE = /^[a-zA-Z0-9][\w-]{0,255}$/;

// ---------------------------------------------------------------------------------------------
// Python value formatting

/**
 * Python's `str(float)` (repr, "short" style): shortest round-trip digits, fixed notation when the
 * decimal exponent is in (-4, 16], `.0` on integral values, two-digit exponents (`1e-05`,
 * `1e+16`), `nan`/`inf`/`-inf`, `-0.0`. MLflow writes metric values with it (format doc 2.5).
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const ax = Math.abs(x);
  if (ax >= 1e-4 && ax < 1e16) {
    // Both languages print the same shortest round-trip digits, and JS uses fixed notation here.
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const sign = x < 0 ? '-' : '';
  const [mant = '', expText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  const decpt = exp + 1;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${sign}${m}e${e}`;
}

function pyInt(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (!Number.isInteger(n)) throw new TrackingWriteError(`Expected an integer, got ${n}`);
  // Integral doubles beyond 2^53 still print exactly as Python ints would (no exponent).
  return BigInt(n).toString();
}

// ---------------------------------------------------------------------------------------------
// YAML exactly as PyYAML safe_dump(default_flow_style=False, allow_unicode=True, sort_keys=True)

export type YamlScalar = string | number | bigint | boolean | null;
export type YamlData = YamlScalar | YamlData[] | { [key: string]: YamlData };

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
const BREAKS = '\r\n\x85\u2028\u2029';
const WS_OR_BREAK = '\0 \t\r\n\x85\u2028\u2029';

// PyYAML's implicit resolvers (yaml/resolver.py): a string matching one of these is not emitted
// plain, since it would read back as a bool/int/float/null/timestamp.
const IMPLICIT = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
  /^(?:!|&|\*)$/,
];

const ESCAPES: Record<string, string> = {
  '\0': '0', '\x07': 'a', '\x08': 'b', '\x09': 't', '\x0A': 'n', '\x0B': 'v', '\x0C': 'f',
  '\x0D': 'r', '\x1B': 'e', '"': '"', '\\': '\\', '\x85': 'N', '\xA0': '_', '\u2028': 'L',
  '\u2029': 'P',
};

interface ScalarAnalysis {
  empty: boolean;
  multiline: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

/**
 * libyaml's IS_PRINTABLE (MLflow dumps with CSafeDumper, i.e. libyaml's emitter): `\n`, printable
 * ASCII, U+00A0–U+D7FF, U+E000–U+FFFD except the BOM. Not NEL, not tabs, and not characters outside
 * the BMP, which are escaped: `name: "Ünïcødé 実験 \U0001F680"` [seen].
 */
function isPrintable(ch: string): boolean {
  if (ch === '\n' || (ch >= '\x20' && ch <= '\x7E')) return true;
  if (ch === '\uFEFF') return false;
  return (ch >= '\xA0' && ch <= '\uD7FF') || (ch >= '\uE000' && ch <= '\uFFFD');
}

// yaml_emitter_analyze_scalar (libyaml emitter.c; PyYAML's emitter.py is the same logic), over code points.
function analyzeScalar(chars: string[]): ScalarAnalysis {
  if (chars.length === 0) return { empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true };
  const text = chars.join('');
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  if (text.startsWith('---') || text.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWs = true;
  let followedByWs = chars.length === 1 || WS_OR_BREAK.includes(chars[1] as string);
  let previousSpace = false;
  let previousBreak = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if (ch === '?' || ch === ':') {
        flowIndicators = true;
        if (followedByWs) blockIndicators = true;
      }
      if (ch === '-' && followedByWs) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (',?[]{}'.includes(ch)) flowIndicators = true;
      if (ch === ':') {
        flowIndicators = true;
        if (followedByWs) blockIndicators = true;
      }
      if (ch === '#' && precededByWs) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    if (!isPrintable(ch)) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWs = WS_OR_BREAK.includes(ch);
    followedByWs = i + 2 >= chars.length || WS_OR_BREAK.includes(chars[i + 2] as string);
  }
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowBlockPlain = false;
  if (breakSpace) allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || special) allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks) allowBlockPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  void flowIndicators; // only matters inside flow collections, which safe_dump(default_flow_style=False) never opens
  return { empty: false, multiline: lineBreaks, allowBlockPlain, allowSingleQuoted };
}

/** yaml/emitter.py's writer state, reduced to block mappings/sequences of scalars. */
class YamlEmitter {
  out = '';
  private column = 0;
  private whitespace = true;
  private indention = true;
  indent = 0;

  private write(data: string, width = [...data].length): void {
    this.out += data;
    this.column += width;
  }

  writeIndicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? indicator : ` ${indicator}`;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.write(data);
  }

  writeIndent(): void {
    if (!this.indention || this.column > this.indent || (this.column === this.indent && !this.whitespace)) {
      this.writeLineBreak();
    }
    if (this.column < this.indent) {
      this.whitespace = true;
      this.write(' '.repeat(this.indent - this.column));
    }
  }

  writeLineBreak(br = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.out += br;
    this.column = 0;
  }

  writePlain(chars: string[], split = true): void {
    if (chars.length === 0) return;
    if (!this.whitespace) this.write(' ');
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end] : undefined;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.write(chars.slice(start, end).join(''), end - start);
          }
          start = end;
        }
      } else if (ch === undefined || ch === ' ' || BREAKS.includes(ch)) {
        this.write(chars.slice(start, end).join(''), end - start);
        start = end;
      }
      if (ch !== undefined) spaces = ch === ' ';
    }
  }

  writeSingleQuoted(chars: string[], split = true): void {
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end] : undefined;
      if (spaces) {
        if (ch === undefined || ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== chars.length) {
            this.writeIndent();
          } else {
            this.write(chars.slice(start, end).join(''), end - start);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !BREAKS.includes(ch)) {
          if (chars[start] === '\n') this.writeLineBreak();
          for (const br of chars.slice(start, end)) this.writeLineBreak(br === '\n' ? '\n' : br);
          this.writeIndent();
          start = end;
        }
      } else if (ch === undefined || ch === ' ' || BREAKS.includes(ch) || ch === "'") {
        if (start < end) {
          this.write(chars.slice(start, end).join(''), end - start);
          start = end;
        }
      }
      if (ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== undefined) {
        spaces = ch === ' ';
        breaks = BREAKS.includes(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  // yaml_emitter_write_double_quoted: escapes, and folds only at single spaces past the width
  // (PyYAML's pure-Python emitter would fold differently, with trailing backslashes).
  writeDoubleQuoted(chars: string[], split = true): void {
    this.writeIndicator('"', true);
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] as string;
      if (!isPrintable(ch) || ch === '\uFEFF' || BREAKS.includes(ch) || ch === '"' || ch === '\\') {
        const cp = ch.codePointAt(0) as number;
        let data: string;
        if (ESCAPES[ch] !== undefined) data = `\\${ESCAPES[ch]}`;
        else if (cp <= 0xff) data = `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`;
        else if (cp <= 0xffff) data = `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
        else data = `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
        this.write(data);
        spaces = false;
      } else if (ch === ' ') {
        if (split && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
          this.writeIndent();
          if (chars[i + 1] === ' ') this.write('\\');
        } else {
          this.write(' ');
        }
        spaces = true;
      } else {
        this.write(ch, 1);
        spaces = false;
      }
    }
    this.writeIndicator('"', false);
  }

  /** A string scalar in block context (PyYAML choose_scalar_style for a `str` with implicit tag). */
  writeString(value: string): void {
    const chars = [...value];
    const a = analyzeScalar(chars);
    const implicitStr = !IMPLICIT.some((re) => re.test(value));
    if (implicitStr && !a.empty && a.allowBlockPlain) this.writePlain(chars);
    else if (a.allowSingleQuoted) this.writeSingleQuoted(chars);
    else this.writeDoubleQuoted(chars);
  }

  writeScalar(v: YamlScalar): void {
    if (typeof v === 'string') return this.writeString(v);
    let text: string;
    if (v === null) text = 'null';
    else if (typeof v === 'boolean') text = v ? 'true' : 'false';
    else if (typeof v === 'bigint' || Number.isInteger(v)) text = pyInt(v);
    else text = yamlFloat(v);
    this.writePlain([...text]);
  }

  writeNode(v: YamlData, mappingContext: boolean, top = false): void {
    if (Array.isArray(v)) {
      if (v.length === 0) {
        this.writeIndicator('[', true, true);
        this.writeIndicator(']', false);
        return;
      }
      // Block sequences that are mapping values are "indentless" (PyYAML expect_block_sequence).
      const saved = this.indent;
      if (!(mappingContext && !this.indention)) this.indent += BEST_INDENT;
      for (const item of v) {
        this.writeIndent();
        this.writeIndicator('-', true, false, true);
        this.writeNode(item, false);
      }
      this.indent = saved;
      return;
    }
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v).sort(compareCodePoints);
      if (keys.length === 0) {
        this.writeIndicator('{', true, true);
        this.writeIndicator('}', false);
        return;
      }
      const saved = this.indent;
      this.indent = top ? 0 : saved + BEST_INDENT;
      for (const k of keys) {
        this.writeIndent();
        this.writeString(k);
        this.writeIndicator(':', false);
        const child = v[k] as YamlData;
        if (child !== null && typeof child === 'object') this.writeNode(child, true);
        else {
          const inner = this.indent;
          this.indent += BEST_INDENT; // expect_scalar: increase_indent(flow=True)
          this.writeScalar(child);
          this.indent = inner;
        }
      }
      this.indent = saved;
      return;
    }
    const inner = this.indent;
    this.indent += BEST_INDENT;
    this.writeScalar(v);
    this.indent = inner;
  }
}

/** PyYAML represent_float. */
function yamlFloat(v: number): string {
  if (Number.isNaN(v)) return '.nan';
  if (v === Infinity) return '.inf';
  if (v === -Infinity) return '-.inf';
  let s = pyFloat(v).toLowerCase();
  if (!s.includes('.') && s.includes('e')) s = s.replace('e', '.0e');
  return s;
}

function compareCodePoints(a: string, b: string): number {
  // Python sorts str by code point; JS `<` compares UTF-16 units, which differs only for
  // astral characters vs U+E000–U+FFFF. Compare code point arrays to be exact.
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = (ca[i] as string).codePointAt(0) as number;
    const y = (cb[i] as string).codePointAt(0) as number;
    if (x !== y) return x - y;
  }
  return ca.length - cb.length;
}

/** A mapping dumped as MLflow's `write_yaml` does (format doc 2.2: keys sorted, PyYAML quoting). */
export function dumpYaml(data: { [key: string]: YamlData }): string {
  const e = new YamlEmitter();
  e.writeNode(data, false, true);
  return e.out.endsWith('\n') ? e.out : `${e.out}\n`;
}

// ---------------------------------------------------------------------------------------------
// Small promise wrappers over the callback fs API (cheaper than fs/promises for many tiny files).

function pWriteFile(p: PathLike, data: string | Uint8Array, flag = 'w'): Promise<void> {
  return new Promise((resolve, reject) => writeFile(p, data, { flag }, (e) => (e ? reject(e) : resolve())));
}
function pAppendFile(p: PathLike, data: string): Promise<void> {
  return new Promise((resolve, reject) => appendFile(p, data, (e) => (e ? reject(e) : resolve())));
}
function pMkdir(p: string): Promise<void> {
  return new Promise((resolve, reject) => mkdir(p, { recursive: true }, (e) => (e ? reject(e) : resolve())));
}
function pRename(a: string, b: string): Promise<void> {
  return new Promise((resolve, reject) => rename(a, b, (e) => (e ? reject(e) : resolve())));
}
function pReadFile(p: string): Promise<string> {
  return new Promise((resolve, reject) => readFile(p, 'utf8', (e, d) => (e ? reject(e) : resolve(d))));
}
function pReaddir(p: string): Promise<string[]> {
  return new Promise((resolve, reject) => readdir(p, (e, d) => (e ? reject(e) : resolve(d))));
}
function pExists(p: string): Promise<boolean> {
  return new Promise((resolve) => access(p, (e) => resolve(!e)));
}

/** The few file operations the file store writer needs, in a non-blocking and a blocking flavour. */
interface FsOps {
  writeFile(p: string, data: string | Uint8Array, flag?: string): Promise<void>;
  appendFile(p: string, data: string): Promise<void>;
  mkdir(p: string): Promise<void>;
  rename(a: string, b: string): Promise<void>;
  readFile(p: string): Promise<string>;
  readdir(p: string): Promise<string[]>;
  exists(p: string): Promise<boolean>;
}

const asyncFs: FsOps = {
  writeFile: pWriteFile,
  appendFile: pAppendFile,
  mkdir: pMkdir,
  rename: pRename,
  readFile: pReadFile,
  readdir: pReaddir,
  exists: pExists,
};

function blocking<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e);
  }
}

const blockingFs: FsOps = {
  writeFile: (p, data, flag = 'w') => blocking(() => writeFileSync(p, data, { flag })),
  appendFile: (p, data) => blocking(() => appendFileSync(p, data)),
  mkdir: (p) => blocking(() => void mkdirSync(p, { recursive: true })),
  rename: (a, b) => blocking(() => renameSync(a, b)),
  readFile: (p) => blocking(() => readFileSync(p, 'utf8')),
  readdir: (p) => blocking(() => readdirSync(p)),
  exists: (p) => blocking(() => existsSync(p)),
};

let tmpCounter = 0;
/** Rewrite via temp file + rename, as MLflow's overwrite_yaml (readers never see a half file). */
async function writeAtomic(fs: FsOps, file: string, data: string): Promise<void> {
  // `.<name>.tmp-*`: the engine's watcher ignores this pattern (engine.ts).
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${++tmpCounter}`);
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}

function isErrno(e: unknown, code: string): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === code;
}

/** Where `key` (which may contain `/`, format doc 2.1) lives below `base`; refuses escapes. */
function keyPath(base: string, key: string): string {
  if (key === '' || key.startsWith('/') || key.includes('\0') || key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new TrackingWriteError(`Invalid key "${key}"`);
  }
  return path.join(base, ...key.split('/'));
}

function artifactDirOf(artifactUri: string): string {
  if (artifactUri.startsWith('file:')) return fileURLToPath(artifactUri);
  if (path.isAbsolute(artifactUri)) return artifactUri;
  throw new TrackingWriteError(`Artifact location ${artifactUri} is not local`);
}

function artifactTarget(artifactUri: string, artifactPath: string): string {
  const root = artifactDirOf(artifactUri);
  const rel = artifactPath.replace(/\\/g, '/');
  if (rel === '' || path.isAbsolute(rel) || rel.split('/').some((s) => s === '..')) {
    throw new TrackingWriteError(`Invalid artifact path "${artifactPath}"`);
  }
  return path.join(root, ...rel.split('/').filter((s) => s !== '' && s !== '.'));
}

/**
 * `path_to_local_file_uri`: Python's `pathlib.Path(p).as_uri()`, i.e. `file://` + the UTF-8 path
 * percent-encoded except letters, digits, `_.-~/` (urllib.parse.quote). Node's pathToFileURL
 * leaves more characters alone (`+`, `,`, `@`, `:` …), which would differ from MLflow's URIs.
 */
export function localFileUri(absPath: string): string {
  let out = '';
  for (const byte of Buffer.from(path.resolve(absPath), 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.\-~/]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `file://${out}`;
}

/** `append_to_uri_path`: joins with `/`, keeping the scheme of the base. */
function appendToUri(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ''), ...parts].join('/');
}

function metricLine(m: MetricInput, now: () => number): string {
  return `${pyInt(m.timestamp ?? now())} ${pyFloat(m.value)} ${pyInt(m.step ?? 0)}\n`;
}

// ---------------------------------------------------------------------------------------------
// File store

interface FileRunMeta {
  artifact_uri: string;
  end_time: number | null;
  entry_point_name: string;
  experiment_id: string;
  lifecycle_stage: string;
  run_id: string;
  run_name: string;
  source_name: string;
  source_type: number;
  source_version: string;
  start_time: number;
  status: number;
  tags: never[];
  user_id: string;
  [key: string]: YamlData;
}

interface FileRunState {
  dir: string;
  meta: FileRunMeta;
}

export async function createFileTrackingWriter(mlrunsDir: string, options: WriterOptions = {}): Promise<TrackingWriter> {
  const root = path.resolve(mlrunsDir);
  const now = options.now ?? Date.now;
  const random = options.random;
  const runs = new Map<string, FileRunState>();
  const fs = options.blockingIo ? blockingFs : asyncFs;

  // What MLflow's FileStore does on first use: the root, `.trash/`, the Default experiment "0";
  // the registry store adds `models/` (format doc 2.1).
  await fs.mkdir(path.join(root, '.trash'));
  await fs.mkdir(path.join(root, 'models'));
  if (!(await fs.exists(path.join(root, '0', 'meta.yaml')))) await writeExperiment('0', 'Default', {});

  async function writeExperiment(id: string, name: string, opts: CreateExperimentOptions): Promise<void> {
    const dir = path.join(root, id);
    const t = opts.creationTime ?? now();
    await fs.mkdir(dir);
    const meta = {
      artifact_location: opts.artifactLocation ?? localFileUri(dir),
      creation_time: t,
      experiment_id: id,
      last_update_time: t,
      lifecycle_stage: 'active',
      name,
    };
    // write_yaml(overwrite=False): a fresh file; refuse to clobber an existing experiment.
    await fs.writeFile(path.join(dir, 'meta.yaml'), dumpYaml(meta), 'wx');
    for (const [k, v] of Object.entries(opts.tags ?? {})) await writeKeyFile(path.join(dir, 'tags'), k, v);
  }

  async function writeKeyFile(base: string, key: string, value: string, flag = 'w'): Promise<void> {
    const p = keyPath(base, key);
    try {
      await fs.writeFile(p, value, flag);
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
      await fs.mkdir(path.dirname(p));
      await fs.writeFile(p, value, flag);
    }
  }

  async function readYamlFile(file: string): Promise<Record<string, unknown> | null> {
    let text: string;
    try {
      text = await fs.readFile(file);
    } catch {
      return null;
    }
    // intAsBigInt: unquoted 18-digit ids of old stores must not lose digits (format doc 1.1).
    const parsed: unknown = parseYaml(text, { intAsBigInt: true });
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  }

  /** Names in use, deleted experiments in .trash/ included (MLflow keeps those reserved, 2.8). */
  async function experimentNames(): Promise<Set<string>> {
    const names = new Set<string>();
    for (const base of [root, path.join(root, '.trash')]) {
      let entries: string[];
      try {
        entries = await fs.readdir(base);
      } catch {
        continue;
      }
      for (const d of entries) {
        if (base === root && (d === '.trash' || d === 'models')) continue;
        const meta = await readYamlFile(path.join(base, d, 'meta.yaml'));
        if (typeof meta?.name === 'string') names.add(meta.name);
      }
    }
    return names;
  }

  const locations = new Map<string, string>();
  async function experimentArtifactLocation(experimentId: string): Promise<string> {
    const known = locations.get(experimentId);
    if (known !== undefined) return known;
    const meta = await readYamlFile(path.join(root, experimentId, 'meta.yaml'));
    if (!meta) throw new TrackingWriteError(`No experiment ${experimentId} in ${root}`);
    if (typeof meta.artifact_location !== 'string') throw new TrackingWriteError(`Experiment ${experimentId} has no artifact_location`);
    locations.set(experimentId, meta.artifact_location);
    return meta.artifact_location;
  }

  async function runState(runId: string): Promise<FileRunState> {
    const known = runs.get(runId);
    if (known) return known;
    // A run this writer did not create (e.g. a live test continuing an existing run): find it.
    for (const d of await fs.readdir(root)) {
      if (d === '.trash' || d === 'models') continue;
      const dir = path.join(root, d, runId);
      const parsed = await readYamlFile(path.join(dir, 'meta.yaml'));
      if (!parsed) continue;
      const meta = {} as FileRunMeta;
      for (const [k, v] of Object.entries(parsed)) {
        (meta as Record<string, YamlData>)[k] = typeof v === 'bigint' ? Number(v) : (v as YamlData);
      }
      meta.experiment_id = String(parsed.experiment_id ?? d);
      const st = { dir, meta };
      runs.set(runId, st);
      return st;
    }
    throw new TrackingWriteError(`No run ${runId} in ${root}`);
  }

  async function rewriteRunMeta(st: FileRunState): Promise<void> {
    await writeAtomic(fs, path.join(st.dir, 'meta.yaml'), dumpYaml(st.meta));
  }

  async function setTagIn(st: FileRunState, key: string, value: string): Promise<void> {
    await writeKeyFile(path.join(st.dir, 'tags'), key, value);
    // set_tag of mlflow.runName also renames the run in meta.yaml (format doc 1.4).
    if (key === 'mlflow.runName' && st.meta.run_name !== value) {
      st.meta.run_name = value;
      await rewriteRunMeta(st);
    }
  }

  async function logParamIn(st: FileRunState, key: string, value: string): Promise<void> {
    try {
      await writeKeyFile(path.join(st.dir, 'params'), key, value, 'wx');
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
      const old = await fs.readFile(keyPath(path.join(st.dir, 'params'), key));
      if (old !== value) {
        throw new TrackingWriteError(`Changing param values is not allowed. Param with key='${key}' was already logged with value='${old}' for run ID='${st.meta.run_id}'. Attempted logging new value '${value}'.`);
      }
    }
  }

  async function logMetricsIn(st: FileRunState, metrics: readonly MetricInput[]): Promise<void> {
    // One append per key with all its lines: the same bytes as MLflow's line-by-line appends.
    const byKey = new Map<string, string>();
    for (const m of metrics) byKey.set(m.key, (byKey.get(m.key) ?? '') + metricLine(m, now));
    await Promise.all(
      [...byKey].map(async ([key, lines]) => {
        const p = keyPath(path.join(st.dir, 'metrics'), key);
        try {
          await fs.appendFile(p, lines);
        } catch (e) {
          if (!isErrno(e, 'ENOENT')) throw e;
          await fs.mkdir(path.dirname(p));
          await fs.appendFile(p, lines);
        }
      }),
    );
  }

  const writer: TrackingWriter = {
    kind: 'file',
    path: root,

    async createExperiment(name, opts = {}) {
      if ((await experimentNames()).has(name)) {
        throw new TrackingWriteError(`Experiment '${name}' already exists.`);
      }
      for (;;) {
        const id = experimentIdFrom(random);
        try {
          await writeExperiment(id, name, opts);
          return id;
        } catch (e) {
          if (!isErrno(e, 'EEXIST')) throw e;
        }
      }
    },

    async setExperimentTag(experimentId, key, value) {
      await writeKeyFile(path.join(root, experimentId, 'tags'), key, value);
    },

    async createRun(opts) {
      const runId = opts.runId ?? runIdFrom(random);
      if (!RUN_ID_RE.test(runId)) throw new TrackingWriteError(`Invalid run id "${runId}"`);
      const experimentId = opts.experimentId;
      const location = await experimentArtifactLocation(experimentId);
      const dir = path.join(root, experimentId, runId);
      const runName = opts.runName ?? randomRunName(random ?? Math.random);
      const userId = opts.userId ?? defaultUser();
      const artifactUri = appendToUri(location, runId, 'artifacts');
      const meta: FileRunMeta = {
        artifact_uri: artifactUri,
        end_time: null,
        entry_point_name: '',
        experiment_id: experimentId,
        lifecycle_stage: 'active',
        run_id: runId,
        run_name: runName,
        source_name: '',
        source_type: 4,
        source_version: '',
        start_time: opts.startTime ?? now(),
        status: FILE_STATUS[opts.status ?? 'RUNNING'],
        tags: [],
        user_id: userId,
      };
      const st: FileRunState = { dir, meta };
      // create_run: the run folder, meta.yaml, then metrics/, params/, artifacts/ (file_store.py).
      // Its `deleted_time: null` key is dropped again by the rewrite that follows when the run
      // name tag is set, so a live run's meta.yaml never has it (format doc 2.3): write the
      // final form directly.
      await fs.mkdir(dir);
      await fs.writeFile(path.join(dir, 'meta.yaml'), dumpYaml(meta), 'wx');
      // artifacts/ is made even when the artifact URI points elsewhere (e.g. s3://) [seen].
      await Promise.all(['metrics', 'params', 'artifacts', 'tags'].map((d) => fs.mkdir(path.join(dir, d))));
      runs.set(runId, st);
      const tags: Record<string, string> = {
        'mlflow.user': userId,
        'mlflow.source.name': opts.sourceName ?? defaultSourceName(),
        'mlflow.source.type': opts.sourceType ?? 'LOCAL',
        ...opts.tags,
        'mlflow.runName': runName,
      };
      await Promise.all(Object.entries(tags).map(([k, v]) => writeKeyFile(path.join(dir, 'tags'), k, v)));
      return { runId, experimentId, artifactUri };
    },

    async logParam(runId, key, value) {
      await logParamIn(await runState(runId), key, value);
    },

    async logMetric(runId, key, value, step = 0, timestamp) {
      await logMetricsIn(await runState(runId), [{ key, value, step, timestamp: timestamp ?? now() }]);
    },

    async setTag(runId, key, value) {
      await setTagIn(await runState(runId), key, value);
    },

    async logBatch(runId, batch) {
      const st = await runState(runId);
      await Promise.all(Object.entries(batch.params ?? {}).map(([k, v]) => logParamIn(st, k, v)));
      if (batch.metrics && batch.metrics.length > 0) await logMetricsIn(st, batch.metrics);
      const tags = Object.entries(batch.tags ?? {});
      await Promise.all(tags.filter(([k]) => k !== 'mlflow.runName').map(([k, v]) => writeKeyFile(path.join(st.dir, 'tags'), k, v)));
      const rename = tags.find(([k]) => k === 'mlflow.runName');
      if (rename) await setTagIn(st, rename[0], rename[1]);
    },

    async endRun(runId, status = 'FINISHED', endTime) {
      const st = await runState(runId);
      st.meta.status = FILE_STATUS[status];
      st.meta.end_time = endTime ?? now();
      delete st.meta.deleted_time;
      await rewriteRunMeta(st);
    },

    async logArtifact(runId, artifactPath, data) {
      const st = await runState(runId);
      const target = artifactTarget(st.meta.artifact_uri, artifactPath);
      await fs.mkdir(path.dirname(target));
      await fs.writeFile(target, data);
    },

    async close() {
      runs.clear();
    },
  };
  return writer;
}

// ---------------------------------------------------------------------------------------------
// SQLite store

/** The CREATE statements of MLflow 3.5's schema (sqlite_master order). */
export function mlflowSchemaSql(): string {
  return readFileSync(SCHEMA_FILE, 'utf8');
}

interface SqlStatements {
  insertExperiment: StatementSync;
  insertExperimentTag: StatementSync;
  experimentLocation: StatementSync;
  insertRun: StatementSync;
  runInfo: StatementSync;
  insertParam: StatementSync;
  paramValue: StatementSync;
  insertMetric: StatementSync;
  latestMetric: StatementSync;
  upsertLatest: StatementSync;
  upsertTag: StatementSync;
  renameRun: StatementSync;
  endRun: StatementSync;
}

/** Values as `_log_metrics` stores them (format doc 3.3): NaN → 0 + is_nan, ±inf → ±DBL_MAX, −0 → 0. */
function sqlMetricValue(v: number): { value: number; isNan: 0 | 1 } {
  if (Number.isNaN(v)) return { value: 0, isNan: 1 };
  if (v === Infinity) return { value: DBL_MAX, isNan: 0 };
  if (v === -Infinity) return { value: -DBL_MAX, isNan: 0 };
  return { value: v === 0 ? 0 : v, isNan: 0 };
}

export async function createSqliteTrackingWriter(dbFile: string, options: WriterOptions = {}): Promise<TrackingWriter> {
  const file = path.resolve(dbFile);
  const now = options.now ?? Date.now;
  const random = options.random;
  // MLflow's default artifact root is `./mlruns` of the creating process; we use the folder next
  // to the database, which is what our reader's StoreInfo.artifactRoot assumes (format doc 3).
  const artifactRoot = path.join(path.dirname(file), 'mlruns');
  await pMkdir(path.dirname(file));
  const db = new DatabaseSync(file);
  db.exec('PRAGMA foreign_keys = ON');
  if (options.durable === false) db.exec('PRAGMA synchronous = OFF');

  const hasTables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  if (hasTables.n === 0) {
    transaction(() => {
      db.exec(mlflowSchemaSql());
      db.prepare('INSERT INTO alembic_version (version_num) VALUES (?)').run(MLFLOW_SCHEMA_REVISION);
      // _create_default_experiment: id 0, named Default, under the default artifact root.
      const t = now();
      db.prepare(
        'INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (0, ?, ?, ?, ?, ?)',
      ).run('Default', path.join(artifactRoot, '0'), 'active', t, t);
    });
  } else {
    let revision: string | undefined;
    try {
      revision = (db.prepare('SELECT version_num FROM alembic_version').get() as { version_num?: string } | undefined)?.version_num;
    } catch {
      revision = undefined;
    }
    if (revision !== MLFLOW_SCHEMA_REVISION) {
      db.close();
      // Format doc 3.5 rule 1: only write databases whose revision we know.
      throw new TrackingWriteError(`${file}: schema revision ${revision ?? '(none)'} is not MLflow 3.5's ${MLFLOW_SCHEMA_REVISION}`);
    }
  }

  const s: SqlStatements = {
    insertExperiment: db.prepare(
      'INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?)',
    ),
    insertExperimentTag: db.prepare(
      'INSERT INTO experiment_tags (key, value, experiment_id) VALUES (?, ?, ?) ON CONFLICT (key, experiment_id) DO UPDATE SET value = excluded.value',
    ),
    experimentLocation: db.prepare('SELECT artifact_location FROM experiments WHERE experiment_id = ?'),
    insertRun: db.prepare(
      `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,
        source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
       VALUES (?, ?, 'UNKNOWN', '', '', ?, ?, ?, NULL, '', 'active', ?, ?, NULL)`,
    ),
    runInfo: db.prepare('SELECT artifact_uri, status FROM runs WHERE run_uuid = ?'),
    insertParam: db.prepare('INSERT OR IGNORE INTO params (key, value, run_uuid) VALUES (?, ?, ?)'),
    paramValue: db.prepare('SELECT value FROM params WHERE key = ? AND run_uuid = ?'),
    insertMetric: db.prepare(
      'INSERT OR IGNORE INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    latestMetric: db.prepare('SELECT value, timestamp, step, is_nan FROM latest_metrics WHERE key = ? AND run_uuid = ?'),
    upsertLatest: db.prepare(
      `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp,
         step = excluded.step, is_nan = excluded.is_nan`,
    ),
    upsertTag: db.prepare(
      'INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?) ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value',
    ),
    renameRun: db.prepare('UPDATE runs SET name = ? WHERE run_uuid = ?'),
    endRun: db.prepare('UPDATE runs SET status = ?, end_time = ? WHERE run_uuid = ?'),
  };

  function transaction<T>(fn: () => T): T {
    db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  }

  function requireRun(runId: string): { artifact_uri: string; status: string } {
    const r = s.runInfo.get(runId) as { artifact_uri: string; status: string } | undefined;
    if (!r) throw new TrackingWriteError(`Run with id=${runId} not found`);
    return r;
  }

  function logParams(runId: string, params: Record<string, string>): void {
    for (const [k, v] of Object.entries(params)) {
      const r = s.insertParam.run(k, v, runId);
      if (r.changes === 0) {
        const old = (s.paramValue.get(k, runId) as { value: string } | undefined)?.value;
        if (old !== v) {
          throw new TrackingWriteError(`Changing param values is not allowed. Param with key='${k}' was already logged with value='${old}' for run ID='${runId}'. Attempted logging new value '${v}'.`);
        }
      }
    }
  }

  function logMetrics(runId: string, metrics: readonly MetricInput[]): void {
    // _log_metrics + _update_latest_metrics_if_necessary: exact duplicates are skipped (primary
    // key), and latest_metrics moves only to a strictly greater (step, timestamp, value), the
    // value compared after encoding.
    type Latest = { value: number; timestamp: number; step: number; isNan: number; changed: boolean };
    const latest = new Map<string, Latest | null>();
    for (const m of metrics) {
      const { value, isNan } = sqlMetricValue(m.value);
      const timestamp = m.timestamp ?? now();
      const step = m.step ?? 0;
      s.insertMetric.run(m.key, value, timestamp, runId, step, isNan);
      let cur = latest.get(m.key);
      if (cur === undefined) {
        const row = s.latestMetric.get(m.key, runId) as { value: number; timestamp: number; step: number; is_nan: number } | undefined;
        cur = row ? { value: row.value, timestamp: row.timestamp, step: row.step, isNan: row.is_nan, changed: false } : null;
        latest.set(m.key, cur);
      }
      const newer =
        cur === null ||
        step > cur.step ||
        (step === cur.step && (timestamp > cur.timestamp || (timestamp === cur.timestamp && value > cur.value)));
      if (newer) latest.set(m.key, { value, timestamp, step, isNan, changed: true });
    }
    for (const [key, l] of latest) {
      if (l?.changed) s.upsertLatest.run(key, l.value, l.timestamp, l.step, l.isNan, runId);
    }
  }

  function setTags(runId: string, tags: Record<string, string>): void {
    for (const [k, v] of Object.entries(tags)) {
      s.upsertTag.run(k, v, runId);
      // The runs.name column and the mlflow.runName tag are kept equal (format doc 3.5 rule 2).
      if (k === 'mlflow.runName') s.renameRun.run(v, runId);
    }
  }

  const writer: TrackingWriter = {
    kind: 'sqlite',
    path: file,

    async createExperiment(name, opts = {}) {
      return transaction(() => {
        const t = opts.creationTime ?? now();
        let r;
        try {
          r = s.insertExperiment.run(name, null, 'active', t, t);
        } catch (e) {
          if (/UNIQUE/.test(String(e))) throw new TrackingWriteError(`Experiment(name=${name}) already exists.`);
          throw e;
        }
        const id = String(r.lastInsertRowid);
        // create_experiment fills the default location once the id is known.
        const location = opts.artifactLocation ?? path.join(artifactRoot, id);
        db.prepare('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?').run(location, id);
        for (const [k, v] of Object.entries(opts.tags ?? {})) s.insertExperimentTag.run(k, v, id);
        return id;
      });
    },

    async setExperimentTag(experimentId, key, value) {
      transaction(() => s.insertExperimentTag.run(key, value, experimentId));
    },

    async createRun(opts) {
      const runId = opts.runId ?? runIdFrom(random);
      if (!RUN_ID_RE.test(runId)) throw new TrackingWriteError(`Invalid run id "${runId}"`);
      const runName = opts.runName ?? randomRunName(random ?? Math.random);
      const userId = opts.userId ?? defaultUser();
      return transaction(() => {
        const exp = s.experimentLocation.get(opts.experimentId) as { artifact_location: string } | undefined;
        if (!exp) throw new TrackingWriteError(`No Experiment with id=${opts.experimentId} exists`);
        const artifactUri = appendToUri(exp.artifact_location, runId, 'artifacts');
        s.insertRun.run(runId, runName, userId, opts.status ?? 'RUNNING', opts.startTime ?? now(), artifactUri, opts.experimentId);
        setTags(runId, {
          'mlflow.user': userId,
          'mlflow.source.name': opts.sourceName ?? defaultSourceName(),
          'mlflow.source.type': opts.sourceType ?? 'LOCAL',
          ...opts.tags,
          'mlflow.runName': runName,
        });
        return { runId, experimentId: opts.experimentId, artifactUri };
      });
    },

    async logParam(runId, key, value) {
      transaction(() => {
        requireRun(runId);
        logParams(runId, { [key]: value });
      });
    },

    async logMetric(runId, key, value, step = 0, timestamp) {
      transaction(() => {
        requireRun(runId);
        logMetrics(runId, [{ key, value, step, timestamp: timestamp ?? now() }]);
      });
    },

    async setTag(runId, key, value) {
      transaction(() => {
        requireRun(runId);
        setTags(runId, { [key]: value });
      });
    },

    async logBatch(runId, batch) {
      transaction(() => {
        requireRun(runId);
        logParams(runId, batch.params ?? {});
        logMetrics(runId, batch.metrics ?? []);
        setTags(runId, batch.tags ?? {});
      });
    },

    async endRun(runId, status = 'FINISHED', endTime) {
      transaction(() => {
        requireRun(runId);
        s.endRun.run(status, endTime ?? now(), runId);
      });
    },

    async logArtifact(runId, artifactPath, data) {
      const target = artifactTarget(requireRun(runId).artifact_uri, artifactPath);
      await pMkdir(path.dirname(target));
      await pWriteFile(target, data);
    },

    async close() {
      if (db.isOpen) db.close();
    },
  };
  return writer;
}
