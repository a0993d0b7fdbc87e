// YAML exactly as PyYAML safe_dump(default_flow_style=False, allow_unicode=True, sort_keys=True)
// writes it — MLflow's meta.yaml files (format doc 2.2). Used by the tracking writer and the
// registry's file transactions.
import { pyFloat, pyInt } from './py-float.ts';

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
