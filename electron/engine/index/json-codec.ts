// JSON bodies stored in the index (logged models, registry, run inputs/outputs) must keep NaN,
// ±Infinity and -0 (model.ts invariant), which JSON.stringify would turn into null / 0. They are
// written as a one-key object whose key starts with NUL: MLflow keys can never contain NUL
// (they are file names / SQL text), so no user record can be mistaken for one.

const MARK = '\u0000n';

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'number') return v;
    if (Number.isNaN(v) || v === Infinity || v === -Infinity) return { [MARK]: String(v) };
    if (Object.is(v, -0)) return { [MARK]: '-0' };
    return v;
  });
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const rec = v as Record<string, unknown>;
      const mark = rec[MARK];
      if (typeof mark === 'string' && Object.keys(rec).length === 1) return Number(mark);
    }
    return v;
  }) as T;
}
