// The JSON kept in registry tags: audit trail trimming under MLflow's tag size limit, tolerant
// parsing of foreign values, request encoding, and Python-compatible json.dumps.
import { describe, expect, it } from 'vitest';
import { appendModelVersion, parseAudit, parseReview, pyJsonDumps } from '../../electron/engine/registry/index.ts';
import { appendAudit, encodeReview } from '../../electron/engine/registry/review.ts';
import type { AuditEntry, TransitionRequest } from '../../electron/engine/registry/types.ts';

const entry = (i: number, comment = ''): AuditEntry => ({ at: i, user: 'u', action: 'transition', from: 'None', to: 'Staging', ...(comment ? { comment } : {}) });

describe('audit trail', () => {
  it('appends, and past the limit keeps the newest entries and counts the dropped ones', () => {
    let v: string | undefined;
    for (let i = 0; i < 500; i++) v = appendAudit(v, [entry(i)], 5_000);
    const log = parseAudit(v);
    expect((v as string).length).toBeLessThanOrEqual(5_000);
    expect(log.entries.at(-1)?.at).toBe(499);
    expect(log.omitted + log.entries.length).toBe(500);
    expect(log.entries.map((e) => e.at)).toEqual(Array.from({ length: log.entries.length }, (_, k) => 500 - log.entries.length + k));
    // MLflow's registry limit holds with long comments too.
    let big: string | undefined;
    for (let i = 0; i < 60; i++) big = appendAudit(big, [entry(i, 'x'.repeat(4_000))], 100_000);
    expect((big as string).length).toBeLessThanOrEqual(100_000);
    expect(parseAudit(big).entries.at(-1)?.at).toBe(59);
    // A single oversized entry is shortened, never dropped.
    const huge = appendAudit(undefined, [entry(1, 'y'.repeat(200_000))], 100_000);
    expect(huge.length).toBeLessThanOrEqual(100_000);
    expect(parseAudit(huge).entries).toHaveLength(1);
  });

  it('reads foreign or broken values as empty instead of failing', () => {
    for (const bad of [undefined, '', 'not json', '[1,2]', '{"entries": "x"}']) expect(parseAudit(bad)).toEqual({ entries: [], omitted: 0 });
    expect(parseAudit('{"entries":[{"at":1,"user":"a","action":"x"},{"junk":true}]}').entries).toEqual([{ at: 1, user: 'a', action: 'x' }]);
  });
});

describe('review requests', () => {
  it('drops the oldest decided requests first and always keeps pending ones', () => {
    const req = (id: number, status: TransitionRequest['status']): TransitionRequest => ({
      id,
      stage: 'Production',
      archiveExisting: false,
      requestedBy: 'a',
      requestedAt: id,
      comment: 'c'.repeat(300),
      status,
      decidedBy: status === 'pending' ? null : 'b',
      decidedAt: status === 'pending' ? null : id,
      decisionComment: null,
    });
    const requests = [req(1, 'pending'), ...Array.from({ length: 20 }, (_, i) => req(i + 2, 'rejected')), req(22, 'pending')];
    const state = parseReview(encodeReview({ requests, omitted: 0 }, 3_000));
    expect(state.requests.map((r) => r.id)).toContain(1);
    expect(state.requests.map((r) => r.id)).toContain(22);
    expect(state.omitted).toBe(22 - state.requests.length);
    expect(state.requests.filter((r) => r.status === 'rejected').at(-1)?.id).toBe(21);
  });
});

describe('Python json.dumps', () => {
  it('matches what MLflow wrote into mlflow.modelVersions', () => {
    expect(pyJsonDumps([{ name: 'Modèle spécial ✨', version: 1 }])).toBe('[{"name": "Mod\\u00e8le sp\\u00e9cial \\u2728", "version": 1}]');
    expect(pyJsonDumps({ a: 'q"\\\n\u007f🚀', b: [true, null, 1.5] })).toBe('{"a": "q\\"\\\\\\n\\u007f\\ud83d\\ude80", "b": [true, null, 1.5]}');
    expect(appendModelVersion('[{"name": "a", "version": 1}]', 'b', 2)).toBe('[{"name": "a", "version": 1}, {"name": "b", "version": 2}]');
    expect(appendModelVersion(null, 'b', 2)).toBe('[{"name": "b", "version": 2}]');
    // Not a list: left alone rather than overwritten.
    expect(appendModelVersion('{"x": 1}', 'b', 2)).toBeNull();
  });
});
