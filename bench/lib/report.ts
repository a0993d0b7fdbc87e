// What every benchmark writes: its JSON result in bench/results/ (a full run replaces the
// committed `<name>.json`; quick and partial runs write gitignored `*.tmp.json` scratch files
// beside it), a table on stdout, and the facts that tell readers how contended a run was.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, RESULTS_DIR } from './paths.ts';
import { round } from './stats.ts';

/** `bench/results/<name>.json`, or with `scratch` the scratch file `<name>-<scratch>.tmp.json`. */
export function resultFile(name: string, scratch?: string | null): string {
  return path.join(RESULTS_DIR, scratch ? `${name}-${scratch}.tmp.json` : `${name}.json`);
}

/** Writes `value` as indented JSON (folders created); returns the path relative to the working folder. */
export async function writeResult(file: string, value: unknown): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
  return path.relative(process.cwd(), file);
}

/** The 1, 5 and 15 minute load averages, two decimals (the machine is shared). */
export function loadAverage(): number[] {
  return os.loadavg().map((x) => round(x, 2));
}

/** What `git <args>` printed in the repository; null outside a checkout (or without git). */
export function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

export interface Column {
  head: string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
  /** The narrowest the column may be (the widest cell wins otherwise). */
  width?: number;
}

type Cell = string | number | null | undefined;

/** The lines of a plain-text table: header, a rule, the rows; a missing value (null) prints as —. */
export function formatTable(columns: Column[], rows: Cell[][]): string[] {
  const text = (c: Cell): string => (c === null || c === undefined ? '—' : String(c));
  const cells = rows.map((r) => columns.map((_, i) => text(r[i])));
  const widths = columns.map((c, i) => Math.max(c.width ?? 0, c.head.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (columns[i]?.align === 'right' ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.head)), '-'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1)), ...cells.map(line)];
}

export function printTable(columns: Column[], rows: Cell[][]): void {
  for (const l of formatTable(columns, rows)) console.log(l);
}
