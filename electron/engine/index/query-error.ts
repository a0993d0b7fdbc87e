// The one error type the query layer throws for bad user input (filter or order-by text). It
// carries a character range so the UI can underline the offending token; anything else that
// escapes the index is a programming error.

export type QuerySource = 'filter' | 'orderBy';

export class QueryError extends Error {
  readonly code = 'INVALID_ARGUMENT' as const;
  /** 0-based offset (UTF-16 code units, i.e. JS string index) into the text that was parsed. */
  readonly position: number;
  /** Length of the offending token; 0 at the end of the text. */
  readonly length: number;
  /** Which text `position` refers to: the filter, or `orderBy[orderByIndex]`. */
  readonly source: QuerySource;
  readonly orderByIndex: number | null;

  constructor(
    message: string,
    position: number,
    length: number,
    source: QuerySource = 'filter',
    orderByIndex: number | null = null,
  ) {
    super(message);
    this.name = 'QueryError';
    this.position = position;
    this.length = length;
    this.source = source;
    this.orderByIndex = orderByIndex;
  }
}
