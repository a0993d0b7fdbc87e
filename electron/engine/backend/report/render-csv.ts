// CSV: every run and every column at full precision. Numbers are written the way MLflow writes
// them in its file store (Python's repr: shortest round-trip digits, `nan`, `inf`, `-inf`, `-0.0`),
// so a value read back is the value logged. RFC 4180 quoting by csv-stringify; UTF-8 with BOM-less
// header row. With `histories`, the long form instead: run_id, key, step, timestamp, value.
import { stringify } from 'csv-stringify/sync';
import { pyFloat } from '../../writer/py-float.ts';
import type { ReportDocument, ReportNumber } from './types.ts';

/** A metric value as MLflow's file store writes it (Python float repr: `0.0`, `1e-05`, `nan`). */
export function pythonFloat(v: ReportNumber | number): string {
  // A ReportNumber's strings ('NaN', 'Infinity', '-Infinity') are what Number() reads back.
  return pyFloat(Number(v));
}

function iso(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

export function renderCsv(doc: ReportDocument): string {
  if (doc.histories) {
    const rows: string[][] = [['run_id', 'key', 'step', 'timestamp', 'value']];
    for (const h of doc.histories) for (const p of h.points) rows.push([h.runId, h.key, String(p.step), String(p.timestamp), pythonFloat(p.value)]);
    return stringify(rows);
  }
  const { params, metrics } = doc.columns;
  const header = [
    'run_id',
    'run_name',
    'experiment_id',
    'experiment_name',
    'status',
    'user_id',
    'start_time',
    'end_time',
    'duration_ms',
    ...params.map((k) => `params.${k}`),
    ...metrics.map((k) => `metrics.${k}`),
  ];
  const rows: string[][] = [header];
  for (const r of doc.runs) {
    rows.push([
      r.runId,
      r.runName,
      r.experimentId,
      r.experimentName,
      r.status,
      r.userId,
      iso(r.startTime),
      iso(r.endTime),
      r.durationMs === null ? '' : String(r.durationMs),
      ...params.map((k) => r.params[k] ?? ''),
      ...metrics.map((k) => {
        const m = r.metrics[k];
        return m ? pythonFloat(m.value) : '';
      }),
    ]);
  }
  return stringify(rows);
}
