// kitchen-sink and kitchen-sink-sqlite are the same scenario written through MLflow's two
// backends. Where the format doc (section 4) says the formats agree, our readers must agree too;
// where it says they differ, the difference must be exactly the documented one.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReader } from '../electron/engine/dump-store.ts';
import type { MetricPoint, Run, StoreSnapshot } from '../electron/engine/model.ts';
import type { StoreReader } from '../electron/engine/stores/reader.ts';
import { fileStoreInfo, sqliteStoreInfo } from '../electron/engine/store-info.ts';
import { fixturePath } from './helpers/fixtures.ts';

const DBL_MAX = 1.7976931348623157e308;
let file: { snap: StoreSnapshot; reader: StoreReader };
let sqlite: { snap: StoreSnapshot; reader: StoreReader };

beforeAll(async () => {
  const f = createReader(fileStoreInfo(path.join(fixturePath('kitchen-sink'), 'mlruns')));
  const s = createReader(sqliteStoreInfo(path.join(fixturePath('kitchen-sink-sqlite'), 'mlflow.db')));
  file = { snap: await f.load(), reader: f };
  sqlite = { snap: await s.load(), reader: s };
  return async () => {
    await f.close();
    await s.close();
  };
});

/** Runs keyed by a name stable across the twins (the random-named run is the one user bob made). */
function byName(snap: StoreSnapshot): Map<string, Run[]> {
  const out = new Map<string, Run[]>();
  for (const r of snap.runs) {
    const key = r.tags['mlflow.user'] === 'bob' ? '<random name of bob>' : r.runName;
    out.set(key, [...(out.get(key) ?? []), r].sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0)));
  }
  return out;
}

const runName = (snap: StoreSnapshot, id: string | undefined) => snap.runs.find((r) => r.runId === id)?.runName;

/** The SQLite encodings of section 3.3: ±inf → ±DBL_MAX, −0.0 → 0.0. */
function sqliteEncoded(v: number): number {
  if (v === Infinity) return DBL_MAX;
  if (v === -Infinity) return -DBL_MAX;
  if (Object.is(v, -0)) return 0;
  return v;
}

describe('file store and SQLite twins of kitchen-sink', () => {
  it('have the same experiments (by name), lifecycles and tags', () => {
    const summary = (s: StoreSnapshot) =>
      s.experiments.map((e) => [e.name, e.lifecycleStage, e.tags]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(summary(sqlite.snap)).toEqual(summary(file.snap));
  });

  it('have the same runs with the same params, tags, statuses and family links', () => {
    const f = byName(file.snap);
    const s = byName(sqlite.snap);
    expect([...s.keys()].sort()).toEqual([...f.keys()].sort());
    for (const [name, fileRuns] of f) {
      const sqlRuns = s.get(name) ?? [];
      expect(sqlRuns.length, name).toBe(fileRuns.length);
      fileRuns.forEach((fr, i) => {
        const sr = sqlRuns[i] as Run;
        expect(sr.params, name).toEqual(fr.params);
        expect([sr.status, sr.lifecycleStage, sr.userId], name).toEqual([fr.status, fr.lifecycleStage, fr.userId]);
        const plainTags = (r: Run) =>
          Object.fromEntries(Object.entries(r.tags).filter(
              ([k]) =>
                k !== 'mlflow.parentRunId' &&
                k !== 'mlflow.log-model.history' &&
                // MLflow drew a different random name for bob's run in each twin.
                !(k === 'mlflow.runName' && name === '<random name of bob>'),
            ),
          );
        expect(plainTags(sr), name).toEqual(plainTags(fr));
        // Nesting is recorded only by mlflow.parentRunId: same parent, by name.
        expect(runName(sqlite.snap, sr.tags['mlflow.parentRunId']), name).toBe(runName(file.snap, fr.tags['mlflow.parentRunId']));
        const datasets = (r: Run) => r.inputs.datasets.map((d) => [d.name, d.digest, d.tags]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
        expect(datasets(sr), name).toEqual(datasets(fr));
        expect(sr.outputs.models.map((o) => o.step), name).toEqual(fr.outputs.models.map((o) => o.step));
      });
    }
  });

  it('agree on latest metrics up to the documented SQLite encodings of inf and -0.0', () => {
    const f = byName(file.snap);
    const s = byName(sqlite.snap);
    for (const [name, fileRuns] of f) {
      fileRuns.forEach((fr, i) => {
        const sr = (s.get(name) ?? [])[i] as Run;
        const expected = Object.fromEntries(Object.entries(fr.metrics).map(([k, p]) => [k, sqliteEncoded(p.value)]));
        const actual = Object.fromEntries(Object.entries(sr.metrics).map(([k, p]) => [k, p.value]));
        expect(actual, name).toEqual(expected);
      });
    }
  });

  it('agree on histories except the duplicate lines only the file store keeps', async () => {
    const fr = (byName(file.snap).get('metrics-zoo') ?? [])[0] as Run;
    const sr = (byName(sqlite.snap).get('metrics-zoo') ?? [])[0] as Run;
    for (const key of Object.keys(fr.metrics)) {
      const distinct = (points: MetricPoint[]) =>
        // Timestamps are each run's own wall clock (the twins ran separately), except explicit ones.
        [...new Set(points.map((p) => JSON.stringify([p.step, Number.isNaN(p.value) ? 'NaN' : sqliteEncoded(p.value)])))].sort();
      expect(distinct(await sqlite.reader.getMetricHistory(sr.runId, key)), key).toEqual(
        distinct(await file.reader.getMetricHistory(fr.runId, key)),
      );
    }
    const trainF = (byName(file.snap).get('train-classifier') ?? [])[0] as Run;
    const trainS = (byName(sqlite.snap).get('train-classifier') ?? [])[0] as Run;
    // log_model re-logs metrics: the file store keeps the exact duplicates, SQLite cannot (PK).
    const nF = (await file.reader.getMetricHistory(trainF.runId, 'train_acc')).length;
    const nS = (await sqlite.reader.getMetricHistory(trainS.runId, 'train_acc')).length;
    expect(nF).toBeGreaterThan(nS);
  });

  it('have the same registry, except what the format doc lists as backend-specific', () => {
    const reg = (s: StoreSnapshot) =>
      s.registry
        .map((m) => ({
          name: m.name,
          isPrompt: m.isPrompt,
          description: m.description,
          versions: m.versions
            .filter((v) => v.currentStage !== 'Deleted_Internal')
            .map((v) => [v.version, v.currentStage, v.description, v.tags]),
          // The file store loses aliases (and model tags) on rename; SQLite keeps them (2.12).
          aliases: m.name === 'renamed-model' ? null : m.aliases,
          tags: m.name === 'renamed-model' ? null : m.tags,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    expect(reg(sqlite.snap)).toEqual(reg(file.snap));
    const renamedSql = sqlite.snap.registry.find((m) => m.name === 'renamed-model');
    const renamedFile = file.snap.registry.find((m) => m.name === 'renamed-model');
    expect(Object.keys(renamedSql?.aliases ?? {})).not.toHaveLength(0);
    expect(renamedFile?.aliases).toEqual({});
    // model_id is a file-store-only column at this schema revision (3.4).
    expect(sqlite.snap.registry.flatMap((m) => m.versions).every((v) => v.modelId === null)).toBe(true);
  });
});
