// The cursor over a filter or an orderBy item: white space, keywords, quoted tokens, key runs and
// numbers, and the positioned QueryError every parse failure becomes (with the token the user
// typed, so the UI can underline it).
import { DECIMAL_SOURCE, isKeyChar } from '../../../common/filter-syntax.ts';
import { QueryError, type QuerySource } from './query-error.ts';

const NUMBER = new RegExp(DECIMAL_SOURCE, 'y');
export const QUOTES = new Set(['"', "'", '`']);

export class Lexer {
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

  readNumber(): number | null {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.src);
    if (!m || isKeyChar(this.src[this.pos + m[0].length])) return null;
    this.pos += m[0].length;
    return Number(m[0]);
  }
}
