// One orderBy item parsed into the term run-order.ts sorts by: an identifier as in filters (never
// a dataset field) and its direction.
import { Lexer } from './filter-lexer.ts';
import { parseIdentifier } from './filter-identifier.ts';
import type { OrderTerm } from './filter-terms.ts';

/**
 * One orderBy item: `'metrics.rmse DESC'`, `'attributes.start_time'`, `'params.\`a b\` ASC'`, or
 * `{ key: 'metrics.rmse', desc: true }` (key is an identifier as in filters). Throws QueryError.
 */
export function parseOrderBy(item: string | { key: string; desc?: boolean }, index: number): OrderTerm {
  const text = typeof item === 'string' ? item : item.key;
  const lx = new Lexer(text, 'orderBy', index);
  const id = parseIdentifier(lx, true);
  let desc = typeof item === 'string' ? false : item.desc === true;
  if (typeof item === 'string') {
    if (lx.eatKeyword('DESC')) desc = true;
    else lx.eatKeyword('ASC');
  }
  lx.skipWs();
  if (!lx.atEnd()) lx.unexpected(lx.pos, typeof item === 'string' ? 'ASC, DESC or end of order clause' : 'end of order key');
  return { entity: id.entity as OrderTerm['entity'], key: id.key, desc };
}
