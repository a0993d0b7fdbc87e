// Reading an identifier (`metrics.rmse`, ``params.`a b` ``, `status`, `dataset.name`) into its
// entity and key, for filters and orderBy alike; attribute aliases resolve to their canonical name.
import { isKeyChar } from '../../../common/filter-syntax.ts';
import { QUOTES, type Lexer } from './filter-lexer.ts';
import { ATTRIBUTE_ALIASES, DATASET_FIELDS, KEYWORDS, PREFIXES, RUN_ATTRIBUTES, entityLabel, type Identifier, type RunAttribute } from './filter-terms.ts';

const IDENTIFIER_HINT = 'an identifier such as metrics.rmse, params.lr, tags.`my tag` or attributes.status';

export function parseIdentifier(lx: Lexer, forOrder: boolean): Identifier {
  lx.skipWs();
  const start = lx.pos;
  const ch = lx.src[start];
  if (ch === undefined) lx.unexpected(start, IDENTIFIER_HINT);
  let prefix: string | null = null;
  let key: string | null = null;
  let keyQuoted = false;
  if (QUOTES.has(ch)) {
    const text = lx.readQuoted();
    if (lx.src[lx.pos] === '.') {
      prefix = text;
      lx.pos++;
    } else {
      key = text;
      keyQuoted = true;
    }
  } else if (isKeyChar(ch)) {
    const run = lx.readKeyRun();
    const dot = run.indexOf('.');
    if (dot < 0) {
      if (KEYWORDS.has(run.toUpperCase())) lx.unexpected(start, IDENTIFIER_HINT);
      key = run;
    } else {
      prefix = run.slice(0, dot);
      key = run.slice(dot + 1);
      if (key === '') key = null;
    }
  } else {
    lx.unexpected(start, IDENTIFIER_HINT);
  }

  if (prefix === null) {
    // MLflow: an identifier without an entity prefix is an attribute.
    return { entity: 'attribute', key: attribute(lx, key ?? '', start, lx.pos - start, keyQuoted, true), position: start, length: lx.pos - start };
  }
  const entity = PREFIXES[prefix.toLowerCase()];
  if (entity === undefined) {
    lx.fail(
      `Unknown entity "${prefix}" at ${start}; expected metrics., params., tags., attributes. or dataset.`,
      start,
      prefix.length,
    );
  }
  if (forOrder && entity === 'dataset') {
    lx.fail(`Runs cannot be ordered by dataset fields (at ${start})`, start, lx.pos - start);
  }
  const keyStart = lx.pos - (key?.length ?? 0);
  if (key === null) {
    const kc = lx.src[lx.pos];
    const what = `a ${entityLabel(entity).replace(/s$/, '')} name after "${prefix}."`;
    if (kc !== undefined && QUOTES.has(kc)) key = lx.readQuoted();
    else if (isKeyChar(kc)) key = lx.readKeyRun();
    else if (kc === undefined || /\s/.test(kc)) lx.fail(`Expected ${what} at ${lx.pos}`, lx.pos, 0);
    else lx.unexpected(lx.pos, what);
  }
  if (key === '') lx.fail(`Empty name after "${prefix}." at ${start}`, start, lx.pos - start);
  const length = lx.pos - start;
  if (entity === 'attribute') return { entity, key: attribute(lx, key, keyStart, lx.pos - keyStart, false, false), position: start, length };
  if (entity === 'dataset' && !(DATASET_FIELDS as readonly string[]).includes(key)) {
    lx.fail(`Unknown dataset field "${key}" at ${keyStart}; known: ${DATASET_FIELDS.join(', ')}`, keyStart, lx.pos - keyStart);
  }
  return { entity, key, position: start, length };
}

function attribute(lx: Lexer, name: string, at: number, length: number, quoted: boolean, bare: boolean): RunAttribute {
  const canonical = name in RUN_ATTRIBUTES ? (name as RunAttribute) : ATTRIBUTE_ALIASES[name];
  if (canonical !== undefined) return canonical;
  const known = [...Object.keys(RUN_ATTRIBUTES), 'created', 'run name'].join(', ');
  const hint = bare && !quoted ? `; for a logged value write metrics.${name}, params.${name} or tags.${name}` : '';
  lx.fail(`Unknown attribute "${name}" at ${at}; known: ${known}${hint}`, at, length);
}
