// MLflow's run search syntax (mlflow/utils/search_utils.py, SearchUtils.parse_search_filter and
// parse_order_by_for_search_runs), re-implemented as a small recursive-descent parser so every
// error can point at a character range. Extensions over MLflow, all of which MLflow rejects, so a
// filter MLflow accepts means the same here:
//   - OR, parentheses and NOT (AND binds tighter than OR);
//   - IN / NOT IN / IS [NOT] NULL on params and tags (MLflow: only on attributes / datasets),
//     IS [NOT] NULL on metrics and numeric attributes, NOT LIKE / NOT ILIKE, `<>` for `!=`;
//   - unquoted keys may contain `/`, `:`, `-` and Unicode letters (MLflow needs quotes);
//   - `''` inside a quoted string is one quote, and `\'` / `\\` are escapes (MLflow keeps the
//     raw text between the outer quotes, so it cannot express a value containing its quote);
//   - the attribute `experiment_id`.
// Grammar:
//   filter     := or-expr | <empty>
//   or-expr    := and-expr (OR and-expr)*
//   and-expr   := unary (AND unary)*
//   unary      := NOT unary | '(' or-expr ')' | comparison
//   comparison := identifier operator value?
//   identifier := prefix '.' key | attribute        (prefix may be quoted with backticks)
//   key        := unquoted-key | "..." | `...` | '...'
import { ENTITY_PREFIX, isKeyChar } from '../../../common/filter-syntax.ts';
import { QueryError, type QuerySource } from './query-error.ts';

// Identifier text for a key, as the renderer writes it and this parser reads it back: one copy,
// in the layer both sides import.
export { formatIdentifier } from '../../../common/filter-syntax.ts';

export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

export type Operator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'ILIKE'
  | 'NOT LIKE'
  | 'NOT ILIKE'
  | 'IN'
  | 'NOT IN'
  | 'IS NULL'
  | 'IS NOT NULL';

export interface Identifier {
  entity: Entity;
  /** For attributes: the canonical name (aliases such as `created` resolved). */
  key: string;
  position: number;
  length: number;
}

export interface Comparison extends Identifier {
  type: 'comparison';
  op: Operator;
  /** number for metrics / numeric attributes, string otherwise, list for IN, null for IS NULL. */
  value: number | string | string[] | null;
  /** Range of the whole comparison (identifier through value). */
  span: { position: number; length: number };
}

export type FilterNode =
  | Comparison
  | { type: 'and'; items: FilterNode[] }
  | { type: 'or'; items: FilterNode[] }
  | { type: 'not'; item: FilterNode };

export interface OrderTerm {
  entity: Exclude<Entity, 'dataset'>;
  key: string;
  desc: boolean;
}

/** Run attributes: MLflow's RunInfo searchable attributes plus lifecycle_stage and experiment_id. */
export const RUN_ATTRIBUTES = {
  run_id: 'string',
  run_name: 'string',
  status: 'string',
  start_time: 'number',
  end_time: 'number',
  user_id: 'string',
  artifact_uri: 'string',
  lifecycle_stage: 'string',
  experiment_id: 'string',
} as const;
export type RunAttribute = keyof typeof RUN_ATTRIBUTES;

/** SearchUtils._ALTERNATE_NUMERIC_ATTRIBUTES / _ALTERNATE_STRING_ATTRIBUTES. */
const ATTRIBUTE_ALIASES: Record<string, RunAttribute> = {
  created: 'start_time',
  Created: 'start_time',
  'run name': 'run_name',
  'Run name': 'run_name',
  'Run Name': 'run_name',
};

export const DATASET_FIELDS = ['name', 'digest', 'context'] as const;

const PREFIXES: Record<string, Entity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL', 'ASC', 'DESC']);

const NUMERIC_OPS: readonly Operator[] = ['=', '!=', '<', '<=', '>', '>=', 'IS NULL', 'IS NOT NULL'];
const STRING_OPS: readonly Operator[] = [
  '=',
  '!=',
  'LIKE',
  'ILIKE',
  'NOT LIKE',
  'NOT ILIKE',
  'IN',
  'NOT IN',
  'IS NULL',
  'IS NOT NULL',
];
const DATASET_OPS: readonly Operator[] = ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE', 'IN', 'NOT IN'];

const OPERATOR_HINT = 'a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)';
const IDENTIFIER_HINT = 'an identifier such as metrics.rmse, params.lr, tags.`my tag` or attributes.status';

const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const FULL_NUMBER = new RegExp(`^${NUMBER.source}$`);
const QUOTES = new Set(['"', "'", '`']);

/** Plural, user-facing name of an entity, as written in filters. */
export function entityLabel(entity: Entity): string {
  return entity === 'dataset' ? 'dataset' : ENTITY_PREFIX[entity];
}

export function operatorsFor(entity: Entity, key: string): readonly Operator[] {
  if (entity === 'metric') return NUMERIC_OPS;
  if (entity === 'dataset') return DATASET_OPS;
  if (entity === 'attribute' && RUN_ATTRIBUTES[key as RunAttribute] === 'number') return NUMERIC_OPS;
  return STRING_OPS;
}

function takesNumber(entity: Entity, key: string): boolean {
  return entity === 'metric' || (entity === 'attribute' && RUN_ATTRIBUTES[key as RunAttribute] === 'number');
}

class Parser {
  readonly src: string;
  readonly source: QuerySource;
  readonly orderByIndex: number | null;
  pos = 0;

  constructor(src: string, source: QuerySource, orderByIndex: number | null) {
    this.src = src;
    this.source = source;
    this.orderByIndex = orderByIndex;
  }

  fail(message: string, position: number, length: number): never {
    throw new QueryError(message, position, length, this.source, this.orderByIndex);
  }

  skipWs(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] as string)) this.pos++;
  }

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  /** The token starting at `at`, as the user typed it (for error messages). */
  tokenAt(at: number): string {
    const s = this.src;
    const ch = s[at];
    if (ch === undefined) return '';
    let end = at + 1;
    if (QUOTES.has(ch)) {
      while (end < s.length && s[end] !== ch) end++;
      end = Math.min(end + 1, s.length);
    } else if ('=!<>'.includes(ch)) {
      while (end < s.length && '=!<>'.includes(s[end] as string)) end++;
    } else if (isKeyChar(ch) || ch === '+') {
      while (end < s.length && isKeyChar(s[end])) end++;
    } else if (ch.codePointAt(0)! > 0xffff) {
      end = at + 2;
    }
    const tok = s.slice(at, end);
    return tok.length > 60 ? `${tok.slice(0, 57)}...` : tok;
  }

  unexpected(at: number, expected: string): never {
    if (at >= this.src.length) this.fail(`Unexpected end of ${this.what()} at ${at}: expected ${expected}`, at, 0);
    const tok = this.tokenAt(at);
    this.fail(`Unexpected "${tok}" at ${at}: expected ${expected}`, at, tok.length);
  }

  what(): string {
    return this.source === 'filter' ? 'filter' : 'order clause';
  }

  /** Case-insensitive keyword at the cursor, not followed by more key characters. */
  peekKeyword(kw: string): boolean {
    const s = this.src;
    if (s.slice(this.pos, this.pos + kw.length).toUpperCase() !== kw) return false;
    return !isKeyChar(s[this.pos + kw.length]);
  }

  eatKeyword(kw: string): boolean {
    this.skipWs();
    if (!this.peekKeyword(kw)) return false;
    this.pos += kw.length;
    return true;
  }

  /** A quoted token at the cursor; doubled quotes and backslash escapes are unescaped. */
  readQuoted(): string {
    const s = this.src;
    const start = this.pos;
    const q = s[start] as string;
    let out = '';
    let i = start + 1;
    for (;;) {
      if (i >= s.length) {
        this.fail(`Unterminated ${q === '`' ? 'quoted name' : 'string'} starting at ${start}: add the closing ${q}`, start, s.length - start);
      }
      const ch = s[i] as string;
      if (ch === '\\' && (s[i + 1] === q || s[i + 1] === '\\')) {
        out += s[i + 1];
        i += 2;
      } else if (ch === q) {
        if (s[i + 1] === q) {
          out += q;
          i += 2;
        } else {
          i++;
          break;
        }
      } else {
        out += ch;
        i++;
      }
    }
    this.pos = i;
    return out;
  }

  readKeyRun(): string {
    const start = this.pos;
    while (this.pos < this.src.length && isKeyChar(this.src[this.pos])) this.pos++;
    return this.src.slice(start, this.pos);
  }

  parseIdentifier(forOrder: boolean): Identifier {
    this.skipWs();
    const start = this.pos;
    const ch = this.src[start];
    if (ch === undefined) this.unexpected(start, IDENTIFIER_HINT);
    let prefix: string | null = null;
    let key: string | null = null;
    let keyQuoted = false;
    if (QUOTES.has(ch)) {
      const text = this.readQuoted();
      if (this.src[this.pos] === '.') {
        prefix = text;
        this.pos++;
      } else {
        key = text;
        keyQuoted = true;
      }
    } else if (isKeyChar(ch)) {
      const run = this.readKeyRun();
      const dot = run.indexOf('.');
      if (dot < 0) {
        if (KEYWORDS.has(run.toUpperCase())) this.unexpected(start, IDENTIFIER_HINT);
        key = run;
      } else {
        prefix = run.slice(0, dot);
        key = run.slice(dot + 1);
        if (key === '') key = null;
      }
    } else {
      this.unexpected(start, IDENTIFIER_HINT);
    }

    if (prefix === null) {
      // MLflow: an identifier without an entity prefix is an attribute.
      return { entity: 'attribute', key: this.attribute(key ?? '', start, this.pos - start, keyQuoted, true), position: start, length: this.pos - start };
    }
    const entity = PREFIXES[prefix.toLowerCase()];
    if (entity === undefined) {
      this.fail(
        `Unknown entity "${prefix}" at ${start}; expected metrics., params., tags., attributes. or dataset.`,
        start,
        prefix.length,
      );
    }
    if (forOrder && entity === 'dataset') {
      this.fail(`Runs cannot be ordered by dataset fields (at ${start})`, start, this.pos - start);
    }
    const keyStart = this.pos - (key?.length ?? 0);
    if (key === null) {
      const kc = this.src[this.pos];
      const what = `a ${entityLabel(entity).replace(/s$/, '')} name after "${prefix}."`;
      if (kc !== undefined && QUOTES.has(kc)) key = this.readQuoted();
      else if (isKeyChar(kc)) key = this.readKeyRun();
      else if (kc === undefined || /\s/.test(kc)) this.fail(`Expected ${what} at ${this.pos}`, this.pos, 0);
      else this.unexpected(this.pos, what);
    }
    if (key === '') this.fail(`Empty name after "${prefix}." at ${start}`, start, this.pos - start);
    const length = this.pos - start;
    if (entity === 'attribute') return { entity, key: this.attribute(key, keyStart, this.pos - keyStart, false, false), position: start, length };
    if (entity === 'dataset' && !(DATASET_FIELDS as readonly string[]).includes(key)) {
      this.fail(`Unknown dataset field "${key}" at ${keyStart}; known: ${DATASET_FIELDS.join(', ')}`, keyStart, this.pos - keyStart);
    }
    return { entity, key, position: start, length };
  }

  attribute(name: string, at: number, length: number, quoted: boolean, bare: boolean): RunAttribute {
    const canonical = name in RUN_ATTRIBUTES ? (name as RunAttribute) : ATTRIBUTE_ALIASES[name];
    if (canonical !== undefined) return canonical;
    const known = [...Object.keys(RUN_ATTRIBUTES), 'created', 'run name'].join(', ');
    const hint = bare && !quoted ? `; for a logged value write metrics.${name}, params.${name} or tags.${name}` : '';
    this.fail(`Unknown attribute "${name}" at ${at}; known: ${known}${hint}`, at, length);
  }

  parseOperator(): { op: Operator; at: number; length: number } {
    this.skipWs();
    const at = this.pos;
    const sym = /!=|<>|<=|>=|==|=|<|>/y;
    sym.lastIndex = at;
    const m = sym.exec(this.src);
    if (m) {
      const text = m[0];
      if (text === '==') this.fail(`Unexpected "==" at ${at}: use "=" to compare`, at, 2);
      this.pos += text.length;
      return { op: text === '<>' ? '!=' : (text as Operator), at, length: text.length };
    }
    const done = (op: Operator) => ({ op, at, length: this.pos - at });
    if (this.eatKeyword('LIKE')) return done('LIKE');
    if (this.eatKeyword('ILIKE')) return done('ILIKE');
    if (this.eatKeyword('IN')) return done('IN');
    if (this.eatKeyword('NOT')) {
      if (this.eatKeyword('LIKE')) return done('NOT LIKE');
      if (this.eatKeyword('ILIKE')) return done('NOT ILIKE');
      if (this.eatKeyword('IN')) return done('NOT IN');
      this.skipWs();
      this.unexpected(this.pos, 'LIKE, ILIKE or IN after NOT');
    }
    if (this.eatKeyword('IS')) {
      const not = this.eatKeyword('NOT');
      if (this.eatKeyword('NULL')) return done(not ? 'IS NOT NULL' : 'IS NULL');
      this.skipWs();
      this.unexpected(this.pos, not ? 'NULL after IS NOT' : 'NULL or NOT NULL after IS');
    }
    this.unexpected(at, OPERATOR_HINT);
  }

  readNumber(): number | null {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.src);
    if (!m || isKeyChar(this.src[this.pos + m[0].length])) return null;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  valueLabel(id: Identifier): string {
    if (id.entity === 'metric') return 'Metric values';
    if (id.entity === 'param') return 'Param values';
    if (id.entity === 'tag') return 'Tag values';
    if (id.entity === 'dataset') return `Values of dataset.${id.key}`;
    return `Values of attributes.${id.key}`;
  }

  parseString(id: Identifier): string {
    this.skipWs();
    const at = this.pos;
    const ch = this.src[at];
    if (ch === '"' || ch === "'") return this.readQuoted();
    const n = this.readNumber();
    if (n !== null) {
      const text = this.src.slice(at, this.pos);
      this.fail(`${this.valueLabel(id)} are strings and must be quoted: ${text} at ${at}; write '${text}'`, at, text.length);
    }
    this.unexpected(at, `a quoted string, e.g. 'value'`);
  }

  parseNumber(id: Identifier): number {
    this.skipWs();
    const at = this.pos;
    const ch = this.src[at];
    if (ch === '"' || ch === "'") {
      const text = this.readQuoted();
      const raw = this.src.slice(at, this.pos);
      const hint = FULL_NUMBER.test(text.trim()) ? '; remove the quotes' : '';
      const unit = id.entity === 'attribute' ? ' (milliseconds since the epoch)' : '';
      this.fail(`${this.valueLabel(id)} must be numbers${unit}: ${raw} at ${at}${hint}`, at, raw.length);
    }
    const n = this.readNumber();
    if (n === null) this.unexpected(at, 'a number');
    return n;
  }

  parseComparison(): Comparison {
    const id = this.parseIdentifier(false);
    const { op, at, length } = this.parseOperator();
    const allowed = operatorsFor(id.entity, id.key);
    if (!allowed.includes(op)) {
      const subject = id.entity === 'attribute' ? `attributes.${id.key}` : entityLabel(id.entity);
      this.fail(`Operator ${op} cannot be used with ${subject} at ${at}; use one of ${allowed.join(', ')}`, at, length);
    }
    let value: Comparison['value'] = null;
    if (op === 'IN' || op === 'NOT IN') {
      this.skipWs();
      if (this.src[this.pos] !== '(') this.unexpected(this.pos, `"(" and a list of quoted strings, e.g. ('a', 'b')`);
      this.pos++;
      const list: string[] = [];
      for (;;) {
        list.push(this.parseString(id));
        this.skipWs();
        if (this.src[this.pos] === ',') {
          this.pos++;
          continue;
        }
        if (this.src[this.pos] === ')') {
          this.pos++;
          break;
        }
        this.unexpected(this.pos, '"," or ")"');
      }
      value = list;
    } else if (op !== 'IS NULL' && op !== 'IS NOT NULL') {
      value = takesNumber(id.entity, id.key) ? this.parseNumber(id) : this.parseString(id);
    }
    return { type: 'comparison', ...id, op, value, span: { position: id.position, length: this.pos - id.position } };
  }

  parseOr(depth: number): FilterNode {
    const items = [this.parseAnd(depth)];
    while (this.eatKeyword('OR')) items.push(this.parseAnd(depth));
    return items.length === 1 ? (items[0] as FilterNode) : { type: 'or', items };
  }

  parseAnd(depth: number): FilterNode {
    const items = [this.parseUnary(depth)];
    while (this.eatKeyword('AND')) items.push(this.parseUnary(depth));
    return items.length === 1 ? (items[0] as FilterNode) : { type: 'and', items };
  }

  parseUnary(depth: number): FilterNode {
    this.skipWs();
    if (this.peekKeyword('NOT')) {
      this.pos += 3;
      return { type: 'not', item: this.parseUnary(depth) };
    }
    if (this.src[this.pos] === '(') {
      const open = this.pos;
      this.pos++;
      const node = this.parseOr(depth + 1);
      this.skipWs();
      if (this.src[this.pos] !== ')') this.unexpected(this.pos, `AND, OR or ")" to close the "(" at ${open}`);
      this.pos++;
      return node;
    }
    return this.parseComparison();
  }

  parseFilter(): FilterNode | null {
    this.skipWs();
    if (this.atEnd()) return null;
    const node = this.parseOr(0);
    this.skipWs();
    if (!this.atEnd()) {
      if (this.src[this.pos] === ')') this.fail(`Unmatched ")" at ${this.pos}`, this.pos, 1);
      this.unexpected(this.pos, 'AND, OR or end of filter');
    }
    return node;
  }
}

/** Parses a run filter; null for an empty or all-whitespace filter. Throws QueryError. */
export function parseFilter(filter: string): FilterNode | null {
  return new Parser(filter, 'filter', null).parseFilter();
}

/**
 * One orderBy item: `'metrics.rmse DESC'`, `'attributes.start_time'`, `'params.\`a b\` ASC'`, or
 * `{ key: 'metrics.rmse', desc: true }` (key is an identifier as in filters). Throws QueryError.
 */
export function parseOrderBy(item: string | { key: string; desc?: boolean }, index: number): OrderTerm {
  const text = typeof item === 'string' ? item : item.key;
  const p = new Parser(text, 'orderBy', index);
  const id = p.parseIdentifier(true);
  let desc = typeof item === 'string' ? false : item.desc === true;
  if (typeof item === 'string') {
    if (p.eatKeyword('DESC')) desc = true;
    else p.eatKeyword('ASC');
  }
  p.skipWs();
  if (!p.atEnd()) p.unexpected(p.pos, typeof item === 'string' ? 'ASC, DESC or end of order clause' : 'end of order key');
  return { entity: id.entity as OrderTerm['entity'], key: id.key, desc };
}
