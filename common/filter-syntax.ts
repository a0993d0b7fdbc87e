// The text of MLflow's run search syntax that both sides write: an identifier (`metrics.rmse`,
// ``params.`learning rate` ``), a quoted string value and a decimal number. The engine's parser
// (electron/engine/index/filter-parser.ts) reads it; the renderer writes it when a clicked column
// becomes an orderBy key or a brush becomes a filter. One copy, so what one side writes is what
// the other reads.

/** The entities a column or an orderBy key names (filters also know `dataset`). */
export type IdentifierEntity = 'metric' | 'param' | 'tag' | 'attribute';

/** The plural prefix an identifier is written with. */
export const ENTITY_PREFIX: Readonly<Record<IdentifierEntity, string>> = {
  metric: 'metrics',
  param: 'params',
  tag: 'tags',
  attribute: 'attributes',
};

/** A character an unquoted key may hold (MLflow needs quotes for `/`, `:`, `-` and non-ASCII). */
const KEY_CHAR = /[\p{L}\p{N}\p{M}_./:-]/u;

export function isKeyChar(ch: string | undefined): boolean {
  return ch !== undefined && KEY_CHAR.test(ch);
}

/** A decimal number as filters write one (`1`, `-0.5`, `.5`, `3e-4`): the source of a RegExp. */
export const DECIMAL_SOURCE = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const DECIMAL = new RegExp(`^${DECIMAL_SOURCE}$`);

/** The text, white space aside, is one decimal number: a filter may compare it as a number. */
export function isDecimalText(s: string): boolean {
  return DECIMAL.test(s.trim());
}

/**
 * Identifier text for a key, quoted when the unquoted form would not parse back to the same key:
 * the key goes in backticks, a backtick inside doubled. Attribute names never need quotes.
 */
export function formatIdentifier(entity: IdentifierEntity, key: string): string {
  const prefix = ENTITY_PREFIX[entity];
  const plain = key.length > 0 && [...key].every((c) => isKeyChar(c)) && !/^[.]|[.]$/.test(key);
  if (entity === 'attribute' || plain) return `${prefix}.${key}`;
  return `${prefix}.\`${key.replaceAll('`', '``')}\``;
}

/** A quoted string literal for filter text (`\'` and `\\` are the parser's escapes). */
export function quoteValue(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
