// Reads the chart theme from the page's CSS tokens, and again when the OS colour scheme flips,
// so charts follow light/dark exactly like the rest of the UI.
import { useEffect, useState } from 'react';
import { LIGHT_THEME, type ChartTheme } from './theme.ts';

function prefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

export function readTheme(): ChartTheme {
  if (typeof document === 'undefined') return LIGHT_THEME;
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const dark = prefersDark();
  return {
    dark,
    text: v('--text', LIGHT_THEME.text),
    text2: v('--text-2', LIGHT_THEME.text2),
    muted: v('--muted', LIGHT_THEME.muted),
    faint: v('--faint', LIGHT_THEME.faint),
    grid: v('--border', LIGHT_THEME.grid),
    border: v('--border-strong', LIGHT_THEME.border),
    surface: v('--surface', LIGHT_THEME.surface),
    accent: v('--accent', LIGHT_THEME.accent),
    best: dark ? '#f5b83d' : '#d97706',
    hover: dark ? '#fb7185' : '#e11d48',
    dimmed: dark ? '#3a424e' : '#cdd2da',
    font: v('--font', LIGHT_THEME.font),
    mono: v('--mono', LIGHT_THEME.mono),
  };
}

export function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState(readTheme);
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setTheme(readTheme());
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  return theme;
}

