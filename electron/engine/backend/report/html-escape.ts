// Escaping for every string a store can hold (names, params, tags, notes) on its way into the
// report's HTML: text content and attribute values, and JSON inside a <script> element.

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe as element text and as a quoted attribute value. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML[c] as string);
}

/**
 * JSON for a `<script type="application/json">` element: `<` and the two JS line separators
 * escaped, so no value can close the element (`</script>`) or start a comment (`<!--`).
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
