// `runsight report` as a child process, the way a CI job runs it: formats, exit codes, refusal to
// overwrite, and the backend's export service (browser-mode download, Markdown as a zip, cancel).
import { spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportService } from '../../electron/engine/backend/report/service.ts';
import { Engine } from '../../electron/engine/engine.ts';
import { fixturePath, repoRoot, tempDir } from '../helpers/fixtures.ts';

const cli = path.join(repoRoot, 'electron/cli/main.ts');
function runsight(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('runsight report', () => {
  let out: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    out = await tempDir('runsight-report-cli-');
  });
  afterAll(() => out.cleanup());

  it('writes CSV for a filter and says what it wrote as JSON', async () => {
    const file = path.join(out.dir, 'deep.csv');
    const r = runsight('report', fixturePath('seed-rf'), '--filter', "params.max_depth = '10' OR params.max_depth = 'None'", '--best', 'mse', '--min', '--format', 'csv', '--out', file, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { path: string; runs: number; best: { winner: { runId: string } }; manifest: { query: { filter: string } } };
    expect(j.path).toBe(file);
    expect(j.runs).toBe(8);
    expect(j.manifest.query.filter).toContain('OR');
    const csv = await readFile(file, 'utf8');
    expect(csv.split('\n').filter(Boolean)).toHaveLength(9);
    expect(csv).toContain(j.best.winner.runId);
  });

  it('refuses an existing --out without --force (exit 2) and keeps the file', async () => {
    const file = path.join(out.dir, 'exists.html');
    await writeFile(file, 'mine');
    const r = runsight('report', fixturePath('seed-rf'), '--format', 'html', '--out', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/already exists \(use --force/);
    expect(await readFile(file, 'utf8')).toBe('mine');
  });

  it('exit 2 for a filter that does not parse, with its position', () => {
    const r = runsight('report', fixturePath('seed-rf'), '--filter', 'metrics.mse >', '--format', 'csv', '--out', path.join(out.dir, 'x.csv'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--filter: .* at \d+/);
  });

  it('exit 3 for a metric nobody logged, listing the ones that exist; nothing written', async () => {
    const r = runsight('report', fixturePath('seed-rf'), '--best', 'val_auc', '--max', '--format', 'csv', '--out', path.join(out.dir, 'none.csv'));
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('mse, r2_score');
    expect(await readdir(out.dir)).not.toContain('none.csv');
  });

  it('exit 3 for runs that do not exist, exit 4 for a folder without a store', async () => {
    expect(runsight('report', fixturePath('seed-rf'), '--runs', 'nope', '--format', 'csv', '--out', path.join(out.dir, 'a.csv')).status).toBe(3);
    const r = runsight('report', out.dir, '--format', 'csv', '--out', path.join(out.dir, 'b.csv'));
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/no MLflow store/);
  });

  it('--help documents the options and exit codes', () => {
    const r = runsight('report', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--format FORMAT/);
    expect(r.stdout).toMatch(/Exit codes: 0 written/);
  });
});

describe('export service (browser mode: the report comes back as a download)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create({ watch: false });
    await engine.openProject(fixturePath('seed-rf'));
  });
  afterAll(() => engine.dispose());

  const progress: string[] = [];
  const service = () => createReportService(engine, { version: 'test', user: async () => 'ci', progress: (p) => progress.push(p.phase) });

  it('returns the file as base64 with its name, and Markdown with its PNGs as one zip', async () => {
    const csv = await service().export({ request: { title: 'Sweep: depth × trees' }, format: 'csv', jobId: 'j1' });
    expect(csv.saved).toBe(true);
    expect(csv.path).toBeNull();
    expect(csv.fileName).toBe('sweep-depth-trees.csv');
    expect(Buffer.from(csv.data ?? '', 'base64').toString('utf8').startsWith('run_id,run_name')).toBe(true);
    expect(progress).toContain('runs');
    const md = await service().export({ request: { sections: ['summary', 'images'] }, format: 'md' });
    expect(md.mime).toBe('application/zip');
    const files = unzipSync(Buffer.from(md.data ?? '', 'base64'));
    const mdName = Object.keys(files).find((f) => f.endsWith('.md')) as string;
    const text = Buffer.from(files[mdName] as Uint8Array).toString('utf8');
    const links = [...text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => decodeURIComponent(m[1] as string));
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect(files[l]?.length ?? 0).toBeGreaterThan(100);
  });

  it('cancel stops a running export', async () => {
    const s = service();
    const p = s.export({ request: {}, format: 'html', jobId: 'slow' });
    expect(s.cancel('slow')).toEqual({ cancelled: true });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(s.cancel('slow')).toEqual({ cancelled: false });
  });
});
