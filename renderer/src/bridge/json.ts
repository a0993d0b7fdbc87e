// Mirror of electron/serve/server.ts jsonReplacer: NaN/±Infinity/-0 travel as {$num: "..."}.
export function jsonReviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as { $num?: unknown };
    if (typeof v.$num === 'string' && Object.keys(value).length === 1) {
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
    }
  }
  return value;
}
