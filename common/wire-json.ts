// The JSON of the browser-mode bridge (electron/serve/server.ts writes it, the renderer's
// bridge/client.ts reads it). JSON cannot carry NaN, ±Infinity or -0, which metric values
// legitimately are: they travel as {"$num": "NaN" | "Infinity" | "-Infinity" | "-0"} and are
// revived on the other side.
//
// Both directions keep V8's fast path when they can: JSON.stringify with a replacer and JSON.parse
// with a reviver call back for every value (a 5000-run page of the compare set, 5.7 MB, took
// ~190-300 ms that way against ~35 ms plain). So a message is walked for special numbers first and
// encoded plainly when it has none, and decoded plainly, then walked for tags only when the text
// has one.

const TAG = '{"$num":';

/** Whether `value` holds a number JSON cannot carry (NaN, ±Infinity, -0) anywhere inside. */
function hasSpecialNumber(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value) || Object.is(value, -0);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const x of value) if (hasSpecialNumber(x)) return true;
    return false;
  }
  for (const k in value as Record<string, unknown>) if (hasSpecialNumber((value as Record<string, unknown>)[k])) return true;
  return false;
}

function tagNumber(_key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { $num: 'NaN' };
    if (value === Infinity) return { $num: 'Infinity' };
    if (value === -Infinity) return { $num: '-Infinity' };
    if (Object.is(value, -0)) return { $num: '-0' };
  }
  return value;
}

/** A message as JSON, special numbers tagged. */
export function toWireJson(value: unknown): string {
  return hasSpecialNumber(value) ? JSON.stringify(value, tagNumber) : JSON.stringify(value);
}

/** The number a one-key {"$num": ...} object stands for, or undefined for any other object. */
function tagged(value: unknown): number | undefined {
  const v = value as { $num?: unknown };
  if (typeof v.$num !== 'string') return undefined;
  for (const k in v) if (k !== '$num') return undefined;
  switch (v.$num) {
    case 'NaN':
      return Number.NaN;
    case 'Infinity':
      return Number.POSITIVE_INFINITY;
    case '-Infinity':
      return Number.NEGATIVE_INFINITY;
    case '-0':
      return -0;
  }
  return undefined;
}

/** Replaces, in place, every {"$num": ...} object inside `value`; returns the (new) root. */
function revive(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const x: unknown = value[i];
      if (x !== null && typeof x === 'object') value[i] = revive(x);
    }
    return value;
  }
  const n = tagged(value);
  if (n !== undefined) return n;
  const o = value as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (x !== null && typeof x === 'object') o[k] = revive(x);
  }
  return value;
}

/** JSON.parse for the bridge's messages, tagged numbers revived. */
export function parseWireJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return text.includes(TAG) ? revive(value) : value;
}
