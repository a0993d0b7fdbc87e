// Load/query measurements for the run index on synthetic stores (not a test: no timing asserts
// anywhere). Run: node --expose-gc tests/index/bench-index.ts [runs=100000]
// (--expose-gc lets it report the RSS of the loaded index after the snapshot objects are freed).
// Shape per run: 10 params (numeric, float, string, with 'None'), 10 metrics (some NaN, some
// missing), 5 tags — 100k runs of that shape is the size the index is built for.
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../../common/random.ts';
import { createRunIndex } from '../../electron/engine/index/index.ts';
import type { Run, StoreSnapshot } from '../../electron/engine/model.ts';
import { quantile } from '../../bench/lib/stats.ts';
import { experiment, run, snapshot } from './model-builders.ts';

export function syntheticSnapshot(storeId: string, runs: number, experiments = 4, seed = 42): StoreSnapshot {
  // Seeded: numbers are comparable between runs of the script.
  const rand = mulberry32(seed);
  const hex = () => Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const exps = Array.from({ length: experiments }, (_, i) => experiment(String(i), { name: `exp ${i}` }));
  const out: Run[] = [];
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < runs; i++) {
    const startTime = t0 + i * 1000 + Math.floor(rand() * 500);
    const metrics: Record<string, number> = {};
    for (let m = 0; m < 10; m++) {
      if (m >= 8 && rand() < 0.3) continue; // some runs lack some metrics
      metrics[`m${m}`] = rand() < 0.01 ? NaN : rand() * 10 ** (m % 4);
    }
    const runId = hex();
    out.push(
      run(runId, {
        experimentId: String(i % experiments),
        runName: `${pick(['brave', 'calm', 'eager', 'fuzzy'])}-${pick(['owl', 'eel', 'fox'])}-${i}`,
        status: pick(['FINISHED', 'FINISHED', 'FINISHED', 'FAILED', 'KILLED']),
        lifecycleStage: rand() < 0.05 ? 'deleted' : 'active',
        startTime,
        params: {
          n_estimators: String(pick([10, 50, 100, 200, 500])),
          max_depth: pick(['3', '5', '10', 'None']),
          lr: String(pick([0.1, 0.01, 0.001, 0.0001])),
          optimizer: pick(['adam', 'sgd', 'rmsprop', 'Adam']),
          batch_size: String(pick([16, 32, 64, 128])),
          seed: String(i),
          dropout: (rand() * 0.5).toFixed(3),
          model: pick(['resnet18', 'resnet50', 'vit-b/16', 'mlp']),
          dataset: pick(['cifar10', 'cifar100', 'imagenet']),
          note: `trial ${i % 97}`,
        },
        metrics,
        tags: {
          'mlflow.runName': `r${i}`,
          'mlflow.user': pick(['alice', 'bob', 'carol']),
          'mlflow.source.name': 'train.py',
          team: pick(['vision', 'nlp']),
          'mlflow.source.type': 'LOCAL',
        },
      }),
    );
  }
  return snapshot(storeId, { experiments: exps, runs: out });
}

/** The benchmarks' nearest-rank quantile (bench/lib/stats.ts), `p` in percent of samples sorted ascending. */
const percentile = (sorted: number[], p: number): number => quantile(sorted, p / 100);

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000);

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const ix = await createRunIndex();
  const rssEmpty = process.memoryUsage().rss;
  let changed: Run[];
  let t: number;
  {
    const snap = syntheticSnapshot('/bench/big', n);
    const rssBefore = process.memoryUsage().rss;
    t = performance.now();
    const c = process.cpuUsage();
    ix.applySnapshot(snap);
    const d = process.cpuUsage(c);
    console.log(
      `applySnapshot ${n} runs: ${(performance.now() - t).toFixed(0)} ms wall, ${((d.user + d.system) / 1000).toFixed(0)} ms cpu; ${JSON.stringify(ix.stats())}`,
    );
    console.log(`rss: empty index ${mb(rssEmpty)}, + snapshot objects ${mb(rssBefore)}, after load ${mb(process.memoryUsage().rss)}`);
    changed = snap.runs.slice(0, 100);
  }
  if (gc) {
    gc();
    console.log(`rss with ${n} runs indexed, snapshot freed: ${mb(process.memoryUsage().rss)}`);
  }

  const all = ['0', '1', '2', '3'];
  const metricKeys = Array.from({ length: 10 }, (_, m) => `m${m}`);
  const queries: { name: string; q: Parameters<typeof ix.queryRuns>[0] }[] = [
    { name: 'default order, 1 experiment', q: { storeId: '/bench/big', experimentIds: ['0'] } },
    { name: 'default order, all experiments', q: { storeId: '/bench/big', experimentIds: all } },
    { name: 'sort metrics.m1 DESC', q: { storeId: '/bench/big', experimentIds: all, orderBy: ['metrics.m1 DESC'] } },
    { name: 'sort params.n_estimators (numeric)', q: { storeId: '/bench/big', experimentIds: all, orderBy: ['params.n_estimators'] } },
    { name: 'sort tags.team, page 50', q: { storeId: '/bench/big', experimentIds: all, orderBy: ['tags.team'], offset: 5000 } },
    {
      name: 'filter metric < x, sort metric',
      q: { storeId: '/bench/big', experimentIds: all, filter: 'metrics.m0 < 0.5', orderBy: ['metrics.m2 DESC'] },
    },
    {
      name: 'filter param = and metric >',
      q: { storeId: '/bench/big', experimentIds: all, filter: "params.optimizer = 'adam' and metrics.m1 > 5", orderBy: ['metrics.m1'] },
    },
    {
      name: 'filter OR + LIKE + attribute',
      q: {
        storeId: '/bench/big',
        experimentIds: all,
        filter: "(params.model LIKE 'resnet%' and attributes.status = 'FINISHED') or tags.team = 'nlp'",
        orderBy: ['metrics.m3 DESC'],
      },
    },
    {
      name: 'selective filter (seed)',
      q: { storeId: '/bench/big', experimentIds: all, filter: "params.seed = '4242'" },
    },
    {
      name: 'ILIKE + IN + sort run_name',
      q: {
        storeId: '/bench/big',
        experimentIds: all,
        filter: "params.optimizer ILIKE 'ADAM' and params.max_depth IN ('3', '5')",
        orderBy: ['attributes.run_name'],
      },
    },
    { name: 'lifecycle all, sort end_time', q: { storeId: '/bench/big', experimentIds: all, lifecycle: 'all', orderBy: ['attributes.end_time DESC'] } },
  ];
  // Wall time is what the user sees but is noisy on a shared machine; CPU time of this process
  // (user+system, includes GC threads) is the steadier figure.
  const measure = (q: Parameters<typeof ix.queryRuns>[0]) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    let total = 0;
    for (let i = 0; i < 25; i++) {
      const c = process.cpuUsage();
      const w = performance.now();
      total = ix.queryRuns(q).total;
      wall.push(performance.now() - w);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    return { total, wall, cpu };
  };
  const f = (x: number) => x.toFixed(1).padStart(6);
  console.log(`${'query'.padEnd(38)} ${'total'.padStart(6)}  wall p50/p95 ms   cpu p50/p95 ms   count-only (limit 0) cpu p50`);
  for (const { name, q } of queries) {
    const full = measure(q);
    const countOnly = measure({ ...q, limit: 0 });
    console.log(
      `${name.padEnd(38)} ${String(full.total).padStart(6)}  ${f(percentile(full.wall, 50))} ${f(percentile(full.wall, 95))}    ${f(percentile(full.cpu, 50))} ${f(percentile(full.cpu, 95))}    ${f(percentile(countOnly.cpu, 50))}`,
    );
  }
  // Grouping (the runs table's "Group by"): groups + aggregates of all 10 metrics, and one page of
  // an expanded group (queryRuns with a group condition, sorted by a metric).
  const groupQueries: { name: string; q: Parameters<typeof ix.queryGroups>[0] }[] = [
    { name: 'group by params.max_depth, 10 metrics', q: { storeId: '/bench/big', experimentIds: all, by: { entity: 'param', key: 'max_depth' }, metrics: metricKeys } },
    {
      name: 'group by n_estimators, order by mean m1',
      q: { storeId: '/bench/big', experimentIds: all, by: { entity: 'param', key: 'n_estimators' }, metrics: metricKeys, order: { metric: 'm1', desc: true } },
    },
    {
      name: 'group by status, filtered',
      q: { storeId: '/bench/big', experimentIds: all, filter: 'metrics.m0 < 0.5', by: { entity: 'attribute', key: 'status' }, metrics: metricKeys },
    },
    { name: 'group by params.note (97 groups)', q: { storeId: '/bench/big', experimentIds: all, by: { entity: 'param', key: 'note' }, metrics: metricKeys } },
  ];
  for (const { name, q } of groupQueries) {
    const cpu: number[] = [];
    let groups = 0;
    for (let i = 0; i < 25; i++) {
      const c = process.cpuUsage();
      groups = ix.queryGroups(q).totalGroups;
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }
    cpu.sort((a, b) => a - b);
    console.log(`${name.padEnd(38)} ${String(groups).padStart(6)} groups  cpu p50/p95 ms ${f(percentile(cpu, 50))} ${f(percentile(cpu, 95))}`);
  }
  {
    const page = measure({ storeId: '/bench/big', experimentIds: all, group: { by: { entity: 'param', key: 'max_depth' }, value: 'None' }, orderBy: ['metrics.m1 DESC'] });
    console.log(`${'page of group max_depth=None'.padEnd(38)} ${String(page.total).padStart(6)}  cpu p50/p95 ms ${f(percentile(page.cpu, 50))} ${f(percentile(page.cpu, 95))}`);
  }
  t = performance.now();
  ix.listColumns({ storeId: '/bench/big', experimentIds: all });
  console.log(`listColumns: ${(performance.now() - t).toFixed(1)} ms`);
  t = performance.now();
  ix.listExperiments({});
  console.log(`listExperiments: ${(performance.now() - t).toFixed(1)} ms`);
  t = performance.now();
  ix.applyChange('/bench/big', {
    experiments: [],
    removedExperimentIds: [],
    runs: changed,
    removedRunIds: [],
    loggedModels: [],
    removedLoggedModelIds: [],
    registry: null,
  });
  console.log(`applyChange (100 upserts): ${(performance.now() - t).toFixed(1)} ms`);
  const mem = process.memoryUsage();
  console.log(
    `rss now ${mb(mem.rss)}, peak ${mb(process.resourceUsage().maxRSS * 1024)}; JS heap used ${mb(mem.heapUsed)}, external (wasm memory etc.) ${mb(mem.external)}`,
  );
  ix.close();

  // Bulk load of 10k runs into a fresh index (reuses the wasm memory the big index grew).
  {
    const snap = syntheticSnapshot('/bench/10k', 10_000, 4, 7);
    const ix = await createRunIndex();
    const t = performance.now();
    const c = process.cpuUsage();
    ix.applySnapshot(snap);
    const d = process.cpuUsage(c);
    console.log(`applySnapshot 10k runs: ${(performance.now() - t).toFixed(0)} ms wall, ${((d.user + d.system) / 1000).toFixed(0)} ms cpu`);
    ix.close();
  }

}

if (import.meta.url === `file://${process.argv[1]}`) await main();
