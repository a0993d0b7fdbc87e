// `npm run bench`: every benchmark, one after another (they would compete for the two cores if
// run together), then one summary of every target across their JSON results. Not tests: nothing
// here fails on time; the exit code is non-zero only when a benchmark itself could not run.
//
//   node bench/all.ts            engine (10k/100k runs), app shell (10k and 100k runs), compare views (10k),
//                                soak (100 runs, 1,000 lines/s for 60 s; full and tiered watching),
//                                report export (1,000 of 10k runs)
//   node bench/all.ts --quick    smoke sizes (1k/3k runs), results in bench/results/*.tmp.json
//
// Each part also runs on its own: `npm run bench:engine`, `bench:ui:shell`, `bench:ui`, `bench:soak`,
// `bench:report`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readArgs } from './lib/args.ts';
import { REPO_ROOT, RESULTS_DIR as results } from './lib/paths.ts';

const { quick } = readArgs(process.argv.slice(2), {
  usage: `Every benchmark, one after another, then one summary of every target across their JSON results.

  node bench/all.ts            engine (10k/100k runs), app shell (10k and 100k runs), compare views (10k),
                               report export (1,000 of 10k runs)
  node bench/all.ts --quick    smoke sizes (1k/3k runs), results in bench/results/*.tmp.json`,
  options: { quick: { kind: 'flag', help: 'smoke sizes; scratch results (*.tmp.json)' } },
});
const shellRuns = quick ? 1000 : 10_000;
// Full runs replace the committed results; quick ones write scratch files (gitignored *.tmp.json).
const parts = [
  { name: 'engine', script: 'bench/run.ts', args: quick ? ['--quick'] : [], result: quick ? 'engine-quick-all.tmp.json' : 'engine.json' },
  {
    name: 'app shell',
    script: 'bench/ui/shell.ts',
    args: ['--runs', String(shellRuns), ...(quick ? ['--out', path.join(results, 'ui-shell-quick.tmp.json')] : [])],
    result: quick ? 'ui-shell-quick.tmp.json' : `ui-shell-${shellRuns}.json`,
  },
  // The app on a 100k-run store: one launch pair, one warm reopen, scrolling, a filter, appends.
  ...(quick
    ? []
    : [{ name: 'app shell, 100k runs', script: 'bench/ui/shell.ts', args: ['--runs', '100000', '--reps', '1'], result: 'ui-shell.json' }]),
  { name: 'compare views', script: 'bench/ui/compare.ts', args: quick ? ['--quick'] : [], result: quick ? 'ui-compare-quick.tmp.json' : 'ui-compare.json' },
  {
    name: 'soak',
    script: 'bench/soak.ts',
    args: quick ? ['--seconds', '15', '--out', path.join(results, 'soak-quick.tmp.json')] : [],
    result: quick ? 'soak-quick.tmp.json' : 'soak.json',
  },
  {
    name: 'soak, tiered watching',
    script: 'bench/soak.ts',
    args: ['--tiered', ...(quick ? ['--seconds', '15', '--out', path.join(results, 'soak-tiered-quick.tmp.json')] : [])],
    result: quick ? 'soak-tiered-quick.tmp.json' : 'soak-tiered.json',
  },
  {
    name: 'report export',
    script: 'bench/report.ts',
    args: quick ? ['--runs', '1000', '--report-runs', '200', '--out', path.join(results, 'report-quick.tmp.json')] : [],
    result: quick ? 'report-quick.tmp.json' : 'report.json',
  },
];

function run(command: string, args: string[]): boolean {
  const r = spawnSync(command, args, { stdio: 'inherit', cwd: REPO_ROOT });
  return r.status === 0;
}

interface Verdict {
  where: string;
  pass: boolean;
  /** What was measured against what, when the result says it in words (e.g. a ratio). */
  measured?: string;
  target?: string;
}

/** Every `{ pass }` verdict in a result file, named by where it sits. */
function verdicts(value: unknown, where: string, out: Verdict[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => verdicts(v, `${where}/${typeof (v as { name?: unknown })?.name === 'string' ? (v as { name: string }).name : i}`, out));
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.pass === 'boolean') {
      out.push({
        where,
        pass: o.pass,
        ...(typeof o.measured === 'string' ? { measured: o.measured } : {}),
        ...(typeof o.target === 'string' ? { target: o.target } : {}),
      });
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'name') verdicts(v, `${where}/${k}`, out);
  }
}

// The app parts serve the built renderer.
if (!run('npm', ['run', 'build:renderer'])) {
  process.stderr.write('bench: the renderer did not build\n');
  process.exit(1);
}
const failed: string[] = [];
const summary: Verdict[] = [];
for (const p of parts) {
  process.stdout.write(`\n── bench: ${p.name} (node ${p.script} ${p.args.join(' ')})\n`);
  if (!run(process.execPath, [p.script, ...p.args])) {
    failed.push(p.name);
    continue;
  }
  const file = path.join(results, p.result);
  verdicts(JSON.parse(readFileSync(file, 'utf8')), p.result.replace(/\.json$/, ''), summary);
}
process.stdout.write('\n── bench: targets\n');
for (const v of summary) {
  const detail = v.measured ? `: ${v.measured}${v.target ? `; target ${v.target}` : ''}` : '';
  process.stdout.write(`  ${v.pass ? 'pass' : 'MISS'}  ${v.where}${detail}\n`);
}
process.stdout.write(`${summary.filter((v) => v.pass).length} of ${summary.length} targets met; results in bench/results/\n`);
if (failed.length > 0) {
  process.stderr.write(`bench: ${failed.join(', ')} did not run to the end\n`);
  process.exit(1);
}
