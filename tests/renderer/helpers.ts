import type { RunRow } from '../../preload/api.ts';

export function row(runId: string, parentRunId: string | null = null, extra: Partial<RunRow> = {}): RunRow {
  return {
    storeId: 's',
    runId,
    experimentId: '1',
    runName: runId,
    status: 'FINISHED',
    startTime: 0,
    endTime: 1,
    userId: 'u',
    lifecycleStage: 'active',
    artifactUri: '',
    parentRunId,
    params: {},
    metrics: {},
    tags: parentRunId ? { 'mlflow.parentRunId': parentRunId } : {},
    ...extra,
  };
}

export function rows(prefix: string, from: number, n: number): RunRow[] {
  return Array.from({ length: n }, (_, i) => row(`${prefix}${from + i}`));
}
