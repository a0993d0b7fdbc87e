import { describe, expect, it } from 'vitest';
import {
  formatIdentifier,
  parseFilter,
  parseOrderBy,
  QueryError,
  type Comparison,
  type FilterNode,
} from '../../electron/engine/index/index.ts';

function cmp(filter: string): Comparison {
  const node = parseFilter(filter);
  if (node?.type !== 'comparison') throw new Error(`not a single comparison: ${filter}`);
  return node;
}

/** Compact rendering of a tree: comparisons as `entity:key op value`. */
function show(node: FilterNode | null): string {
  if (node === null) return '';
  switch (node.type) {
    case 'comparison':
      return `${node.entity}:${node.key} ${node.op}${node.value === null ? '' : ` ${JSON.stringify(node.value)}`}`;
    case 'and':
      return `(${node.items.map(show).join(' & ')})`;
    case 'or':
      return `(${node.items.map(show).join(' | ')})`;
    case 'not':
      return `!${show(node.item)}`;
  }
}

function parseError(filter: string): QueryError {
  try {
    parseFilter(filter);
  } catch (err) {
    expect(err).toBeInstanceOf(QueryError);
    return err as QueryError;
  }
  throw new Error(`expected a QueryError for ${filter}`);
}

describe('parseFilter: entities and keys', () => {
  it('treats empty and whitespace filters as no filter', () => {
    expect(parseFilter('')).toBeNull();
    expect(parseFilter('   \n\t ')).toBeNull();
  });

  it.each([
    ['metrics.rmse < 1', 'metric', 'rmse'],
    ['metric.rmse < 1', 'metric', 'rmse'],
    ['params.lr = "0.1"', 'param', 'lr'],
    ['param.lr = "0.1"', 'param', 'lr'],
    ['parameters.lr = "0.1"', 'param', 'lr'],
    ['parameter.lr = "0.1"', 'param', 'lr'],
    ["tags.team = 'a'", 'tag', 'team'],
    ["tag.team = 'a'", 'tag', 'team'],
    ["attributes.status = 'FAILED'", 'attribute', 'status'],
    ["attribute.status = 'FAILED'", 'attribute', 'status'],
    ["attr.status = 'FAILED'", 'attribute', 'status'],
    ["run.status = 'FAILED'", 'attribute', 'status'],
    ["dataset.name = 'iris'", 'dataset', 'name'],
    ["datasets.digest = 'abc'", 'dataset', 'digest'],
    ["dataset.context = 'training'", 'dataset', 'context'],
    ['METRICS.rmse < 1', 'metric', 'rmse'],
  ] as const)('%s', (filter, entity, key) => {
    const c = cmp(filter);
    expect([c.entity, c.key]).toEqual([entity, key]);
  });

  it('reads keys with dots, slashes, colons, dashes and Unicode unquoted', () => {
    expect(cmp("tags.mlflow.runName = 'x'").key).toBe('mlflow.runName');
    expect(cmp('metrics.val/loss < 1').key).toBe('val/loss');
    expect(cmp('metrics.a:b-c >= 0').key).toBe('a:b-c');
    expect(cmp('metrics.точность > 0.5').key).toBe('точность');
    expect(cmp('metrics.学习曲线 > 0.5').key).toBe('学习曲线');
  });

  it('reads quoted keys in backticks, double and single quotes', () => {
    expect(cmp("tags.`a b` = 'x'").key).toBe('a b');
    expect(cmp('metrics."val/loss" < 1').key).toBe('val/loss');
    expect(cmp("metrics.'prediction accuracy' >= 0.945").key).toBe('prediction accuracy');
    expect(cmp('metrics.`with space: and colon` > 1').key).toBe('with space: and colon');
    expect(cmp("tags.`it``s` = 'x'").key).toBe('it`s');
    expect(cmp("params.\"2019-04-02 error\" = 'x'").key).toBe('2019-04-02 error');
    expect(cmp("`params`.lr = 'x'")).toMatchObject({ entity: 'param', key: 'lr' });
  });

  it('accepts bare attribute names and MLflow aliases', () => {
    expect(cmp("status = 'FAILED'")).toMatchObject({ entity: 'attribute', key: 'status' });
    expect(cmp("run_name = 'x'")).toMatchObject({ entity: 'attribute', key: 'run_name' });
    expect(cmp("attributes.run_id IN ('a', 'b')")).toMatchObject({ key: 'run_id', op: 'IN', value: ['a', 'b'] });
    expect(cmp('attributes.created > 5')).toMatchObject({ key: 'start_time', value: 5 });
    expect(cmp('Created > 5')).toMatchObject({ key: 'start_time' });
    expect(cmp("attributes.`run name` = 'x'")).toMatchObject({ key: 'run_name' });
    expect(cmp("\"Run Name\" = 'x'")).toMatchObject({ key: 'run_name' });
    expect(cmp("attributes.\"Run name\" LIKE 'x%'")).toMatchObject({ key: 'run_name', op: 'LIKE' });
    expect(cmp('attributes.end_time <= 10')).toMatchObject({ key: 'end_time', op: '<=' });
    expect(cmp("attributes.user_id != 'bob'")).toMatchObject({ key: 'user_id', op: '!=' });
    expect(cmp("attributes.artifact_uri LIKE 'file:%'")).toMatchObject({ key: 'artifact_uri' });
    expect(cmp("attributes.lifecycle_stage = 'deleted'")).toMatchObject({ key: 'lifecycle_stage' });
  });
});

describe('parseFilter: operators and values', () => {
  it.each(['=', '!=', '<', '<=', '>', '>='] as const)('metrics with %s', (op) => {
    expect(cmp(`metrics.m ${op} 1.5`)).toMatchObject({ op, value: 1.5 });
  });

  it('reads integers, floats, exponents and signs', () => {
    expect(cmp('metrics.m > 3').value).toBe(3);
    expect(cmp('metrics.m > -3').value).toBe(-3);
    expect(cmp('metrics.m > +2.5').value).toBe(2.5);
    expect(cmp('metrics.m > .5').value).toBe(0.5);
    expect(cmp('metrics.m > 5.').value).toBe(5);
    expect(cmp('metrics.m > 1e-3').value).toBe(0.001);
    expect(cmp('metrics.m > -2.5E+2').value).toBe(-250);
    expect(cmp('metrics.m>1').value).toBe(1);
  });

  it('reads string operators on params, tags and string attributes', () => {
    expect(cmp("params.a = 'x'")).toMatchObject({ op: '=', value: 'x' });
    expect(cmp('params.a != "x"')).toMatchObject({ op: '!=', value: 'x' });
    expect(cmp("params.a <> 'x'")).toMatchObject({ op: '!=' });
    expect(cmp("params.a LIKE 'x%'")).toMatchObject({ op: 'LIKE', value: 'x%' });
    expect(cmp("params.a like 'x%'")).toMatchObject({ op: 'LIKE' });
    expect(cmp("tags.a ILIKE '%X_'")).toMatchObject({ op: 'ILIKE', value: '%X_' });
    expect(cmp("tags.a NOT LIKE 'x%'")).toMatchObject({ op: 'NOT LIKE' });
    expect(cmp("tags.a not ilike 'x%'")).toMatchObject({ op: 'NOT ILIKE' });
    expect(cmp("params.a IN ('1', \"2\",'3')")).toMatchObject({ op: 'IN', value: ['1', '2', '3'] });
    expect(cmp("params.a NOT IN ('1')")).toMatchObject({ op: 'NOT IN', value: ['1'] });
    expect(cmp('params.a IS NULL')).toMatchObject({ op: 'IS NULL', value: null });
    expect(cmp('tags.a is not null')).toMatchObject({ op: 'IS NOT NULL', value: null });
    expect(cmp('metrics.a IS NULL')).toMatchObject({ op: 'IS NULL' });
    expect(cmp('attributes.end_time IS NULL')).toMatchObject({ op: 'IS NULL' });
    expect(cmp("attributes.status NOT IN ('FAILED', 'KILLED')")).toMatchObject({ op: 'NOT IN' });
    expect(cmp("dataset.name IN ('a', 'b')")).toMatchObject({ op: 'IN' });
  });

  it('unescapes quotes inside strings', () => {
    expect(cmp("params.a = 'it''s'").value).toBe("it's");
    expect(cmp("params.a = 'it\\'s'").value).toBe("it's");
    expect(cmp('params.a = "say ""hi"""').value).toBe('say "hi"');
    expect(cmp("params.a = 'C:\\Users\\x'").value).toBe('C:\\Users\\x');
    expect(cmp("params.a = 'a\\\\'").value).toBe('a\\');
    expect(cmp("params.a = ''").value).toBe('');
    expect(cmp("params.a = 'Unicode ✨ 実験'").value).toBe('Unicode ✨ 実験');
  });

  it('records where each comparison is', () => {
    const node = parseFilter("  metrics.a > 1 AND params.`b c` = 'x'");
    expect(node?.type).toBe('and');
    const [a, b] = (node as { items: Comparison[] }).items;
    expect(a).toMatchObject({ position: 2, length: 9, span: { position: 2, length: 13 } });
    expect(b).toMatchObject({ position: 20, length: 12, span: { position: 20, length: 18 } });
  });
});

describe('parseFilter: AND, OR, NOT and parentheses', () => {
  it('binds AND tighter than OR', () => {
    expect(show(parseFilter('metrics.a > 1 OR metrics.b > 2 AND metrics.c > 3'))).toBe(
      '(metric:a > 1 | (metric:b > 2 & metric:c > 3))',
    );
    expect(show(parseFilter('metrics.a > 1 and metrics.b > 2 or metrics.c > 3'))).toBe(
      '((metric:a > 1 & metric:b > 2) | metric:c > 3)',
    );
  });

  it('flattens chains and nests parentheses', () => {
    expect(show(parseFilter('metrics.a = 1 AND metrics.b = 2 AND metrics.c = 3'))).toBe(
      '(metric:a = 1 & metric:b = 2 & metric:c = 3)',
    );
    expect(show(parseFilter('(metrics.a = 1 OR metrics.b = 2) AND ((metrics.c = 3))'))).toBe(
      '((metric:a = 1 | metric:b = 2) & metric:c = 3)',
    );
  });

  it('reads NOT before a group or a comparison', () => {
    expect(show(parseFilter("NOT (params.a = 'x' OR params.b = 'y')"))).toBe('!(param:a = "x" | param:b = "y")');
    expect(show(parseFilter('not metrics.a > 1 and metrics.b < 2'))).toBe('(!metric:a > 1 & metric:b < 2)');
    expect(show(parseFilter('NOT NOT metrics.a > 1'))).toBe('!!metric:a > 1');
  });

  it('does not mistake words that start with a keyword for one', () => {
    expect(show(parseFilter("tags.ORDER = 'a' OR tags.android = 'b'"))).toBe('(tag:ORDER = "a" | tag:android = "b")');
    expect(show(parseFilter("params.notes = 'a'"))).toBe('param:notes = "a"');
  });
});

describe('parseFilter: errors', () => {
  it.each([
    // [filter, position, length, message fragment]
    ['metrics.mse rmse', 12, 4, 'Unexpected "rmse" at 12: expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)'],
    ["attributes.statuss = 'x'", 11, 7, 'Unknown attribute "statuss" at 11; known: run_id, run_name, status'],
    ["metrics.rmse = 'abc'", 15, 5, "Metric values must be numbers: 'abc' at 15"],
    ["metrics.rmse = '0.5'", 15, 5, 'remove the quotes'],
    ['params.max_depth = 5', 19, 1, "Param values are strings and must be quoted: 5 at 19; write '5'"],
    ['tags.x = 5', 9, 1, 'Tag values are strings and must be quoted'],
    ['metrics.a > 1 AND', 17, 0, 'Unexpected end of filter at 17: expected an identifier'],
    ['metrics.a > 1 metrics.b > 2', 14, 9, 'Unexpected "metrics.b" at 14: expected AND, OR or end of filter'],
    ['(metrics.a > 1', 14, 0, 'Unexpected end of filter at 14: expected AND, OR or ")" to close the "(" at 0'],
    ['metrics.a > 1)', 13, 1, 'Unmatched ")" at 13'],
    ["params.a = 'abc", 11, 4, 'Unterminated string starting at 11'],
    ['metrix.a > 1', 0, 6, 'Unknown entity "metrix" at 0; expected metrics., params., tags., attributes. or dataset.'],
    ['mse < 3000', 0, 3, 'for a logged value write metrics.mse, params.mse or tags.mse'],
    ["metrics.a LIKE 'x'", 10, 4, 'Operator LIKE cannot be used with metrics at 10; use one of =, !=, <, <=, >, >=, IS NULL, IS NOT NULL'],
    ['params.a < 5', 9, 1, 'Operator < cannot be used with params at 9'],
    ['attributes.start_time LIKE 5', 22, 4, 'Operator LIKE cannot be used with attributes.start_time'],
    ["attributes.start_time > 'yesterday'", 24, 11, 'Values of attributes.start_time must be numbers (milliseconds since the epoch)'],
    ['metrics.a == 1', 10, 2, 'Unexpected "==" at 10: use "=" to compare'],
    ["params.a IN 'x'", 12, 3, 'expected "(" and a list of quoted strings'],
    ["params.a IN ('x' 'y')", 17, 3, 'Unexpected "\'y\'" at 17: expected "," or ")"'],
    ['params.a IN ()', 13, 1, 'Unexpected ")" at 13: expected a quoted string'],
    ['params.a IS 5', 12, 1, 'expected NULL or NOT NULL after IS'],
    ['params.a NOT = 5', 13, 1, 'expected LIKE, ILIKE or IN after NOT'],
    ["dataset.size = 'x'", 8, 4, 'Unknown dataset field "size" at 8; known: name, digest, context'],
    ['metrics. > 1', 8, 0, 'Expected a metric name after "metrics." at 8'],
    ['metrics.>1', 8, 1, 'Unexpected ">" at 8: expected a metric name after "metrics."'],
    ['AND metrics.a > 1', 0, 3, 'Unexpected "AND" at 0: expected an identifier'],
    ['metrics.a > abc', 12, 3, 'Unexpected "abc" at 12: expected a number'],
    ['metrics.a > 5abc', 12, 4, 'Unexpected "5abc" at 12: expected a number'],
    ['params.`a b = 1', 7, 8, 'Unterminated quoted name starting at 7'],
  ] as const)('%s', (filter, position, length, message) => {
    const err = parseError(filter);
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain(message);
    expect([err.position, err.length]).toEqual([position, length]);
    expect(err.source).toBe('filter');
  });
});

describe('parseOrderBy', () => {
  it('reads MLflow order clauses', () => {
    expect(parseOrderBy('metrics.rmse DESC', 0)).toEqual({ entity: 'metric', key: 'rmse', desc: true });
    expect(parseOrderBy('metrics.rmse desc', 0)).toEqual({ entity: 'metric', key: 'rmse', desc: true });
    expect(parseOrderBy('attributes.start_time', 0)).toEqual({ entity: 'attribute', key: 'start_time', desc: false });
    expect(parseOrderBy('params.`a b` ASC', 0)).toEqual({ entity: 'param', key: 'a b', desc: false });
    expect(parseOrderBy('start_time DESC', 0)).toEqual({ entity: 'attribute', key: 'start_time', desc: true });
    expect(parseOrderBy('created', 0)).toEqual({ entity: 'attribute', key: 'start_time', desc: false });
    expect(parseOrderBy('tags."mlflow.runName"', 0)).toEqual({ entity: 'tag', key: 'mlflow.runName', desc: false });
    expect(parseOrderBy({ key: 'metrics.val/loss', desc: true }, 0)).toEqual({ entity: 'metric', key: 'val/loss', desc: true });
    expect(parseOrderBy({ key: 'params.lr' }, 0)).toEqual({ entity: 'param', key: 'lr', desc: false });
  });

  it('reports errors against the order clause', () => {
    const bad = (item: string | { key: string }, index: number): QueryError => {
      try {
        parseOrderBy(item, index);
      } catch (err) {
        return err as QueryError;
      }
      throw new Error('expected an error');
    };
    const e1 = bad('metrics.rmse DOWN', 2);
    expect(e1).toMatchObject({ source: 'orderBy', orderByIndex: 2, position: 13, length: 4 });
    expect(e1.message).toContain('expected ASC, DESC or end of order clause');
    expect(bad({ key: 'metrics.rmse DESC' }, 0).message).toContain('expected end of order key');
    expect(bad('dataset.name', 0).message).toContain('cannot be ordered by dataset');
    expect(bad('attributes.nope', 0).message).toContain('Unknown attribute "nope"');
  });

  it('formats identifiers that parse back to the same column', () => {
    for (const [entity, key] of [
      ['metric', 'val/loss'],
      ['metric', 'with space: and colon'],
      ['param', 'a`b'],
      ['tag', 'mlflow.runName'],
      ['tag', 'ステータス'],
      ['param', '.hidden'],
      ['attribute', 'start_time'],
    ] as const) {
      expect(parseOrderBy(formatIdentifier(entity, key), 0)).toEqual({ entity, key, desc: false });
    }
    expect(formatIdentifier('metric', 'val/loss')).toBe('metrics.val/loss');
    expect(formatIdentifier('param', 'a b')).toBe('params.`a b`');
  });
});
