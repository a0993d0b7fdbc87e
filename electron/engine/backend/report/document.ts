// buildReportDocument(): a report request → the one ReportDocument every format renders. Reads
// the index (the snapshot at one generation, stated in the manifest), the metric histories the
// curves need, the shared image artifacts (downscaled), run reproducibility and the registry.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from '../../engine.ts';
import { EngineError } from '../../errors.ts';
import { listArtifactsRecursive } from '../../artifacts.ts';
import type { RunRow } from '../../index/types.ts';
import { reproducibility } from '../run-detail.ts';
import { pickBestRun } from './best-run.ts';
import { curvesChart, parcoordsChart, scatterChart, type ChartDefaults } from './charts.ts';
import { thumbnail } from './thumbnail.ts';
import {
  REPORT_SECTIONS,
  type ReportChart,
  type ReportDocument,
  type ReportImageGroup,
  type ReportNumber,
  type ReportRegistryModel,
  type ReportReproducibility,
  type ReportRequest,
  type ReportRun,
} from './types.ts';

export const DEFAULT_MAX_RUNS = 1000;
/** Image thumbnails: shared paths shown, runs per path, runs whose artifacts are scanned. */
const IMAGE_PATHS = 4;
const IMAGE_RUNS = 12;
const IMAGE_SCAN_RUNS = 50;
const IMAGE_EXT = /\.(png|jpe?g|gif|webp)$/i;
/** Curves: histories read for at most this many runs (the first of the report's order). */
export const CURVE_RUNS = 200;

export interface BuildOptions {
  version: string;
  user?: string;
  now?: Date;
  /** Called between phases; throwing (e.g. an AbortError) stops the build. */
  checkpoint?: (phase: string, done: number, total: number) => void;
}

export function reportNumber(v: number): ReportNumber {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

function sortedRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k] as T]));
}

function pickStore(engine: Engine, storeId: string | undefined): string {
  const stores = engine.listStores();
  if (storeId) {
    if (!stores.some((s) => s.id === storeId)) throw new EngineError('NOT_FOUND', `No open store ${storeId}`);
    return storeId;
  }
  if (stores.length === 1) return (stores[0] as { id: string }).id;
  if (stores.length === 0) throw new EngineError('NOT_FOUND', 'No MLflow store is open');
  throw new EngineError('INVALID_ARGUMENT', `Several stores are open; name one: ${stores.map((s) => s.path).join(', ')}`);
}

export async function buildReportDocument(engine: Engine, req: ReportRequest, opts: BuildOptions): Promise<ReportDocument> {
  const step = opts.checkpoint ?? (() => undefined);
  const storeId = pickStore(engine, req.storeId);
  const generation = engine.currentGeneration;
  const warnings: string[] = [];
  const experiments = new Map(engine.index.listExperiments({ storeId, lifecycle: 'all' }).map((e) => [e.experimentId, e.name]));

  step('runs', 0, 1);
  let rows: RunRow[];
  const missingRunIds: string[] = [];
  if (req.runIds && req.runIds.length > 0) {
    const found = engine.index.queryRuns({ storeId, experimentIds: [], lifecycle: 'all', runIds: req.runIds, limit: req.runIds.length }).rows;
    const byId = new Map(found.map((r) => [r.runId, r]));
    rows = [];
    for (const id of new Set(req.runIds)) {
      const r = byId.get(id);
      if (r) rows.push(r);
      else missingRunIds.push(id);
    }
    if (missingRunIds.length > 0) warnings.push(`${missingRunIds.length} selected run(s) no longer in the store (deleted or changed since selection): ${missingRunIds.join(', ')}`);
  } else {
    for (const id of req.experimentIds ?? []) if (!experiments.has(id)) throw new EngineError('NOT_FOUND', `No experiment ${id} in ${storeId}`);
    const limit = Math.max(1, req.maxResults ?? DEFAULT_MAX_RUNS);
    const res = engine.index.queryRuns({ storeId, experimentIds: req.experimentIds ?? [], filter: req.filter ?? '', orderBy: req.orderBy ?? [], limit });
    rows = res.rows;
    if (res.total > rows.length) warnings.push(`the query matches ${res.total} runs; the report holds the first ${rows.length}`);
  }

  const runs: ReportRun[] = rows.map((r) => ({
    runId: r.runId,
    runName: r.runName,
    experimentId: r.experimentId,
    experimentName: experiments.get(r.experimentId) ?? r.experimentId,
    status: r.status,
    startTime: r.startTime,
    endTime: r.endTime,
    durationMs: r.startTime !== null && r.endTime !== null ? r.endTime - r.startTime : null,
    userId: r.userId,
    params: sortedRecord(r.params),
    metrics: sortedRecord(Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, { value: reportNumber(m.value), step: m.step, timestamp: m.timestamp }]))),
  }));

  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const differing: string[] = [];
  const identical: Record<string, string> = {};
  for (const k of paramKeys) {
    const values = new Set(runs.map((r) => r.params[k]));
    if (values.size === 1 && !values.has(undefined)) identical[k] = runs[0]?.params[k] as string;
    else differing.push(k);
  }

  const sections = req.sections ? REPORT_SECTIONS.filter((s) => req.sections?.includes(s)) : [...REPORT_SECTIONS];
  const best = req.best ? pickBestRun(runs, req.best.metric, req.best.direction) : null;
  if (req.best && !metricKeys.includes(req.best.metric)) {
    warnings.push(`no run in the report logged \`${req.best.metric}\`; metrics present: ${metricKeys.join(', ') || 'none'}`);
  }

  const charts: ReportChart[] = [];
  if (sections.includes('charts') && runs.length > 0) {
    step('charts', 0, 1);
    const defaults: ChartDefaults = { differingParams: differing, metrics: metricKeys, primaryMetric: req.best?.metric ?? metricKeys[0] ?? null };
    const cfg = req.charts ?? {};
    const warn = (m: string) => warnings.push(m);
    if (cfg.parcoords !== null) {
      const c = parcoordsChart(runs, cfg.parcoords ?? { axes: null }, defaults, warn);
      if (c) charts.push(c);
    }
    if (cfg.scatter !== null) {
      const c = scatterChart(runs, cfg.scatter ?? { x: null, y: null }, defaults, warn);
      if (c) charts.push(c);
    }
    if (cfg.curves !== null) {
      const curveCfg = cfg.curves ?? { keys: null };
      const keys = (curveCfg.keys ?? (defaults.primaryMetric ? [defaults.primaryMetric] : [])).filter((k) => metricKeys.includes(k));
      if (keys.length > 0) {
        const curveRuns = runs.slice(0, CURVE_RUNS);
        if (runs.length > CURVE_RUNS) warnings.push(`metric curves show the first ${CURVE_RUNS} of ${runs.length} runs`);
        const histories: Record<string, Record<string, import('../../model.ts').MetricPoint[]>> = {};
        for (let i = 0; i < curveRuns.length; i += 50) {
          step('curves', i, curveRuns.length);
          Object.assign(histories, await engine.getMetricHistory({ storeId, runIds: curveRuns.slice(i, i + 50).map((r) => r.runId), keys }));
        }
        charts.push(curvesChart(curveRuns, curveCfg, keys, histories));
      } else if (curveCfg.keys && curveCfg.keys.length > 0) warnings.push(`metric curves: no run logged ${curveCfg.keys.join(', ')}`);
    }
  }

  const images = sections.includes('images') ? await sharedImages(engine, storeId, runs, warnings, step) : [];

  const repro: ReportReproducibility[] = [];
  if (sections.includes('reproducibility')) {
    step('reproducibility', 0, runs.length);
    for (const r of runs) {
      const run = engine.index.getRun({ storeId, runId: r.runId });
      if (!run) continue;
      const info = reproducibility(run, []);
      repro.push({
        runId: r.runId,
        runName: r.runName,
        source: info.sourceName,
        sourceType: info.sourceType,
        gitCommit: info.gitCommit,
        gitBranch: info.gitBranch,
        entryPoint: info.entryPoint,
        command: info.command,
        datasets: run.inputs.datasets.map((d) => ({ name: d.name, digest: d.digest, sourceType: d.sourceType, context: d.tags['mlflow.data.context'] ?? null })),
        loggedModels: engine.index.listLoggedModels({ storeId, runId: r.runId }).map((m) => ({ modelId: m.modelId, name: m.name, status: m.status })),
      });
    }
  }

  const registry: ReportRegistryModel[] = [];
  if (sections.includes('registry')) {
    const inReport = new Map(runs.map((r) => [r.runId, r.runName]));
    for (const m of engine.index.listRegisteredModels({ storeId })) {
      const versions = m.versions.filter((v) => v.currentStage !== 'Deleted_Internal');
      if (!versions.some((v) => v.runId && inReport.has(v.runId))) continue;
      registry.push({
        name: m.name,
        aliases: sortedRecord(m.aliases),
        versions: versions
          .sort((a, b) => b.version - a.version)
          .map((v) => ({
            version: v.version,
            stage: String(v.currentStage),
            aliases: [...v.aliases].sort(),
            runId: v.runId,
            runName: v.runId ? (inReport.get(v.runId) ?? engine.index.getRun({ storeId, runId: v.runId })?.runName ?? null) : null,
            inReport: v.runId !== null && inReport.has(v.runId),
            status: v.status,
          })),
      });
    }
  }

  const store = engine.storeInfo(storeId);
  const now = opts.now ?? new Date();
  return {
    manifest: {
      schema: 1,
      runsightVersion: opts.version,
      createdAt: now.toISOString(),
      user: opts.user ?? os.userInfo().username,
      project: engine.project,
      stores: [{ path: store.path, kind: store.kind }],
      query: {
        runIds: req.runIds && req.runIds.length > 0 ? [...req.runIds] : null,
        experimentIds: req.experimentIds ?? [],
        filter: req.filter ?? '',
        orderBy: req.orderBy ?? [],
      },
      runIds: runs.map((r) => r.runId),
      missingRunIds,
      generation,
      dataSha256: dataHash(runs),
    },
    title: req.title?.trim() || defaultTitle(runs),
    notes: req.notes ?? '',
    sections,
    runs,
    columns: { params: paramKeys, metrics: metricKeys },
    params: { differing, identical },
    best: sections.includes('best') ? best : null,
    charts,
    images,
    reproducibility: repro,
    registry,
    warnings,
    histories: req.metricHistory ? await allHistories(engine, storeId, runs, metricKeys) : undefined,
  };
}

function defaultTitle(runs: readonly ReportRun[]): string {
  const exps = [...new Set(runs.map((r) => r.experimentName))];
  return `Comparison of ${runs.length} run${runs.length === 1 ? '' : 's'}${exps.length === 1 ? ` — ${exps[0]}` : ''}`;
}

/** SHA-256 of the runs' canonical JSON (keys sorted when built; non-finite numbers as strings). */
export function dataHash(runs: readonly ReportRun[]): string {
  return createHash('sha256').update(JSON.stringify(runs)).digest('hex');
}

async function allHistories(engine: Engine, storeId: string, runs: readonly ReportRun[], keys: string[]): Promise<NonNullable<ReportDocument['histories']>> {
  const out: NonNullable<ReportDocument['histories']> = [];
  for (const r of runs) {
    const own = keys.filter((k) => r.metrics[k]);
    const h = await engine.getMetricHistory({ storeId, runIds: [r.runId], keys: own });
    for (const k of own) out.push({ runId: r.runId, key: k, points: h[r.runId]?.[k] ?? [] });
  }
  return out;
}

async function sharedImages(
  engine: Engine,
  storeId: string,
  runs: readonly ReportRun[],
  warnings: string[],
  step: (phase: string, done: number, total: number) => void,
): Promise<ReportImageGroup[]> {
  const scanned = runs.slice(0, IMAGE_SCAN_RUNS);
  const byPath = new Map<string, { run: ReportRun; root: string; size: number | null }[]>();
  for (const [i, run] of scanned.entries()) {
    step('images', i, scanned.length);
    const row = engine.index.getRun({ storeId, runId: run.runId });
    if (!row) continue;
    const loc = await engine.resolveRunArtifacts(storeId, row);
    if (!loc.available) continue;
    for (const e of await listArtifactsRecursive(loc.localPath)) {
      if (e.isDir || !IMAGE_EXT.test(e.path)) continue;
      const list = byPath.get(e.path) ?? [];
      list.push({ run, root: loc.localPath, size: e.size });
      byPath.set(e.path, list);
    }
  }
  const minRuns = Math.min(2, scanned.length);
  const shared = [...byPath.entries()]
    .filter(([, l]) => l.length >= minRuns)
    .sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1))
    .slice(0, IMAGE_PATHS);
  const groups: ReportImageGroup[] = [];
  for (const [rel, list] of shared) {
    const group: ReportImageGroup = { path: rel, runs: [] };
    for (const { run, root } of list.slice(0, IMAGE_RUNS)) {
      const file = path.join(root, ...rel.split('/'));
      const t = await thumbnail(file).catch((e: unknown) => ({ problem: e instanceof Error ? e.message : String(e) }));
      if ('problem' in t) {
        warnings.push(`${run.runName || run.runId}: ${rel}: ${t.problem}`);
        group.runs.push({ runId: run.runId, runName: run.runName, dataUrl: null, width: null, height: null, problem: t.problem });
      } else group.runs.push({ runId: run.runId, runName: run.runName, dataUrl: t.dataUrl, width: t.width, height: t.height, problem: null });
    }
    groups.push(group);
  }
  if (runs.length > IMAGE_SCAN_RUNS && groups.length > 0) warnings.push(`image thumbnails come from the first ${IMAGE_SCAN_RUNS} runs`);
  return groups;
}
