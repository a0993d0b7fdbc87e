// Mirror of electron/serve/server.ts toJson: NaN/±Infinity/-0 travel as {"$num": "..."}.
//
// JSON.parse with a reviver calls back for every value and leaves V8's fast path: a 5000-run
// page of the compare set (5.7 MB) took ~190-300 ms that way against ~35 ms plain. So messages
// are parsed plainly, and walked for tagged numbers only when the text has one.

const TAG = '{"$num":';

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
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return text.includes(TAG) ? revive(value) : value;
}
