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
//
// This file is the grammar's one entry point; its parts, one job each:
//   filter-terms.ts       the parsed shapes, entities, attributes, and the operators each takes
//   filter-lexer.ts       the cursor: white space, keywords, quoted tokens, numbers, errors
//   filter-identifier.ts  an identifier -> entity and key (filters and orderBy alike)
//   filter-expression.ts  the filter expression: OR / AND / NOT / parentheses / comparisons
//   order-by.ts           one orderBy item
//   common/filter-syntax.ts  the identifier and number syntax the engine and the renderer share

// Identifier text for a key, as the renderer writes it and this parser reads it back: one copy,
// in the layer both sides import.
export { formatIdentifier } from '../../../common/filter-syntax.ts';
export type { Comparison, Entity, FilterNode, Identifier, Operator, OrderTerm, RunAttribute } from './filter-terms.ts';
export { DATASET_FIELDS, RUN_ATTRIBUTES, entityLabel, operatorsFor } from './filter-terms.ts';
export { parseFilter } from './filter-expression.ts';
export { parseOrderBy } from './order-by.ts';
