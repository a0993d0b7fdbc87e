// Bad input never throws out of the file-store reader: each problem becomes one diagnostic that
// says what was skipped, and everything else is still read. The corpus is generated here, in a
// temp dir, on top of a small well-formed store.
import { chmod, mkdir, open, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStoreReader } from '../../electron/engine/stores/mlflow-file/index.ts';
import { diagLines, EXP_ID, fastTempDir, fileStoreInfo, writeExperiment, writeRun } from '../helpers/file-store.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function newStore(): Promise<string> {
  const t = await fastTempDir('runsight-file-bad-');
  cleanups.push(async () => {
    // A chmod-000 folder left behind would make the cleanup fail for a non-root user.
    await chmod(path.join(t.dir, 'mlruns', EXP_ID, 'r-denied'.padEnd(32, '0'), 'params'), 0o755).catch(() => {});
    await t.cleanup();
  });
  const root = path.join(t.dir, 'mlruns');
  await writeExperiment(root, EXP_ID, 'main');
  return root;
}

const id = (label: string) => label.padEnd(32, '0');
const OLD = new Date('2020-01-01T00:00:00Z');

/** Whether this process can read a chmod-000 file (root can: then EACCES cannot be produced). */
async function readsThroughChmod000(dir: string): Promise<boolean> {
  const probe = path.join(dir, 'probe');
  await writeFile(probe, 'x');
  await chmod(probe, 0o000);
  const ok = await readFile(probe).then(
    () => true,
    () => false,
  );
  await chmod(probe, 0o644);
  return ok;
}

describe('file store: bad inputs', () => {
  it('skips what is broken, reports it once, and reads the rest', async () => {
    const root = await newStore();
    const exp = path.join(root, EXP_ID);
    await writeRun(root, EXP_ID, id('good'), {
      name: 'good',
      params: { lr: '0.1', 'opt/beta': '0.9' },
      tags: { team: 'a' },
      metrics: { loss: '1 0.5 0\n2 0.25 1\n', 'train/acc': '1 0.9 3\n' },
    });

    // meta.yaml problems: the run is skipped (MLflow skips it too).
    const truncated = await writeRun(root, EXP_ID, id('truncated'));
    const full = await readFile(path.join(truncated, 'meta.yaml'), 'utf8');
    await writeFile(path.join(truncated, 'meta.yaml'), `${full.slice(0, full.indexOf('run_id'))}run_name: 'half`);
    const notMap = await writeRun(root, EXP_ID, id('notmap'));
    await writeFile(path.join(notMap, 'meta.yaml'), '- a\n- b\n');
    const emptyMeta = await writeRun(root, EXP_ID, id('emptymeta'));
    await writeFile(path.join(emptyMeta, 'meta.yaml'), '');
    await mkdir(path.join(exp, id('nometa'), 'params'), { recursive: true });
    const wrongExp = await writeRun(root, EXP_ID, id('wrongexp'));
    await writeFile(path.join(wrongExp, 'meta.yaml'), full.replace(`experiment_id: '${EXP_ID}'`, "experiment_id: '42'"));

    // Metric files: bad lines skipped, good ones kept.
    await writeRun(root, EXP_ID, id('garbage'), {
      metrics: { loss: '1 0.5 0\ngarbage\n2 0.4 1\n1 x 3\n1 2 3 4\n\n3 0.3 2\n' },
    });
    const half = await writeRun(root, EXP_ID, id('halfline'), { metrics: { loss: '1 0.5 0\n2 0.4 1\n3 0.' } });
    const stale = await writeRun(root, EXP_ID, id('staletail'), { metrics: { loss: '1 0.5 0\n2 0.4 1', junk: '1 0.5 0\nzzz' } });
    await utimes(path.join(stale, 'metrics', 'loss'), OLD, OLD);
    await utimes(path.join(stale, 'metrics', 'junk'), OLD, OLD);

    // Empty files: an empty param or tag is a legal empty value; an empty metric file is not.
    await writeRun(root, EXP_ID, id('emptyfiles'), { params: { blank: '' }, tags: { blank: '' }, metrics: { none: '' } });
    // Missing folders (no params/, metrics/, tags/): normal, nothing to report.
    const bare = path.join(exp, id('bare'));
    await mkdir(bare);
    await writeFile(path.join(bare, 'meta.yaml'), full.replace(`run_id: ${id('truncated')}`, `run_id: ${id('bare')}`));

    // Symlinks: a self loop, a link to an ancestor folder (never followed), a dangling link.
    const links = await writeRun(root, EXP_ID, id('symlinks'), { params: { ok: '1' } });
    await mkdir(path.join(links, 'metrics'));
    await symlink('loop', path.join(links, 'metrics', 'loop'));
    await symlink('..', path.join(links, 'tags', 'up'));
    await symlink(path.join(links, 'nowhere'), path.join(links, 'params', 'dangling'));

    // A folder where meta.yaml should be a file.
    const dirMeta = path.join(exp, id('dirmeta'));
    await mkdir(path.join(dirMeta, 'meta.yaml'), { recursive: true });

    // A file name that is not UTF-8 (Buffer path): skipped, its siblings read.
    const names = await writeRun(root, EXP_ID, id('badname'), { params: { fine: 'yes' } });
    writeFileSync(Buffer.concat([Buffer.from(path.join(names, 'params') + path.sep), Buffer.from([0x66, 0xff, 0xfe])]), 'v');

    // Experiments: a folder whose recorded id differs, one with an invalid meta.yaml.
    await writeExperiment(root, '555', 'mismatch');
    await writeFile(path.join(root, '555', 'meta.yaml'), (await readFile(path.join(root, '555', 'meta.yaml'), 'utf8')).replace("'555'", "'556'"));
    await writeRun(root, '555', id('inmismatch'));
    await mkdir(path.join(root, '777'));
    await writeFile(path.join(root, '777', 'meta.yaml'), 'name: [unclosed\n');

    const reader = createFileStoreReader(fileStoreInfo(root));
    const snap = await reader.load();
    const runs = new Map(snap.runs.map((r) => [r.runId.replace(/0+$/, ''), r]));

    expect([...runs.keys()].sort()).toEqual(['badname', 'bare', 'emptyfiles', 'garbage', 'good', 'halfline', 'staletail', 'symlinks']);
    expect(snap.experiments.map((e) => e.experimentId)).toEqual([EXP_ID]);

    const good = runs.get('good')!;
    expect(good.params).toEqual({ lr: '0.1', 'opt/beta': '0.9' });
    expect(good.metrics.loss?.value).toBe(0.25);
    expect(good.metrics['train/acc']?.step).toBe(3);
    expect(runs.get('garbage')!.metrics.loss).toMatchObject({ step: 2, value: 0.3 });
    // The unfinished line is held back (a writer is mid-line)...
    expect(runs.get('halfline')!.metrics.loss).toMatchObject({ step: 1, value: 0.4 });
    // ...unless the file has not changed for a while: then it is read, as MLflow reads it.
    expect(runs.get('staletail')!.metrics.loss).toMatchObject({ step: 1, value: 0.4, timestamp: 2 });
    expect(runs.get('staletail')!.metrics.junk).toMatchObject({ value: 0.5 });
    expect(runs.get('emptyfiles')!.params).toEqual({ blank: '' });
    expect(runs.get('emptyfiles')!.tags.blank).toBe('');
    expect(runs.get('emptyfiles')!.metrics).toEqual({});
    expect(runs.get('bare')!).toMatchObject({ params: {}, metrics: {}, tags: {}, runName: 'run' });
    expect(runs.get('symlinks')!.params).toEqual({ ok: '1' });
    expect(runs.get('badname')!.params).toEqual({ fine: 'yes' });
    expect(half).toContain(id('halfline'));

    const lines = diagLines(root, snap.diagnostics);
    const rel = (label: string, p: string) => path.join(EXP_ID, id(label), p);
    expect(lines.filter((l) => !l.includes('invalid YAML'))).toEqual([
      `${rel('badname', 'params/f\ufffd\ufffd')}: file name is not valid UTF-8 (skipped)`,
      `${rel('dirmeta', 'meta.yaml')}: is a folder where a file is expected (run skipped)`,
      `${rel('emptyfiles', 'metrics/none')}: metrics/none: empty metric file (metric skipped)`,
      `${rel('emptymeta', 'meta.yaml')}: empty file (run skipped)`,
      `${rel('garbage', 'metrics/loss')}: metrics/loss line 2: expected "<timestamp> <value> <step>", got "garbage" (line skipped; 4 bad lines in this file)`,
      `${rel('nometa', 'meta.yaml')}: no meta.yaml: folder skipped (not a run; MLflow ignores it too)`,
      `${rel('notmap', 'meta.yaml')}: not a YAML mapping (run skipped)`,
      `${rel('staletail', 'metrics/junk')}: metrics/junk line 2: expected "<timestamp> <value> <step>", got "zzz" (unfinished last line skipped)`,
      `${rel('symlinks', 'metrics/loop')}: metrics/loop: symbolic link loop (metric skipped)`,
      `${rel('symlinks', 'params/dangling')}: dangling symbolic link (param "dangling" skipped)`,
      `${rel('symlinks', 'tags/up')}: symbolic link to a folder (not followed) (tag "up" skipped)`,
      `${rel('wrongexp', 'meta.yaml')}: experiment_id "42" does not match the experiment folder "${EXP_ID}" (run skipped, as MLflow does)`,
      `555/meta.yaml: experiment_id "556" does not match the folder name "555" (experiment skipped, as MLflow does)`,
    ]);
    expect(lines.filter((l) => l.includes('invalid YAML'))).toEqual([
      expect.stringMatching(new RegExp(`^${rel('truncated', 'meta.yaml')}: invalid YAML \\(.+\\) \\(run skipped\\)$`)),
      expect.stringMatching(/^777\/meta\.yaml: invalid YAML \(.+\) \(experiment skipped with its runs\)$/),
    ]);
    expect(reader.diagnostics()).toEqual(snap.diagnostics);
    for (const d of snap.diagnostics) expect(d.store).toBe(root);
  });

  it('reports a folder it may not read (EACCES), or when running as root, a file that cannot be read', async () => {
    const root = await newStore();
    const dir = await writeRun(root, EXP_ID, id('r-denied'), { params: { a: '1' }, metrics: { m: '1 2 3\n' } });
    const privileged = await readsThroughChmod000(path.dirname(root));
    if (!privileged) {
      await chmod(path.join(dir, 'params'), 0o000);
      const snap = await createFileStoreReader(fileStoreInfo(root)).load();
      expect(diagLines(root, snap.diagnostics)).toEqual([
        `${path.join(EXP_ID, id('r-denied'), 'params')}: folder permission denied (skipped)`,
      ]);
      expect(snap.runs[0]!.metrics.m?.value).toBe(2);
      return;
    }
    // Root reads through chmod 000, so EACCES cannot be produced here. The same code path (a read
    // that fails with an errno, turned into a diagnostic while the rest is read) is exercised with
    // a metric "file" that is a folder symlink and a param that is a dangling symlink.
    await symlink(path.join(dir, 'params'), path.join(dir, 'metrics', 'notafile'));
    await symlink(path.join(dir, 'missing'), path.join(dir, 'params', 'gone'));
    const snap = await createFileStoreReader(fileStoreInfo(root)).load();
    expect(diagLines(root, snap.diagnostics)).toEqual([
      `${path.join(EXP_ID, id('r-denied'), 'metrics/notafile')}: metrics/notafile: symbolic link to a folder (not followed) (metric skipped)`,
      `${path.join(EXP_ID, id('r-denied'), 'params/gone')}: dangling symbolic link (param "gone" skipped)`,
    ]);
    expect(snap.runs[0]!.params).toEqual({ a: '1' });
    expect(snap.runs[0]!.metrics.m?.value).toBe(2);
  });

  it('streams a 50 MB metric file without holding it in memory', async () => {
    const root = await newStore();
    const dir = await writeRun(root, EXP_ID, id('big'), { metrics: { small: '1 1 1\n' } });
    const file = path.join(dir, 'metrics', 'loss');
    const lines = 1_400_000; // ~50 MB at ~36 bytes a line
    const peakStep = 700_123;
    const fh = await open(file, 'w');
    let chunk = '';
    for (let i = 0; i < lines; i++) {
      const step = i === peakStep ? 10_000_000 : i;
      chunk += `${1795697840000 + i} ${(i % 1000) / 1000 + 0.000123456789} ${step}\n`;
      if (chunk.length > 1 << 20) {
        await fh.write(chunk);
        chunk = '';
      }
    }
    await fh.write(chunk);
    await fh.close();
    expect((await stat(file)).size).toBeGreaterThan(50_000_000);

    const before = process.memoryUsage();
    let peakBuffers = 0;
    let peakHeap = 0;
    let sampling = true;
    const sample = () => {
      const m = process.memoryUsage();
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers - before.arrayBuffers);
      peakHeap = Math.max(peakHeap, m.heapUsed - before.heapUsed);
      if (sampling) setImmediate(sample);
    };
    setImmediate(sample);
    const reader = createFileStoreReader(fileStoreInfo(root));
    const snap = await reader.load();
    sampling = false;
    const run = snap.runs[0]!;
    expect(run.metrics.loss).toMatchObject({ step: 10_000_000, timestamp: 1795697840000 + peakStep });
    expect(run.metrics.small?.value).toBe(1);
    expect(snap.diagnostics).toEqual([]);
    // Streaming holds a 1 MB chunk at a time; reading the file whole would hold 50 MB, as a Buffer
    // (external memory) or as a string (heap). The heap bound leaves room for the test runner.
    expect(peakBuffers).toBeLessThan(16_000_000);
    expect(peakHeap).toBeLessThan(45_000_000);
  });

  it('indexes a metric file that is being appended to, without reporting half-written lines', async () => {
    const root = await newStore();
    const dir = await writeRun(root, EXP_ID, id('live'), { params: { p: '1' } });
    await mkdir(path.join(dir, 'metrics'), { recursive: true });
    const file = path.join(dir, 'metrics', 'loss');
    // Big enough that indexing it takes several event-loop turns, during which the writer appends.
    let body = '';
    for (let i = 0; i < 600_000; i++) body += `${1795697840000 + i} 0.5 ${i}\n`;
    await writeFile(file, body);
    let next = 600_000;
    let writing = true;
    let firstHalf = true;
    // Like a logger flushing a line in two writes: each event-loop turn appends half a line.
    const tick = () => {
      if (!writing) return;
      const line = `${1795697840000 + next} 0.25 ${next}\n`;
      if (firstHalf) appendFileSync(file, line.slice(0, 9));
      else {
        appendFileSync(file, line.slice(9));
        next++;
      }
      firstHalf = !firstHalf;
      setImmediate(tick);
    };
    setImmediate(tick);
    const reader = createFileStoreReader(fileStoreInfo(root));
    const snap = await reader.load();
    const appendedDuringLoad = next - 600_000;
    writing = false;
    if (!firstHalf) {
      appendFileSync(file, `${1795697840000 + next} 0.25 ${next}\n`.slice(9));
      next++;
    }
    expect(appendedDuringLoad).toBeGreaterThan(0);
    expect(snap.diagnostics).toEqual([]);
    const latest = snap.runs[0]!.metrics.loss!;
    // Whatever was complete when the reader got there: a valid point of the file, never a fragment.
    expect(latest.step).toBeGreaterThanOrEqual(599_999);
    expect(latest.step).toBeLessThan(next);
    expect(latest.value).toBe(latest.step >= 600_000 ? 0.25 : 0.5);
    expect(snap.runs[0]!.params).toEqual({ p: '1' });
    // A refresh then catches up with everything that was appended.
    const change = await reader.refresh([file]);
    expect(change.runs[0]!.metrics.loss).toMatchObject({ step: next - 1, value: 0.25 });
    expect(reader.diagnostics()).toEqual([]);
  });
});
