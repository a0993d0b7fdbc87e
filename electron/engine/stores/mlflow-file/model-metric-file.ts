// Logged-model metric files (format doc 2.10): one line per logged value,
// `<timestamp> <value> <step> <run_id>[ <dataset_name> <dataset_digest>]`, read through the byte
// scanner (metric-scan.ts) for the latest value per dataset.
import type { LoggedModelMetric } from '../../model.ts';
import { withOpenFile, type Io } from './fs-util.ts';
import { badLinesProblem, beats, MODEL_LINE_FORM, TAIL_GRACE_MS } from './metric-file.ts';
import {
  floatValue,
  L_n,
  L_step,
  L_ts,
  L_vE,
  L_vS,
  L_xE0,
  L_xE1,
  L_xE2,
  L_xS0,
  L_xS1,
  L_xS2,
  preview,
  scanLine,
  text,
  type LineSink,
} from './metric-scan.ts';
import { hasContent, streamLines } from './metric-stream.ts';

class ModelSink implements LineSink {
  key: string;
  byDataset = new Map<string, LoggedModelMetric>();
  lines = 0;
  bad = 0;
  firstBadLine = 0;
  firstBadText = '';
  badTail: string | null = null;
  constructor(key: string) {
    this.key = key;
  }
  readonly model = true;
  line(buf: Buffer, s: number, e: number, ok: boolean): void {
    this.lines++;
    if (!ok) {
      this.noteBad(preview(buf, s, e));
      return;
    }
    this.take(buf);
  }
  take(buf: Buffer): void {
    const six = L_n === 6;
    const name = six ? text(buf, L_xS1, L_xE1) : null;
    const digest = six ? text(buf, L_xS2, L_xE2) : null;
    // MLflow groups a model's metric lines by (dataset_name, dataset_digest) and keeps the max of each.
    const group = six ? `${name}\u0001${digest}` : '';
    const cur = this.byDataset.get(group) ?? null;
    const value = floatValue(buf, L_vS, L_vE);
    if (beats(cur, L_step, L_ts, value)) {
      this.byDataset.set(group, {
        key: this.key,
        value,
        step: L_step,
        timestamp: L_ts,
        runId: text(buf, L_xS0, L_xE0),
        datasetName: name,
        datasetDigest: digest,
      });
    }
  }
  noteBad(t: string): void {
    if (this.bad === 0) {
      this.firstBadLine = this.lines;
      this.firstBadText = t;
    }
    this.bad++;
  }
  longLine(p: string): void {
    this.lines++;
    this.noteBad(p);
  }
  flush(): void {}
}

export type ModelMetricResult =
  | { ok: true; metrics: LoggedModelMetric[]; problem: string | null }
  | { ok: false; code: string };

/** Latest value per dataset of one logged-model metric file, plus a bad-lines problem if any. */
export function readModelMetric(io: Io, abs: string, key: string, rel: string): Promise<ModelMetricResult> {
  return withOpenFile(io, abs, async (fd): Promise<ModelMetricResult> => {
    const sink = new ModelSink(key);
    const r = await streamLines(io, fd, 0, sink);
    if (hasContent(r.tail) && Date.now() - (await io.fstat(fd)).mtimeMs >= TAIL_GRACE_MS) {
      if (scanLine(r.tail, 0, r.tail.length, true)) sink.take(r.tail);
      else sink.badTail = preview(r.tail, 0, r.tail.length);
    }
    let problem = badLinesProblem(rel, sink, MODEL_LINE_FORM);
    if (problem === null && sink.lines === 0 && !hasContent(r.tail)) {
      problem = `${rel}: empty metric file (metric skipped)`;
    }
    return { ok: true, metrics: [...sink.byDataset.values()], problem };
  });
}
