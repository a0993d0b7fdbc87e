// The filter expression parser, recursive descent over the lexer: OR of ANDs of NOT / parentheses
// / comparisons, each comparison an identifier, an operator the identifier's entity takes, and a
// value of the entity's type (filter-parser.ts has the grammar).
import { isDecimalText } from '../../../common/filter-syntax.ts';
import { Lexer } from './filter-lexer.ts';
import { parseIdentifier } from './filter-identifier.ts';
import { entityLabel, operatorsFor, takesNumber, type Comparison, type FilterNode, type Identifier, type Operator } from './filter-terms.ts';

const OPERATOR_HINT = 'a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)';

/** Parses a run filter; null for an empty or all-whitespace filter. Throws QueryError. */
export function parseFilter(filter: string): FilterNode | null {
  const lx = new Lexer(filter, 'filter', null);
  lx.skipWs();
  if (lx.atEnd()) return null;
  const node = parseOr(lx, 0);
  lx.skipWs();
  if (!lx.atEnd()) {
    if (lx.src[lx.pos] === ')') lx.fail(`Unmatched ")" at ${lx.pos}`, lx.pos, 1);
    lx.unexpected(lx.pos, 'AND, OR or end of filter');
  }
  return node;
}

function parseOr(lx: Lexer, depth: number): FilterNode {
  const items = [parseAnd(lx, depth)];
  while (lx.eatKeyword('OR')) items.push(parseAnd(lx, depth));
  return items.length === 1 ? (items[0] as FilterNode) : { type: 'or', items };
}

function parseAnd(lx: Lexer, depth: number): FilterNode {
  const items = [parseUnary(lx, depth)];
  while (lx.eatKeyword('AND')) items.push(parseUnary(lx, depth));
  return items.length === 1 ? (items[0] as FilterNode) : { type: 'and', items };
}

function parseUnary(lx: Lexer, depth: number): FilterNode {
  lx.skipWs();
  if (lx.peekKeyword('NOT')) {
    lx.pos += 3;
    return { type: 'not', item: parseUnary(lx, depth) };
  }
  if (lx.src[lx.pos] === '(') {
    const open = lx.pos;
    lx.pos++;
    const node = parseOr(lx, depth + 1);
    lx.skipWs();
    if (lx.src[lx.pos] !== ')') lx.unexpected(lx.pos, `AND, OR or ")" to close the "(" at ${open}`);
    lx.pos++;
    return node;
  }
  return parseComparison(lx);
}

function parseComparison(lx: Lexer): Comparison {
  const id = parseIdentifier(lx, false);
  const { op, at, length } = parseOperator(lx);
  const allowed = operatorsFor(id.entity, id.key);
  if (!allowed.includes(op)) {
    const subject = id.entity === 'attribute' ? `attributes.${id.key}` : entityLabel(id.entity);
    lx.fail(`Operator ${op} cannot be used with ${subject} at ${at}; use one of ${allowed.join(', ')}`, at, length);
  }
  let value: Comparison['value'] = null;
  if (op === 'IN' || op === 'NOT IN') {
    lx.skipWs();
    if (lx.src[lx.pos] !== '(') lx.unexpected(lx.pos, `"(" and a list of quoted strings, e.g. ('a', 'b')`);
    lx.pos++;
    const list: string[] = [];
    for (;;) {
      list.push(parseString(lx, id));
      lx.skipWs();
      if (lx.src[lx.pos] === ',') {
        lx.pos++;
        continue;
      }
      if (lx.src[lx.pos] === ')') {
        lx.pos++;
        break;
      }
      lx.unexpected(lx.pos, '"," or ")"');
    }
    value = list;
  } else if (op !== 'IS NULL' && op !== 'IS NOT NULL') {
    value = takesNumber(id.entity, id.key) ? parseNumber(lx, id) : parseString(lx, id);
  }
  return { type: 'comparison', ...id, op, value, span: { position: id.position, length: lx.pos - id.position } };
}

function parseOperator(lx: Lexer): { op: Operator; at: number; length: number } {
  lx.skipWs();
  const at = lx.pos;
  const sym = /!=|<>|<=|>=|==|=|<|>/y;
  sym.lastIndex = at;
  const m = sym.exec(lx.src);
  if (m) {
    const text = m[0];
    if (text === '==') lx.fail(`Unexpected "==" at ${at}: use "=" to compare`, at, 2);
    lx.pos += text.length;
    return { op: text === '<>' ? '!=' : (text as Operator), at, length: text.length };
  }
  const done = (op: Operator) => ({ op, at, length: lx.pos - at });
  if (lx.eatKeyword('LIKE')) return done('LIKE');
  if (lx.eatKeyword('ILIKE')) return done('ILIKE');
  if (lx.eatKeyword('IN')) return done('IN');
  if (lx.eatKeyword('NOT')) {
    if (lx.eatKeyword('LIKE')) return done('NOT LIKE');
    if (lx.eatKeyword('ILIKE')) return done('NOT ILIKE');
    if (lx.eatKeyword('IN')) return done('NOT IN');
    lx.skipWs();
    lx.unexpected(lx.pos, 'LIKE, ILIKE or IN after NOT');
  }
  if (lx.eatKeyword('IS')) {
    const not = lx.eatKeyword('NOT');
    if (lx.eatKeyword('NULL')) return done(not ? 'IS NOT NULL' : 'IS NULL');
    lx.skipWs();
    lx.unexpected(lx.pos, not ? 'NULL after IS NOT' : 'NULL or NOT NULL after IS');
  }
  lx.unexpected(at, OPERATOR_HINT);
}

function valueLabel(id: Identifier): string {
  if (id.entity === 'metric') return 'Metric values';
  if (id.entity === 'param') return 'Param values';
  if (id.entity === 'tag') return 'Tag values';
  if (id.entity === 'dataset') return `Values of dataset.${id.key}`;
  return `Values of attributes.${id.key}`;
}

function parseString(lx: Lexer, id: Identifier): string {
  lx.skipWs();
  const at = lx.pos;
  const ch = lx.src[at];
  if (ch === '"' || ch === "'") return lx.readQuoted();
  const n = lx.readNumber();
  if (n !== null) {
    const text = lx.src.slice(at, lx.pos);
    lx.fail(`${valueLabel(id)} are strings and must be quoted: ${text} at ${at}; write '${text}'`, at, text.length);
  }
  lx.unexpected(at, `a quoted string, e.g. 'value'`);
}

function parseNumber(lx: Lexer, id: Identifier): number {
  lx.skipWs();
  const at = lx.pos;
  const ch = lx.src[at];
  if (ch === '"' || ch === "'") {
    const text = lx.readQuoted();
    const raw = lx.src.slice(at, lx.pos);
    const hint = isDecimalText(text) ? '; remove the quotes' : '';
    const unit = id.entity === 'attribute' ? ' (milliseconds since the epoch)' : '';
    lx.fail(`${valueLabel(id)} must be numbers${unit}: ${raw} at ${at}${hint}`, at, raw.length);
  }
  const n = lx.readNumber();
  if (n === null) lx.unexpected(at, 'a number');
  return n;
}
