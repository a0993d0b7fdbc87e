// `runsight promote`: the gates — thresholds on the candidate run's metrics (--require) and gains
// over the incumbent's (--min-gain, --min-rel-gain) — and what each one found.
import type { Run } from '../engine/model.ts';
import type { AuditGate } from '../engine/registry/types.ts';
import type { Direction } from './best-run.ts';
import { jsonNumber } from './ci-common.ts';

export interface RequireGate {
  kind: 'require';
  text: string;
  metric: string;
  op: string;
  threshold: number;
}

export interface GainGate {
  kind: 'min-gain' | 'min-rel-gain';
  text: string;
  metric: string;
  direction: Direction;
  threshold: number;
}

export interface GateResult {
  kind: 'require' | 'min-gain' | 'min-rel-gain';
  /** As given on the command line. */
  gate: string;
  metric: string;
  direction: Direction | null;
  op: string;
  /** require: the candidate's value; gains: the gain (absolute or relative). */
  observed: number | string | null;
  candidate: number | string | null;
  incumbent: number | string | null;
  threshold: number;
  passed: boolean;
  reason: string | null;
}

function metricOf(run: Run | null, key: string): number | null {
  const p = run?.metrics[key];
  return p ? p.value : null;
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

export function evalRequire(g: RequireGate, run: Run): GateResult {
  const v = metricOf(run, g.metric);
  const base = { kind: g.kind, gate: g.text, metric: g.metric, direction: null, op: g.op, observed: jsonNumber(v), candidate: jsonNumber(v), incumbent: null, threshold: g.threshold };
  if (v === null) return { ...base, passed: false, reason: `run ${run.runId} did not log ${g.metric}` };
  if (Number.isNaN(v)) return { ...base, passed: false, reason: `${g.metric} is NaN` };
  return { ...base, passed: compare(g.op, v, g.threshold), reason: null };
}

export function evalGain(g: GainGate, cand: Run, inc: Run | null, incVersion: number | null): GateResult {
  const c = metricOf(cand, g.metric);
  const i = metricOf(inc, g.metric);
  const base = { kind: g.kind, gate: `${g.kind === 'min-gain' ? '--min-gain' : '--min-rel-gain'} ${g.text}`, metric: g.metric, direction: g.direction, op: '>=', candidate: jsonNumber(c), incumbent: jsonNumber(i), threshold: g.threshold };
  if (c === null) return { ...base, observed: null, passed: false, reason: `the candidate's run ${cand.runId} did not log ${g.metric}` };
  if (inc === null) return { ...base, observed: null, passed: false, reason: `the incumbent v${incVersion} has no run in this store` };
  if (i === null) return { ...base, observed: null, passed: false, reason: `the incumbent's run ${inc.runId} did not log ${g.metric}` };
  if (!Number.isFinite(c) || !Number.isFinite(i)) return { ...base, observed: null, passed: false, reason: `${g.metric} is not finite` };
  const gain = g.direction === 'max' ? c - i : i - c;
  const observed = g.kind === 'min-gain' ? gain : i === 0 ? (gain > 0 ? Number.POSITIVE_INFINITY : gain < 0 ? Number.NEGATIVE_INFINITY : 0) : gain / Math.abs(i);
  return { ...base, observed: jsonNumber(observed), passed: observed >= g.threshold, reason: null };
}

export function auditGate(g: GateResult): AuditGate {
  const num = (v: number | string | null) => (typeof v === 'number' ? v : null);
  return { gate: g.gate, observed: num(g.observed), threshold: g.threshold, passed: g.passed };
}
