// Soak (`npm run bench:soak`; part of `npm run bench`): a writer process appends metric lines to
// 100 runs — half RUNNING, half FINISHED (MLflow appends to finished runs too: log_metric after
// end_run) — at 1,000 lines/s for 60 s while the engine watches the store, as the app's main
// process does. Not a test: nothing asserts; every figure is reported next to its target.
//
//   node bench/soak.ts [--seconds 60] [--rate 1000] [--runs 100] [--tiered] [--out file]  → bench/results/soak[-tiered].json
//
// - end state: after the writer stops and the engine settles, every run's latest metric in the
//   index equals the writer's ground truth (the last line it wrote per run and key);
// - append → indexed: the writer reports each line's write time for one line in ten; the engine
//   side stamps when the index first shows that step (on its indexChanged events);
// - RSS: sampled every second; the growth over the soak is the median of the last 10 s minus the
//   median of the 10 s after warm-up.
// The renderer is not in this measure (it is the shell bench's append → cell); this is the engine.
import { fork } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../electron/engine/engine.ts';
import { readArgs } from './lib/args.ts';
import { resultFile, writeResult } from './lib/report.ts';
import { median, quantile } from './lib/stats.ts';

const TARGETS = { appendP95Ms: 250, rssGrowthMb: 20 };
const KEYS = ['loss', 'acc'];

interface WriterArgs {
  root: string;
  expId: string;
  runIds: string[];
  seconds: number;
  rate: number;
}

type WriterMessage = { sent: { runId: string; key: string; step: number; at: number }[] } | { done: { last: Record<string, Record<string, { value: number; step: number }>>; lines: number } };

function runMeta(expId: string, runId: string, running: boolean, dir: string): string {
  const t = Date.now() - 3600_000;
  return [
    `artifact_uri: file://${dir}/artifacts`,
    `end_time: ${running ? 'null' : t + 60_000}`,
    `entry_point_name: ''`,
    `experiment_id: '${expId}'`,
    `lifecycle_stage: active`,
    `run_id: ${runId}`,
    `run_name: soak-${runId.slice(0, 6)}`,
    `run_uuid: ${runId}`,
    `source_name: ''`,
    `source_type: 4`,
    `source_version: ''`,
    `start_time: ${t}`,
    `status: ${running ? 1 : 3}`,
    `tags: []`,
    `user_id: soak`,
    '',
  ].join('\n');
}

/** The writer side (this file forked with --writer): appends at `rate` lines/s, round robin. */
async function writer(a: WriterArgs): Promise<void> {
  const last: Record<string, Record<string, { value: number; step: number }>> = {};
  const step: Record<string, number> = {};
  let sent: { runId: string; key: string; step: number; at: number }[] = [];
  let lines = 0;
  const t0 = Date.now();
  const end = t0 + a.seconds * 1000;
  // In 10 ms ticks: rate/100 lines per tick.
  while (Date.now() < end) {
    const due = Math.floor(((Date.now() - t0) / 1000) * a.rate);
    while (lines < due) {
      const runId = a.runIds[lines % a.runIds.length] as string;
      const key = KEYS[Math.floor(lines / a.runIds.length) % KEYS.length] as string;
      const k = `${runId}/${key}`;
      const s = (step[k] = (step[k] ?? 0) + 1);
      const value = Math.round(Math.sin(s / 50) * 1e6) / 1e6 + s;
      const at = Date.now();
      appendFileSync(path.join(a.root, a.expId, runId, 'metrics', key), `${at} ${value} ${s}\n`);
      (last[runId] ??= {})[key] = { value, step: s };
      if (lines % 10 === 0) sent.push({ runId, key, step: s, at });
      lines++;
    }
    if (sent.length > 0) {
      process.send?.({ sent } satisfies WriterMessage);
      sent = [];
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  process.send?.({ done: { last, lines } } satisfies WriterMessage);
}

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2), {
    usage: `Soak: a writer process appends metric lines to synthetic runs while the engine watches; the end state
against the writer's ground truth, append → indexed latency and RSS growth.

  node bench/soak.ts [--seconds 60] [--rate 1000] [--runs 100] [--tiered] [--out file]   → bench/results/soak[-tiered].json`,
    options: {
      seconds: { kind: 'number', value: 'S', help: 'how long the writer appends (default 60)' },
      rate: { kind: 'number', value: 'N', help: 'lines per second (default 1000)' },
      runs: { kind: 'number', value: 'N', help: 'runs appended to, half RUNNING (default 100)' },
      // Watched as a store above 1000 runs is (finished runs polled, see file-store-watch.ts).
      tiered: { kind: 'flag', help: 'tiered watching, as for a store above 1000 runs' },
      out: { kind: 'string', value: 'FILE', help: 'write the JSON here instead' },
    },
  });
  const seconds = args.seconds ?? 60;
  const rate = args.rate ?? 1000;
  const runs = args.runs ?? 100;
  const outArg = args.out;
  const tiered = args.tiered;

  const base = mkdtempSync(path.join(os.tmpdir(), 'runsight-soak-'));
  const root = path.join(base, 'mlruns');
  const expId = '1';
  mkdirSync(path.join(root, expId), { recursive: true });
  writeFileSync(path.join(root, expId, 'meta.yaml'), `artifact_location: file://${root}/${expId}\ncreation_time: ${Date.now()}\nexperiment_id: '${expId}'\nlast_update_time: ${Date.now()}\nlifecycle_stage: active\nname: soak\n`);
  const runIds = Array.from({ length: runs }, (_, i) => i.toString(16).padStart(32, 'a'));
  runIds.forEach((runId, i) => {
    const dir = path.join(root, expId, runId);
    mkdirSync(path.join(dir, 'metrics'), { recursive: true });
    mkdirSync(path.join(dir, 'tags'), { recursive: true });
    writeFileSync(path.join(dir, 'meta.yaml'), runMeta(expId, runId, i % 2 === 0, dir));
    for (const key of KEYS) writeFileSync(path.join(dir, 'metrics', key), `${Date.now()} 0 0\n`);
  });

  const engine = await Engine.create(tiered ? { maxFullWatchRuns: 0 } : {});
  try {
    await engine.openStorePath(root);
    await engine.whenWatching();
    const storeId = path.resolve(root);
    // The step each run/key shows in the index, and the writes waiting to be seen.
    const waiting = new Map<string, { step: number; at: number }[]>();
    const latencies: number[] = [];
    const check = (runIdsChanged: string[]) => {
      const seenAt = Date.now();
      for (const runId of runIdsChanged) {
        const run = engine.index.getRun({ storeId, runId });
        if (!run) continue;
        for (const key of KEYS) {
          const k = `${runId}/${key}`;
          const list = waiting.get(k);
          if (!list || list.length === 0) continue;
          const shown = run.metrics[key]?.step ?? -1;
          while (list.length > 0 && (list[0] as { step: number }).step <= shown) latencies.push(seenAt - (list.shift() as { at: number }).at);
        }
      }
    };
    engine.events.on('indexChanged', (e) => check(e.runIds));
    const rss: { t: number; mb: number }[] = [];
    const t0 = Date.now();
    const sampler = setInterval(() => rss.push({ t: (Date.now() - t0) / 1000, mb: process.memoryUsage().rss / 2 ** 20 }), 1000);
    const child = fork(fileURLToPath(import.meta.url), ['--writer'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const truth = await new Promise<{ last: Record<string, Record<string, { value: number; step: number }>>; lines: number }>((resolve, reject) => {
      child.on('message', (m: WriterMessage) => {
        if ('sent' in m) {
          for (const s of m.sent) {
            const k = `${s.runId}/${s.key}`;
            let list = waiting.get(k);
            if (!list) waiting.set(k, (list = []));
            list.push({ step: s.step, at: s.at });
          }
        } else resolve(m.done);
      });
      child.once('error', reject);
      child.once('exit', (code) => code !== 0 && reject(new Error(`writer exited with ${code}`)));
      child.send({ root, expId, runIds, seconds, rate } satisfies WriterArgs);
    });
    clearInterval(sampler);
    // Whatever is still in flight: the last events, then the queue.
    await new Promise((r) => setTimeout(r, 2000));
    await engine.settle();
    check(runIds);
    let mismatches = 0;
    for (const runId of runIds) {
      const run = engine.index.getRun({ storeId, runId });
      for (const key of KEYS) {
        const want = truth.last[runId]?.[key];
        const got = run?.metrics[key];
        if (!want || !got || got.step !== want.step || got.value !== want.value) mismatches++;
      }
    }
    const unseen = [...waiting.values()].reduce((n, l) => n + l.length, 0);
    const warm = rss.filter((s) => s.t > 5 && s.t <= 15).map((s) => s.mb);
    const late = rss.filter((s) => s.t > seconds - 10).map((s) => s.mb);
    const growth = Math.round((median(late) - median(warm)) * 10) / 10;
    const p50 = median(latencies);
    const p95 = quantile([...latencies].sort((a, b) => a - b), 0.95);
    const result = {
      schema: 1,
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
      setup: { runs, running: Math.ceil(runs / 2), finished: Math.floor(runs / 2), keys: KEYS, seconds, rate, lines: truth.lines, watch: tiered ? 'tiered (finished runs polled)' : 'full (below 1000 runs)' },
      endState: {
        mismatches,
        measured: `${mismatches} of ${runs * KEYS.length} run/metric latest values differ from the writer's ground truth after ${truth.lines} lines`,
        target: 'none differ',
        pass: mismatches === 0,
      },
      appendToIndexMs: {
        n: latencies.length,
        unseen,
        p50,
        p95,
        max: Math.max(...latencies),
        measured: `p50 ${p50} ms, p95 ${p95} ms over ${latencies.length} sampled lines (${unseen} never seen)`,
        target: `p95 < ${TARGETS.appendP95Ms} ms`,
        pass: unseen === 0 && p95 < TARGETS.appendP95Ms,
      },
      rss: {
        samples: rss,
        growthMb: growth,
        measured: `${growth} MB between the median of 5–15 s and of the last 10 s`,
        target: `flat (growth < ${TARGETS.rssGrowthMb} MB)`,
        pass: growth < TARGETS.rssGrowthMb,
      },
      notes: ['The engine as the app\'s main process runs it (full watching below 1000 runs); the renderer is not in these figures — the shell bench measures append → cell on screen.'],
    };
    await writeResult(outArg ?? resultFile(tiered ? 'soak-tiered' : 'soak'), result);
    process.stdout.write(
      [
        `soak: ${truth.lines} lines to ${runs} runs in ${seconds} s`,
        `end state: ${mismatches} mismatches ${result.endState.pass ? 'pass' : 'MISS'}`,
        `append → indexed p50/p95: ${p50} / ${p95} ms (${unseen} unseen; target p95 < ${TARGETS.appendP95Ms}) ${result.appendToIndexMs.pass ? 'pass' : 'MISS'}`,
        `RSS growth: ${growth} MB ${result.rss.pass ? 'pass' : 'MISS'}`,
      ].join('\n') + '\n',
    );
  } finally {
    await engine.dispose();
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv.includes('--writer')) {
  process.once('message', (a: WriterArgs) => {
    void writer(a).then(() => process.disconnect());
  });
} else {
  await main();
}
