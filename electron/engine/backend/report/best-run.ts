// The best run by one metric and direction, with the numbers a reader needs to trust it, and a
// sentence generated from them (never written by hand):
//   best of 14 runs by `val_accuracy` (max): 0.9722 (`gbm-lr0.05-d3`); runner-up `gbm-lr0.1-d2`
//   0.9688, −0.0034; 2 runs lack the metric
// Only finite latest values compete: a NaN or ±Infinity loss is not "the best" (MLflow's own
// ORDER BY puts NaN first for DESC, which is how a diverged run wins a naive search).
import type { Direction, ReportBest, ReportNumber, ReportRun } from './types.ts';

export const TIE_RULE = 'equal values: the run that ended first wins, then the one that started first, then the lower run id';

export function finiteValue(v: ReportNumber | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Negative when a should rank before b. */
function compareCandidates(a: { v: number; run: ReportRun }, b: { v: number; run: ReportRun }, direction: Direction): number {
  if (a.v !== b.v) return direction === 'max' ? b.v - a.v : a.v - b.v;
  const end = (r: ReportRun) => r.endTime ?? Number.POSITIVE_INFINITY;
  const start = (r: ReportRun) => r.startTime ?? Number.POSITIVE_INFINITY;
  if (end(a.run) !== end(b.run)) return end(a.run) - end(b.run);
  if (start(a.run) !== start(b.run)) return start(a.run) - start(b.run);
  return a.run.runId < b.run.runId ? -1 : a.run.runId > b.run.runId ? 1 : 0;
}

export function pickBestRun(runs: readonly ReportRun[], metric: string, direction: Direction): ReportBest {
  const candidates: { v: number; run: ReportRun }[] = [];
  const missing: ReportBest['missing'] = [];
  const nonFinite: ReportBest['nonFinite'] = [];
  for (const run of runs) {
    const m = run.metrics[metric];
    if (!m) missing.push({ runId: run.runId, runName: run.runName });
    else if (finiteValue(m.value) === null) nonFinite.push({ runId: run.runId, runName: run.runName, value: m.value });
    else candidates.push({ v: m.value as number, run });
  }
  candidates.sort((a, b) => compareCandidates(a, b, direction));
  const [first, second] = candidates;
  const winner = first ? { runId: first.run.runId, runName: first.run.runName, value: first.v } : null;
  const runnerUp = first && second ? { runId: second.run.runId, runName: second.run.runName, value: second.v, gap: second.v - first.v } : null;
  const tiedWith = first ? candidates.slice(1).filter((c) => c.v === first.v).map((c) => c.run.runId) : [];
  const best: Omit<ReportBest, 'rationale'> = { metric, direction, winner, runnerUp, considered: candidates.length, missing, nonFinite, tieRule: TIE_RULE, tiedWith };
  return { ...best, rationale: bestRationale(best, runs.length) };
}

/** A number for a sentence: exact when short, else 6 significant digits. */
export function shortNumber(v: number): string {
  const exact = String(v);
  if (exact.length <= 8) return exact;
  return String(Number(v.toPrecision(6)));
}

/** A signed difference with a real minus sign, to 4 significant digits. */
export function signedGap(d: number): string {
  if (d === 0) return '±0';
  const s = String(Number(Math.abs(d).toPrecision(4)));
  return `${d < 0 ? '−' : '+'}${s}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function bestRationale(b: Omit<ReportBest, 'rationale'>, total: number): string {
  const head = `best of ${plural(total, 'run', 'runs')} by \`${b.metric}\` (${b.direction})`;
  const tail: string[] = [];
  if (b.missing.length > 0) tail.push(`${plural(b.missing.length, 'run lacks', 'runs lack')} the metric`);
  if (b.nonFinite.length > 0) tail.push(`${plural(b.nonFinite.length, 'run has', 'runs have')} a non-finite value (not compared)`);
  if (!b.winner) return [`${head}: no run has a finite value`, ...tail].join('; ');
  const parts = [`${head}: ${shortNumber(b.winner.value)} (\`${b.winner.runName || b.winner.runId}\`)`];
  if (b.runnerUp) parts.push(`runner-up \`${b.runnerUp.runName || b.runnerUp.runId}\` ${shortNumber(b.runnerUp.value)}, ${signedGap(b.runnerUp.gap)}`);
  else parts.push('no runner-up');
  if (b.tiedWith.length > 0) parts.push(`tied with ${plural(b.tiedWith.length, 'other run', 'other runs')} (${TIE_RULE.replace('equal values: ', '')})`);
  return [...parts, ...tail].join('; ');
}
