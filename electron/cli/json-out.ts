// JSON for humans and diff tools: two-space indent, and floats that keep what JSON would lose.
// JSON.stringify prints -0 as 0; MLflow's dump prints -0.0 (and the file store keeps -0.0 for
// metrics), so a sentinel carries it through stringify.
const NEG_ZERO = '\u0000neg-zero\u0000';

export function toJson(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (Object.is(v, -0) ? NEG_ZERO : v), 2);
  return text.replaceAll(JSON.stringify(NEG_ZERO), '-0.0');
}
