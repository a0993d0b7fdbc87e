// Filter AST -> predicate over a RunTable slot. Semantics, following MLflow's
// SearchUtils._does_run_match_clause where MLflow defines them:
// - A comparison on a param/tag/metric/dataset the run does not have is false, for every
//   operator including != and NOT IN (MLflow: `if lhs is None: return False`); so is a
//   comparison on a null start_time/end_time. Only IS NULL / IS NOT NULL look at presence.
//   NOT negates the whole sub-filter, so `NOT metrics.x > 1` also matches runs without x.
// - NaN metrics compare like IEEE 754 floats: a NaN value matches only `!=`.
// - LIKE is case-sensitive and ILIKE is not (Unicode case folding); `%` (any run of
//   characters, newlines included) and `_` (one character) are the only wildcards, with no
//   escape character, as in MLflow.
// - A dataset comparison matches when any dataset input of the run matches; `dataset.context`
//   only considers inputs that carry a context tag.
// - String comparisons are exact; attribute values are not normalised (`status = 'finished'`
//   matches nothing, as in MLflow).
// Dictionary-encoded columns test each distinct value once per query, not once per run.
import type { Comparison, FilterNode, Operator, RunAttribute } from './filter-parser.ts';
import { LC_ACTIVE, LC_DELETED, type DatasetRef, type DictColumn, type RunTable } from './run-table.ts';

export type Predicate = (slot: number) => boolean;

const NEVER: Predicate = () => false;
const ALWAYS: Predicate = () => true;

function likeRegex(pattern: string, ignoreCase: boolean): RegExp {
  let src = '';
  for (const ch of pattern) {
    src += ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, ignoreCase ? 'isu' : 'su');
}

/** Test for one string value; callers handle missing values (always false) themselves. */
export function stringTest(op: Operator, value: Comparison['value']): (s: string) => boolean {
  switch (op) {
    case '=': {
      const v = value as string;
      return (s) => s === v;
    }
    case '!=': {
      const v = value as string;
      return (s) => s !== v;
    }
    case 'LIKE':
    case 'ILIKE': {
      const re = likeRegex(value as string, op === 'ILIKE');
      return (s) => re.test(s);
    }
    case 'NOT LIKE':
    case 'NOT ILIKE': {
      const re = likeRegex(value as string, op === 'NOT ILIKE');
      return (s) => !re.test(s);
    }
    case 'IN': {
      const set = new Set(value as string[]);
      return (s) => set.has(s);
    }
    case 'NOT IN': {
      const set = new Set(value as string[]);
      return (s) => !set.has(s);
    }
    default:
      throw new Error(`index: operator ${op} on strings`);
  }
}

function numberTest(op: Operator, x: number): (v: number) => boolean {
  switch (op) {
    case '=':
      return (v) => v === x;
    case '!=':
      return (v) => v !== x; // NaN !== x: IEEE's only true comparison with NaN
    case '<':
      return (v) => v < x;
    case '<=':
      return (v) => v <= x;
    case '>':
      return (v) => v > x;
    case '>=':
      return (v) => v >= x;
    default:
      throw new Error(`index: operator ${op} on numbers`);
  }
}

function dictPredicate(col: DictColumn | undefined, c: Comparison): Predicate {
  if (c.op === 'IS NULL') return col === undefined ? ALWAYS : (s) => col.code(s) < 0;
  if (c.op === 'IS NOT NULL') return col === undefined ? NEVER : (s) => col.code(s) >= 0;
  if (col === undefined) return NEVER;
  if (c.op === '=') {
    const code = col.lookup(c.value as string);
    return code < 0 ? NEVER : (s) => col.code(s) === code;
  }
  const test = stringTest(c.op, c.value);
  const match = new Uint8Array(col.dict.length);
  col.dict.forEach((v, i) => {
    match[i] = test(v) ? 1 : 0;
  });
  return (s) => {
    const code = col.code(s);
    return code >= 0 && match[code] === 1;
  };
}

function timePredicate(values: Float64Array, c: Comparison): Predicate {
  if (c.op === 'IS NULL') return (s) => Number.isNaN(values[s]);
  if (c.op === 'IS NOT NULL') return (s) => !Number.isNaN(values[s]);
  const test = numberTest(c.op, c.value as number);
  return (s) => {
    const v = values[s]!;
    return !Number.isNaN(v) && test(v);
  };
}

function attributePredicate(t: RunTable, c: Comparison): Predicate {
  switch (c.key as RunAttribute) {
    case 'run_id':
      return dictPredicate(t.runId, c);
    case 'run_name':
      return dictPredicate(t.runName, c);
    case 'artifact_uri':
      return dictPredicate(t.artifactUri, c);
    case 'status':
      return dictPredicate(t.status, c);
    case 'user_id':
      return dictPredicate(t.userId, c);
    case 'experiment_id':
      return dictPredicate(t.experiment, c);
    case 'start_time':
      return timePredicate(t.startTime, c);
    case 'end_time':
      return timePredicate(t.endTime, c);
    case 'lifecycle_stage': {
      if (c.op === 'IS NULL') return NEVER;
      if (c.op === 'IS NOT NULL') return ALWAYS;
      const test = stringTest(c.op, c.value);
      const active = test('active');
      const deleted = test('deleted');
      const lc = t.lifecycle;
      return (s) => (lc[s] === LC_DELETED ? deleted : lc[s] === LC_ACTIVE ? active : false);
    }
  }
}

function datasetPredicate(t: RunTable, c: Comparison): Predicate {
  const test = stringTest(c.op, c.value);
  const field = c.key as 'name' | 'digest' | 'context';
  const matches = (d: DatasetRef): boolean => {
    const v = d[field];
    return v !== null && test(v);
  };
  return (s) => {
    const list = t.datasets.get(s);
    return list !== undefined && list.some(matches);
  };
}

function metricPredicate(t: RunTable, c: Comparison): Predicate {
  const col = t.metrics.get(c.key);
  if (c.op === 'IS NULL') return col === undefined ? ALWAYS : (s) => col.get(s) === undefined;
  if (c.op === 'IS NOT NULL') return col === undefined ? NEVER : (s) => col.get(s) !== undefined;
  if (col === undefined) return NEVER;
  const test = numberTest(c.op, c.value as number);
  return (s) => {
    const v = col.get(s);
    return v !== undefined && test(v);
  };
}

function compile(node: FilterNode, t: RunTable): Predicate {
  switch (node.type) {
    case 'comparison':
      switch (node.entity) {
        case 'metric':
          return metricPredicate(t, node);
        case 'param':
          return dictPredicate(t.params.get(node.key), node);
        case 'tag':
          return dictPredicate(t.tags.get(node.key), node);
        case 'attribute':
          return attributePredicate(t, node);
        case 'dataset':
          return datasetPredicate(t, node);
      }
      break;
    case 'and': {
      const parts = node.items.map((n) => compile(n, t));
      return (s) => {
        for (const p of parts) if (!p(s)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = node.items.map((n) => compile(n, t));
      return (s) => {
        for (const p of parts) if (p(s)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compile(node.item, t);
      return (s) => !inner(s);
    }
  }
}

/** Predicate for a parsed filter over one store's table (valid until the table changes). */
export function compileFilter(node: FilterNode, table: RunTable): Predicate {
  return compile(node, table);
}
