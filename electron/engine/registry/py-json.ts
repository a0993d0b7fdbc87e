// Python's `json.dumps` with its defaults (ensure_ascii=True, separators ", " and ": "), for JSON
// that MLflow itself writes into the store: the logged-model tag `mlflow.modelVersions` reads
// `[{"name": "Mod\u00e8le sp\u00e9cial \u2728", "version": 1}]` [seen in both kitchen-sink stores].
export type PyJson = null | boolean | number | string | PyJson[] | { [key: string]: PyJson };

export function pyJsonDumps(value: PyJson): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    if (Number.isInteger(value)) return BigInt(value).toString();
    return String(value);
  }
  if (typeof value === 'string') return pyJsonString(value);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${pyJsonString(k)}: ${pyJsonDumps(v)}`)
    .join(', ')}}`;
}

const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** ESCAPE_ASCII: everything outside printable ASCII becomes `\uXXXX` (lowercase hex, per UTF-16 unit). */
function pyJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const short = SHORT[ch];
    if (short) out += short;
    else {
      const c = s.charCodeAt(i);
      out += c < 0x20 || c > 0x7e ? `\\u${c.toString(16).padStart(4, '0')}` : ch;
    }
  }
  return `${out}"`;
}
