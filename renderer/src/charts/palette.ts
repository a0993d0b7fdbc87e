// Colours for runs and values. The run palette is categorical (readable on white and on the dark
// surface alike); the sequential scale is viridis cut so that neither end disappears into the
// background of the current scheme.

/** 12 categorical colours, ordered so neighbours differ strongly. */
export const RUN_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#b07aa1',
  '#edc948',
  '#9c755f',
  '#ff9da7',
  '#17becf',
  '#8c6d31',
  '#bab0ac',
] as const;

export function colorAt(i: number): string {
  return RUN_COLORS[((i % RUN_COLORS.length) + RUN_COLORS.length) % RUN_COLORS.length] as string;
}

/** viridis at 9 evenly spaced stops. */
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];

export type ColorScale = [number, string][];

/**
 * A sequential scale from viridis[from..to] (fractions of the full scale), re-spaced over 0..1.
 * Light backgrounds lose the yellow end, dark ones the purple end.
 */
export function sequentialScale(dark: boolean): ColorScale {
  const [from, to] = dark ? [0.18, 1] : [0, 0.88];
  const n = 9;
  return Array.from({ length: n }, (_, i) => {
    const f = from + ((to - from) * i) / (n - 1);
    return [i / (n - 1), interpolate(VIRIDIS, f)] as [number, string];
  });
}

function hexToRgb(hex: string): [number, number, number] {
  const h = hex.replace('#', '');
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

function rgbToHex([r, g, b]: [number, number, number]): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** Colour at fraction f (0..1) along evenly spaced stops. */
export function interpolate(stops: readonly string[], f: number): string {
  const x = Math.min(1, Math.max(0, f)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const t = x - i;
  const a = hexToRgb(stops[i] as string);
  const b = hexToRgb(stops[i + 1] as string);
  return rgbToHex([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]);
}

/** `#rrggbb` with an alpha, as plotly's rgba() text. */
export function withAlpha(hex: string, alpha: number): string {
  if (!/^#[0-9a-f]{6}$/i.test(hex)) return hex;
  const [r, g, b] = hexToRgb(hex);
  return `rgba(${r},${g},${b},${alpha})`;
}

/**
 * Colour at fraction f (0..1) of a scale with its own stops (plotly's colorscale form), for charts
 * we draw ourselves. Between two hex stops the colour is interpolated; other colours are taken
 * from the nearer stop.
 */
export function sampleScale(scale: ColorScale, f: number): string {
  const x = Math.min(1, Math.max(0, f));
  let i = 0;
  while (i < scale.length - 2 && x > (scale[i + 1] as [number, string])[0]) i++;
  const [fa, a] = scale[i] as [number, string];
  const [fb, b] = (scale[i + 1] ?? scale[i]) as [number, string];
  const t = fb > fa ? Math.min(1, Math.max(0, (x - fa) / (fb - fa))) : 0;
  const hex = /^#[0-9a-f]{6}$/i;
  if (!hex.test(a) || !hex.test(b)) return t < 0.5 ? a : b;
  const ca = hexToRgb(a);
  const cb = hexToRgb(b);
  return rgbToHex([ca[0] + (cb[0] - ca[0]) * t, ca[1] + (cb[1] - ca[1]) * t, ca[2] + (cb[2] - ca[2]) * t]);
}
