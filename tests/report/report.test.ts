// The report model and its renderers, on the real fixture stores: CSV round-trips every value
// MLflow reported, Markdown links resolve to files written beside it, HTML escapes every store
// string and carries a manifest whose hash can be recomputed, writes are atomic and refuse to
// overwrite.
import { parse } from 'csv-parse/sync';
import { appendFile, chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportDocument, dataHash } from '../../electron/engine/backend/report/document.ts';
import { pickBestRun } from '../../electron/engine/backend/report/best-run.ts';
import { renderReport, writeReportFiles } from '../../electron/engine/backend/report/export.ts';
import { pythonFloat, renderCsv } from '../../electron/engine/backend/report/render-csv.ts';
import { renderHtml } from '../../electron/engine/backend/report/render-html.ts';
import { renderMarkdown } from '../../electron/engine/backend/report/render-markdown.ts';
import type { ReportRun } from '../../electron/engine/backend/report/types.ts';
import { Engine } from '../../electron/engine/engine.ts';
import { copyFixture, fixturePath, tempDir } from '../helpers/fixtures.ts';

type Expected = { experiments: { experiment_id: string; runs: { run_id: string; run_name: string; lifecycle_stage: string; params: Record<string, string>; metrics: Record<string, number | string>; metric_history: Record<string, [number, number, number | string][]> }[] }[] };

async function expectedRuns(name: 'seed-rf' | 'kitchen-sink' | 'kitchen-sink-sqlite'): Promise<Expected['experiments'][number]['runs']> {
  const e = JSON.parse(await readFile(path.join(fixturePath(name), 'expected-runs.json'), 'utf8')) as Expected;
  return e.experiments.flatMap((x) => x.runs);
}

/** A CSV cell back to a number, the way Python's float() reads MLflow's spelling. */
function fromCsv(s: string): number {
  if (s === 'nan') return NaN;
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}
function fromExpected(v: number | string): number {
  return v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number);
}

describe('CSV numbers', () => {
  it('are spelled as the MLflow file store spells them (Python float repr), zero included', () => {
    const values = [0, -0, 'NaN', Number.NaN, Infinity, '-Infinity', 1e-5, 1e-4, 1e16, 0.5, 3, -2.5e-7] as const;
    expect(values.map(pythonFloat)).toEqual(['0.0', '-0.0', 'nan', 'nan', 'inf', '-inf', '1e-05', '0.0001', '1e+16', '0.5', '3.0', '-2.5e-07']);
  });
});

describe.each(['kitchen-sink', 'kitchen-sink-sqlite'] as const)('CSV of %s', (fixture) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ watch: false });
    await engine.openProject(fixturePath(fixture));
  });
  afterAll(() => engine.dispose());

  it('round-trips every param and latest metric MLflow reports, exactly (nan/inf, -0.0, unicode keys)', async () => {
    const doc = await buildReportDocument(engine, { maxResults: 10_000, sections: ['summary'] }, { version: 'test' });
    const rows = parse(renderCsv(doc), { columns: true, relax_quotes: false }) as Record<string, string>[];
    const expected = (await expectedRuns(fixture)).filter((r) => r.lifecycle_stage === 'active');
    const inStore = new Set(doc.runs.map((r) => r.runId));
    const wanted = expected.filter((r) => inStore.has(r.run_id));
    expect(wanted.length).toBe(doc.runs.length);
    expect(rows.length).toBe(doc.runs.length);
    let compared = 0;
    for (const exp of wanted) {
      const row = rows.find((r) => r.run_id === exp.run_id);
      expect(row, exp.run_id).toBeDefined();
      if (!row) continue;
      expect(row.run_name).toBe(exp.run_name);
      for (const [k, v] of Object.entries(exp.params)) expect(row[`params.${k}`], `${exp.run_name} params.${k}`).toBe(v);
      for (const [k, v] of Object.entries(exp.metrics)) {
        const got = fromCsv(row[`metrics.${k}`] as string);
        expect(Object.is(got, fromExpected(v)) || (Number.isNaN(got) && Number.isNaN(fromExpected(v))), `${exp.run_name} metrics.${k}: ${row[`metrics.${k}`]} vs ${v}`).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
    // The zoo's corners are in there: a non-finite value and a non-ASCII key.
    const header = Object.keys(rows[0] ?? {});
    expect(header.some((h) => [...h].some((c) => c.charCodeAt(0) > 127))).toBe(true);
    expect(rows.some((r) => Object.values(r).some((v) => v === 'nan' || v === 'inf' || v === '-inf'))).toBe(true);
  });

  it('writes the metric histories in long form, every point', async () => {
    const exp = (await expectedRuns(fixture)).find((r) => r.run_name === 'metrics-zoo');
    expect(exp).toBeDefined();
    if (!exp) return;
    const doc = await buildReportDocument(engine, { runIds: [exp.run_id], metricHistory: true, sections: ['summary'] }, { version: 'test' });
    const rows = parse(renderCsv(doc), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(['run_id', 'key', 'step', 'timestamp', 'value']);
    for (const [key, points] of Object.entries(exp.metric_history)) {
      const got = rows
        .filter((r) => r.key === key)
        .map((r) => [Number(r.step), Number(r.timestamp), fromCsv(r.value as string)])
        .sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number) || String(a[2]).localeCompare(String(b[2])));
      const want = points.map(([s, t, v]) => [s, t, fromExpected(v)]).sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number) || String(a[2]).localeCompare(String(b[2])));
      expect(got, key).toEqual(want);
    }
  });
});

describe('seed-rf report', () => {
  let engine: Engine;
  let copy: { dir: string; cleanup: () => Promise<void> };
  let xssRun: string;
  const XSS = '<img src=x onerror=alert(1)>';
  beforeAll(async () => {
    copy = await copyFixture('seed-rf');
    const runs = await expectedRuns('seed-rf');
    xssRun = (runs[0] as { run_id: string }).run_id;
    const exps = await readdir(path.join(copy.dir, 'mlruns'));
    for (const e of exps) {
      const runDir = path.join(copy.dir, 'mlruns', e, xssRun);
      if ((await stat(runDir).catch(() => null))?.isDirectory()) await writeFile(path.join(runDir, 'params', 'note'), XSS);
    }
    engine = await Engine.create({ watch: false });
    await engine.openProject(copy.dir);
  });
  afterAll(async () => {
    await engine.dispose();
    await copy.cleanup();
  });

  it('escapes every store string in the HTML and embeds a manifest whose hash checks out', async () => {
    const runs = await expectedRuns('seed-rf');
    const ids = runs.slice(0, 4).map((r) => r.run_id);
    const doc = await buildReportDocument(engine, { runIds: ids, title: 'A <b>title</b>', notes: '</script><script>alert(2)</script>', best: { metric: 'r2_score', direction: 'max' } }, { version: 'test' });
    const html = renderHtml(doc);
    // Booleans, not toContain: a failure must not print five megabytes of plotly.
    expect(html.includes(XSS)).toBe(false);
    expect(html.includes('&lt;img src=x onerror=alert(1)&gt;')).toBe(true);
    expect(html.includes('<script>alert(2)')).toBe(false);
    // The markup outside the scripts (plotly's own source mentions plotly.com) links nowhere.
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '');
    expect(/(src|href)=["']?(https?:|\/\/)/.test(markup)).toBe(false);
    expect(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+' 'sha256-[^']+'; style-src 'unsafe-inline'; img-src data: blob:;/.test(html)).toBe(true);
    const manifest = JSON.parse(/<script type="application\/json" id="runsight-manifest">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null') as { runIds: string[]; dataSha256: string };
    expect(manifest.runIds).toEqual(ids);
    expect(manifest.dataSha256).toBe(dataHash(doc.runs));
    expect(doc.params.differing).toContain('note');
    expect(doc.charts.map((c) => c.kind)).toEqual(['parcoords', 'scatter', 'curves']);
  });

  it('states runs that vanished between selection and export', async () => {
    const doc = await buildReportDocument(engine, { runIds: [xssRun, 'deadbeef'] }, { version: 'test' });
    expect(doc.runs.map((r) => r.runId)).toEqual([xssRun]);
    expect(doc.manifest.missingRunIds).toEqual(['deadbeef']);
    expect(doc.warnings.join('\n')).toContain('deadbeef');
  });

  it('Markdown: every link resolves to a file written beside it; no raw HTML', async () => {
    const out = await tempDir('runsight-md-');
    try {
      const doc = await buildReportDocument(engine, { best: { metric: 'mse', direction: 'min' } }, { version: 'test' });
      const file = path.join(out.dir, 'pr-comment.md');
      const files = await renderReport(doc, 'md', { fileName: file });
      await writeReportFiles(file, files);
      const md = await readFile(file, 'utf8');
      const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => decodeURIComponent(m[1] as string));
      expect(links.length).toBeGreaterThanOrEqual(12); // 16 runs' scatter_plot.png (12 shown) + charts
      for (const l of links) {
        expect(l.startsWith('pr-comment-assets/')).toBe(true);
        expect((await stat(path.join(out.dir, l))).size).toBeGreaterThan(100);
      }
      expect(md).not.toMatch(/<[a-z/!]/i);
      expect(md).toContain('best of 16 runs by');
    } finally {
      await out.cleanup();
    }
  });

  it('refuses an existing file, replaces it with force, and leaves nothing behind on a failed write', async () => {
    const out = await tempDir('runsight-write-');
    try {
      const doc = await buildReportDocument(engine, { sections: ['summary'] }, { version: 'test' });
      const files = await renderReport(doc, 'csv');
      const file = path.join(out.dir, 'r.csv');
      await writeFile(file, 'keep me');
      await expect(writeReportFiles(file, files)).rejects.toThrow(/already exists/);
      expect(await readFile(file, 'utf8')).toBe('keep me');
      await writeReportFiles(file, files, { force: true });
      expect((await readFile(file, 'utf8')).startsWith('run_id,')).toBe(true);
      const locked = path.join(out.dir, 'locked');
      await mkdir(locked);
      await chmod(locked, 0o500);
      if (process.getuid?.() !== 0) {
        await expect(writeReportFiles(path.join(locked, 'r.csv'), files)).rejects.toThrow(/permission denied\. Nothing was written/);
      }
      await expect(writeReportFiles(path.join(out.dir, 'no-such-dir', 'r.csv'), files)).rejects.toThrow(/folder does not exist\. Nothing was written/);
      expect((await readdir(out.dir)).sort()).toEqual(['locked', 'r.csv']);
      await appendFile(file, '');
    } finally {
      await out.cleanup();
    }
  });

  it('puts thumbnails of the shared image path in, downscaled, and reports a fake image instead of embedding it', async () => {
    const runs = await expectedRuns('seed-rf');
    const fake = runs[1]?.run_id as string;
    for (const e of await readdir(path.join(copy.dir, 'mlruns'))) {
      const art = path.join(copy.dir, 'mlruns', e, fake, 'artifacts');
      if ((await stat(art).catch(() => null))?.isDirectory()) await writeFile(path.join(art, 'scatter_plot.png'), 'this is not a png');
    }
    const doc = await buildReportDocument(engine, { runIds: runs.slice(0, 3).map((r) => r.run_id) }, { version: 'test' });
    const group = doc.images.find((g) => g.path === 'scatter_plot.png');
    expect(group?.runs.length).toBe(3);
    const bad = group?.runs.find((r) => r.runId === fake);
    expect(bad?.dataUrl).toBeNull();
    expect(bad?.problem).toMatch(/not a readable image/);
    for (const r of group?.runs.filter((x) => x.runId !== fake) ?? []) {
      expect(r.dataUrl).toMatch(/^data:image\/(png|jpeg);base64,/);
      expect(Math.max(r.width ?? 0, r.height ?? 0)).toBeLessThanOrEqual(360);
    }
    expect(doc.warnings.join('\n')).toMatch(/scatter_plot\.png: not a readable image/);
  });
});

function run(id: string, value: number | 'NaN' | null, endTime: number | null, name = id): ReportRun {
  return {
    runId: id,
    runName: name,
    experimentId: '1',
    experimentName: 'e',
    status: 'FINISHED',
    startTime: 0,
    endTime,
    durationMs: null,
    userId: 'u',
    params: {},
    metrics: value === null ? {} : { acc: { value, step: 0, timestamp: 0 } },
  };
}

describe('best run', () => {
  it('picks by direction, lists missing and non-finite runs, and explains itself', () => {
    const b = pickBestRun([run('a', 0.9688, 5, 'gbm-lr0.1-d2'), run('b', 0.9722, 9, 'gbm-lr0.05-d3'), run('c', null, 1), run('d', 'NaN', 1)], 'acc', 'max');
    expect(b.winner?.runId).toBe('b');
    expect(b.runnerUp?.runId).toBe('a');
    expect(b.runnerUp?.gap).toBeCloseTo(-0.0034, 10);
    expect(b.missing.map((m) => m.runId)).toEqual(['c']);
    expect(b.nonFinite.map((m) => m.runId)).toEqual(['d']);
    expect(b.considered).toBe(2);
    expect(b.rationale).toBe('best of 4 runs by `acc` (max): 0.9722 (`gbm-lr0.05-d3`); runner-up `gbm-lr0.1-d2` 0.9688, −0.0034; 1 run lacks the metric; 1 run has a non-finite value (not compared)');
    expect(pickBestRun([run('a', 0.2, 1), run('b', 0.1, 2)], 'acc', 'min').winner?.runId).toBe('b');
  });

  it('breaks ties by the earlier end time, then the run id', () => {
    const b = pickBestRun([run('z', 1, 10), run('y', 1, 3), run('x', 1, 3)], 'acc', 'max');
    expect(b.winner?.runId).toBe('x');
    expect(b.tiedWith).toEqual(['y', 'z']);
    expect(b.runnerUp?.gap).toBe(0);
    expect(b.rationale).toContain('tied with 2 other runs');
  });
});

describe('Markdown escaping', () => {
  it('neutralises pipes, HTML and Markdown in store strings', async () => {
    const engine = await Engine.create({ watch: false });
    try {
      await engine.openProject(fixturePath('seed-rf'));
      const doc = await buildReportDocument(engine, { title: 'a | b <script>', notes: '*bold* [x](http://e)', sections: ['summary'] }, { version: 'test' });
      const { markdown } = renderMarkdown(doc, 'a-assets');
      expect(markdown).toContain('# a \\| b &lt;script&gt;');
      expect(markdown).toContain('\\*bold\\* \\[x\\]\\(http://e\\)');
      // A 5000-character param is cut in the Markdown cell (GitHub comments stop at 65,536).
      const ks = await Engine.create({ watch: false });
      try {
        await ks.openProject(fixturePath('kitchen-sink'));
        const big = await buildReportDocument(ks, { sections: ['summary'] }, { version: 'test' });
        const md = renderMarkdown(big, 'a-assets').markdown;
        expect(md).toMatch(/… \(5000 chars\)/);
        expect(md).toContain('the HTML and CSV reports hold them whole');
      } finally {
        await ks.dispose();
      }
    } finally {
      await engine.dispose();
    }
  });
});
