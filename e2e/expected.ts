// Reads the fixtures' MLflow truth (expected-runs.json, fixture-info.json) for assertions.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixturesDir, type FixtureName } from './harness.ts';

export interface ExpectedRun {
  run_id: string;
  run_name: string;
  experiment_id: string;
  lifecycle_stage: string;
  params: Record<string, string>;
  metrics: Record<string, number | string>;
  tags: Record<string, string>;
}

export function expectedRuns(name: FixtureName): ExpectedRun[] {
  const json = JSON.parse(readFileSync(path.join(fixturesDir, name, 'expected-runs.json'), 'utf8')) as {
    experiments: { runs: ExpectedRun[] }[];
  };
  return json.experiments.flatMap((e) => e.runs);
}

export function fixtureInfo(name: FixtureName): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(fixturesDir, name, 'fixture-info.json'), 'utf8')) as Record<string, unknown>;
}
