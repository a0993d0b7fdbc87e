// The report model: one document built by the engine from a set of runs (report-document.ts),
// rendered as HTML, PDF, Markdown or CSV (render-*.ts). The GUI and the CLI build the same
// document from the same request, so their reports cannot disagree. Plain data, type-only
// imports: the contract (preload/api.ts) re-exports these shapes.
import type { MetricPoint, RunStatus } from '../../model.ts';

export type ReportFormat = 'html' | 'pdf' | 'md' | 'csv';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'pdf', 'md', 'csv'];

export type ReportSection = 'summary' | 'params' | 'best' | 'charts' | 'images' | 'reproducibility' | 'registry';
export const REPORT_SECTIONS: readonly ReportSection[] = ['summary', 'params', 'best', 'charts', 'images', 'reproducibility', 'registry'];

export type Direction = 'min' | 'max';

/**
 * The charts as configured on screen. Column keys are the runs table's: `params.<key>`,
 * `metrics.<key>`, `attributes.<name>` (backquoted when the key needs it, as in filters).
 */
export interface ReportChartsConfig {
  parcoords?: {
    /** Axes in order; null: the params that vary, then the metrics (at most 8 in all). */
    axes: string[] | null;
    log?: string[];
    colorBy?: string | null;
    /** The brush state: per axis, inclusive value ranges (numeric axes only). */
    brushes?: Record<string, [number, number][]>;
  } | null;
  scatter?: { x: string | null; y: string | null; color?: string | null; logX?: boolean; logY?: boolean } | null;
  curves?: { keys: string[] | null; x?: 'step' | 'wall' | 'relative'; smoothing?: number; logY?: boolean } | null;
}

export interface ReportRequest {
  /** The store the runs are in; default: the only store open (an error when there are several). */
  storeId?: string;
  /** An explicit list of runs (the selection). Wins over experiment + filter. */
  runIds?: string[];
  /** Experiments searched with `filter`; empty or absent: every experiment of the store. */
  experimentIds?: string[];
  /** MLflow search syntax (as the runs table), with OR / parentheses. */
  filter?: string;
  orderBy?: string[];
  /** Most runs in a filtered report (default 1000). */
  maxResults?: number;
  title?: string;
  notes?: string;
  /** The best run by this metric; default: the compare view's best-by, else none. */
  best?: { metric: string; direction: Direction } | null;
  charts?: ReportChartsConfig;
  /** Which sections to include; default all. */
  sections?: ReportSection[];
  /** CSV: add the metric histories in long form (run_id, key, step, timestamp, value). */
  metricHistory?: boolean;
}

/** A number as it crosses JSON: finite numbers as such, NaN/±Infinity as MLflow's JSON writes them. */
export type ReportNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export interface ReportMetric {
  value: ReportNumber;
  step: number;
  timestamp: number;
}

export interface ReportRun {
  runId: string;
  runName: string;
  experimentId: string;
  experimentName: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  /** ms; null while running or without times. */
  durationMs: number | null;
  userId: string;
  params: Record<string, string>;
  metrics: Record<string, ReportMetric>;
}

export interface ReportBest {
  metric: string;
  direction: Direction;
  /** null when no run has a finite value for the metric. */
  winner: { runId: string; runName: string; value: number } | null;
  runnerUp: { runId: string; runName: string; value: number; gap: number } | null;
  /** Runs with a finite value (the candidates). */
  considered: number;
  /** Runs that lack the metric, and runs whose value is NaN/±Infinity (not comparable). */
  missing: { runId: string; runName: string }[];
  nonFinite: { runId: string; runName: string; value: ReportNumber }[];
  /** Equal values: the run that ended first wins (then started first, then run id). */
  tieRule: string;
  tiedWith: string[];
  /** One sentence, generated from the numbers above. */
  rationale: string;
}

export interface ReportChartParcoords {
  kind: 'parcoords';
  dimensions: { key: string; label: string; log: boolean; type: 'numeric' | 'categorical'; values: (number | null)[]; categories?: string[]; brush: [number, number][] | null }[];
  color: { key: string; label: string; values: (number | null)[] } | null;
}
export interface ReportChartScatter {
  kind: 'scatter';
  x: { key: string; label: string; log: boolean; values: (number | string | null)[] };
  y: { key: string; label: string; log: boolean; values: (number | string | null)[] };
  color: { key: string; label: string; values: (number | null)[] } | null;
}
export interface ReportChartCurves {
  kind: 'curves';
  x: 'step' | 'wall' | 'relative';
  smoothing: number;
  logY: boolean;
  /** Per metric key, per run: the history, downsampled for display (the CSV has every point). */
  series: { key: string; runs: { runId: string; runName: string; x: number[]; y: (number | null)[]; points: number }[] }[];
}
export type ReportChart = ReportChartParcoords | ReportChartScatter | ReportChartCurves;

export interface ReportImageGroup {
  /** The artifact path every listed run has, e.g. `plots/confusion_matrix.png`. */
  path: string;
  runs: { runId: string; runName: string; dataUrl: string | null; width: number | null; height: number | null; problem: string | null }[];
}

export interface ReportReproducibility {
  runId: string;
  runName: string;
  source: string | null;
  sourceType: string | null;
  gitCommit: string | null;
  gitBranch: string | null;
  entryPoint: string | null;
  command: string | null;
  datasets: { name: string; digest: string; sourceType: string; context: string | null }[];
  loggedModels: { modelId: string; name: string; status: string }[];
}

export interface ReportRegistryModel {
  name: string;
  aliases: Record<string, number>;
  versions: { version: number; stage: string; aliases: string[]; runId: string | null; runName: string | null; inReport: boolean; status: string | null }[];
}

export interface ReportManifest {
  /** Bumped when the document's shape changes. */
  schema: 1;
  runsightVersion: string;
  createdAt: string;
  user: string;
  project: string | null;
  stores: { path: string; kind: string }[];
  query: { runIds: string[] | null; experimentIds: string[]; filter: string; orderBy: string[] };
  runIds: string[];
  /** Requested runs that were not found (deleted or changed between selection and export). */
  missingRunIds: string[];
  /** The index generation the data was read at (the snapshot the report used). */
  generation: number;
  /** SHA-256 (hex) of the canonical JSON of `runs` — recompute it to check a report's data. */
  dataSha256: string;
}

export interface ReportDocument {
  manifest: ReportManifest;
  title: string;
  notes: string;
  sections: ReportSection[];
  runs: ReportRun[];
  columns: { params: string[]; metrics: string[] };
  params: { differing: string[]; identical: Record<string, string> };
  best: ReportBest | null;
  charts: ReportChart[];
  images: ReportImageGroup[];
  reproducibility: ReportReproducibility[];
  registry: ReportRegistryModel[];
  /** Problems met while building (an unreadable image, a missing chart column), shown in the report. */
  warnings: string[];
  /** CSV long form, when asked for: run_id, key, step, timestamp, value. */
  histories?: { runId: string; key: string; points: MetricPoint[] }[];
}

// ---- the contract's report methods (preload/api.ts)

export interface ReportProgress {
  jobId: string;
  phase: string;
  done: number;
  total: number;
}

export interface ReportPreview {
  /** The report's static markup (no scripts): shown in a frame with an empty sandbox. */
  html: string;
  runs: number;
  rationale: string | null;
  warnings: string[];
}

export interface ReportExportResult {
  /** false: the user closed the save dialog. */
  saved: boolean;
  /** Where it was written (Electron), or null (browser mode: `data` is the download). */
  path: string | null;
  fileName: string;
  mime: string;
  bytes: number;
  /** base64 of the file to download (browser mode only). */
  data: string | null;
  warnings: string[];
  manifest: ReportManifest | null;
}

