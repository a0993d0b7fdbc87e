// The compare-view benchmarks' command line, targets and the row every measurement becomes
// (bench/ui/compare.ts).
import path from 'node:path';
import { readArgs } from '../../lib/args.ts';
import { BENCH_DIR } from '../../lib/paths.ts';
import { resultFile } from '../../lib/report.ts';
import { dist as distOf, round, type Dist } from '../../lib/stats.ts';

export const TARGETS = { parcoords10k: 1000, scatter100k: 1500, brush10k: 100, curves50x10k: 1000 };
export const CHROMIUM = process.env.RUNSIGHT_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = path.join(BENCH_DIR, '..', 'test-results', 'screenshots');

export interface Settings {
  quick: boolean;
  parts: Set<'app' | 'harness'>;
  reps: number;
  storeRuns: number;
  out: string;
}

export function parseSettings(argv: string[]): Settings {
  const args = readArgs(argv, {
    usage: `UI benchmarks of the compare views in Debian's Chromium: the app on a synthetic store, and a harness
feeding synthetic runs through the chart builders.

  node bench/ui/compare.ts              everything → bench/results/ui-compare.json
  node bench/ui/compare.ts --quick      1k-run store, fewer repetitions → ui-compare-quick.tmp.json
  node bench/ui/compare.ts --only app   (or harness) → ui-compare-app.tmp.json`,
    options: {
      quick: { kind: 'flag', help: '1k-run store, smaller harness inputs, 2 repetitions' },
      only: { kind: 'string', value: 'app|harness', help: 'one part only' },
    },
  });
  let parts: ('app' | 'harness')[] = ['app', 'harness'];
  if (args.only !== undefined) {
    if (args.only !== 'app' && args.only !== 'harness') throw new Error('--only app|harness');
    parts = [args.only];
  }
  const quick = args.quick;
  const partial = parts.length !== 2;
  return {
    quick,
    parts: new Set(parts),
    reps: quick ? 2 : 5,
    storeRuns: quick ? 1000 : 10_000,
    out: resultFile('ui-compare', quick ? 'quick' : partial ? parts.join('+') : null),
  };
}

// Statistics: bench/lib/stats.ts, reported here with one decimal.
export const dist = (xs: number[]): Dist => distOf(xs, 1);
export const round1 = (x: number): number => round(x, 1);

export interface Row {
  /** `<benchmark> [<rasterizer>]`, e.g. `parcoords-harness-10000 [swiftshader]`. */
  name: string;
  /** The benchmark without the rasterizer (the key of the side-by-side comparison). */
  bench: string;
  /** swiftshader / llvmpipe / other, from `renderer`. */
  rasterizer: string;
  /** UNMASKED_RENDERER_WEBGL of the page that was measured. */
  renderer: string;
  /** What is timed, from which action to which frame. */
  what: string;
  targetMs: number | null;
  /** The statistic compared with the target. */
  metric: 'p50' | 'p95';
  ms: Dist;
  detail?: Record<string, unknown>;
}

