// The engine benchmarks' command line, sizes and targets (bench/run.ts).
import { readArgs } from '../lib/args.ts';
import { resultFile } from '../lib/report.ts';

export const ALL = ['cold-index', 'query', 'append-latency', 'peak-rss', 'sqlite'] as const;
export type BenchName = (typeof ALL)[number];

export const TARGETS = {
  coldIndexRatio: 1.5,
  queryP95Ms: 50,
  appendP95Ms: 100,
  peakRssMb: 600,
  /** A 10k-run mlflow.db opened and indexed (MLflow's own search of all its runs: ~9.6 s here). */
  sqliteLoadMs: 800,
};

export interface Settings {
  quick: boolean;
  only: Set<BenchName>;
  out: string;
  smallRuns: number;
  largeRuns: number;
  coldReps: number;
  queryIterations: number;
  queryWarmup: number;
  appends: number;
  sqliteLoadReps: number;
}

const CLI = {
  usage: `Engine benchmarks: every number next to its target, as a table on stdout and as JSON in bench/results/.

  node bench/run.ts                 full run (10k / 100k runs) → bench/results/engine.json
  node bench/run.ts --quick         small smoke run (1k / 3k runs) → bench/results/engine-quick-all.tmp.json
  node bench/run.ts --only query    some benchmarks only → bench/results/engine-query.tmp.json

Benchmarks: ${ALL.join(', ')}.`,
  options: {
    quick: { kind: 'flag', help: 'smoke sizes (1k / 3k runs), fewer repetitions' },
    only: { kind: 'string', value: 'A,B', help: `some benchmarks only (comma-separated: ${ALL.join(', ')})` },
    out: { kind: 'string', value: 'FILE', help: 'write the JSON here instead' },
  },
} as const;

export function parseSettings(argv: string[]): Settings {
  const args = readArgs(argv, CLI);
  const quick = args.quick;
  let only: BenchName[] = [...ALL];
  if (args.only !== undefined) {
    only = args.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean) as BenchName[];
    for (const n of only) if (!ALL.includes(n)) throw new Error(`unknown benchmark "${n}" (known: ${ALL.join(', ')})`);
  }
  const partial = only.length !== ALL.length;
  return {
    quick,
    only: new Set(only),
    // Only a complete full run replaces the committed results; anything else is a scratch file.
    out: args.out ?? resultFile(quick ? 'engine-quick' : 'engine', partial ? only.join('+') : quick ? 'all' : null),
    smallRuns: quick ? 1000 : 10_000,
    largeRuns: quick ? 3000 : 100_000,
    coldReps: quick ? 3 : 7,
    queryIterations: quick ? 30 : 200,
    queryWarmup: quick ? 3 : 10,
    appends: quick ? 15 : 100,
    sqliteLoadReps: quick ? 2 : 5,
  };
}
