import { describe, expect, it } from 'vitest';
import { formatIdentifier as engineFormat, parseOrderBy } from '../../electron/engine/index/filter-parser.ts';
import type { RunRow } from '../../preload/api.ts';
import {
  cellValue,
  columnKey,
  defaultColumns,
  formatIdentifier,
  isSortable,
  nextSort,
  orderByFor,
  parseColumnKey,
  quoteValue,
} from '../../renderer/src/core/column-keys.ts';

const KEYS = ['r2_score', 'train/loss', 'a b', 'back`tick', 'ünïcødé', 'with:colon', '.leading', 'trailing.', 'mlflow.source.name', 'x-y', '', 'quote\'s', 'dbl"q'];

describe('column keys', () => {
  it('round-trips canonical keys, keeping everything after the first dot', () => {
    expect(parseColumnKey('metrics.train/loss')).toEqual({ kind: 'metric', key: 'train/loss' });
    expect(parseColumnKey('tags.mlflow.source.name')).toEqual({ kind: 'tag', key: 'mlflow.source.name' });
    expect(parseColumnKey('attributes.duration')).toEqual({ kind: 'attribute', key: 'duration' });
    expect(parseColumnKey('attributes.nope')).toBeNull();
    expect(parseColumnKey('foo.bar')).toBeNull();
    expect(parseColumnKey('metrics.')).toBeNull();
    expect(columnKey({ kind: 'param', key: 'a b' })).toBe('params.a b');
  });

  it('quotes identifiers exactly like the engine does', () => {
    for (const kind of ['metric', 'param', 'tag'] as const) {
      for (const key of KEYS) expect(formatIdentifier(kind, key)).toBe(engineFormat(kind, key));
    }
  });

  it('produces orderBy text the engine parses back to the same column', () => {
    for (const key of KEYS.filter((k) => k !== '')) {
      const text = orderByFor({ key: `metrics.${key}`, desc: true });
      expect(text).not.toBeNull();
      expect(parseOrderBy(text as string, 0)).toEqual({ entity: 'metric', key, desc: true });
    }
    expect(parseOrderBy(orderByFor({ key: 'attributes.start_time', desc: false }) as string, 0)).toEqual({
      entity: 'attribute',
      key: 'start_time',
      desc: false,
    });
    expect(parseOrderBy(orderByFor({ key: 'attributes.source', desc: false }) as string, 0)).toEqual({
      entity: 'tag',
      key: 'mlflow.source.name',
      desc: false,
    });
  });

  it('knows duration cannot be sorted by the index', () => {
    expect(isSortable('attributes.duration')).toBe(false);
    expect(isSortable('attributes.run_name')).toBe(true);
  });

  it('starts numbers descending and names ascending, then toggles', () => {
    expect(nextSort(null, 'metrics.r2_score')).toEqual({ key: 'metrics.r2_score', desc: true });
    expect(nextSort({ key: 'metrics.r2_score', desc: true }, 'metrics.r2_score')).toEqual({ key: 'metrics.r2_score', desc: false });
    expect(nextSort({ key: 'metrics.r2_score', desc: true }, 'params.max_depth')).toEqual({ key: 'params.max_depth', desc: false });
  });

  it('quotes values with escapes the filter parser understands', () => {
    expect(quoteValue("it's")).toBe("'it\\'s'");
    expect(quoteValue('a\\b')).toBe("'a\\\\b'");
  });

  it('reads cells from a row', () => {
    const row: RunRow = {
      storeId: 's',
      runId: 'r1',
      experimentId: '0',
      runName: 'brave-owl',
      status: 'RUNNING',
      startTime: 1000,
      endTime: null,
      userId: 'alice',
      lifecycleStage: 'active',
      artifactUri: '',
      parentRunId: null,
      params: { lr: '0.1' },
      metrics: { loss: { value: Number.NaN, step: 3, timestamp: 5 } },
      tags: { 'mlflow.source.name': '/home/alice/train.py' },
    };
    expect(cellValue(row, 'params.lr', 0)).toEqual({ type: 'text', text: '0.1' });
    expect(cellValue(row, 'params.missing', 0)).toEqual({ type: 'none' });
    const m = cellValue(row, 'metrics.loss', 0);
    expect(m.type === 'number' && Number.isNaN(m.value)).toBe(true);
    expect(cellValue(row, 'attributes.duration', 4000)).toEqual({ type: 'duration', ms: 3000, running: true });
    expect(cellValue(row, 'attributes.source', 0)).toEqual({ type: 'text', text: '/home/alice/train.py' });
    expect(cellValue({ ...row, status: 'KILLED' }, 'attributes.duration', 4000)).toEqual({ type: 'none' });
  });

  it('defaults to the main attributes, capped metrics and params, then user and source', () => {
    const cols = defaultColumns({ params: ['a', 'b', 'c'], metrics: ['m'] }, 2);
    expect(cols).toEqual([
      'attributes.run_name',
      'attributes.status',
      'attributes.start_time',
      'attributes.duration',
      'metrics.m',
      'params.a',
      'params.b',
      'attributes.user_id',
      'attributes.source',
    ]);
  });
});
