// The report request for what is on screen: the runs the compare views plot (or the selection),
// the filter and order that produced them, "best by", and each chart's settings with the brushes
// drawn — so the exported report shows what the user was looking at. The engine builds the
// document (electron/engine/backend/report/), the same one `runsight report` writes.
import type { ReportFormat, ReportRequest, ReportSection } from '../../../../preload/api.ts';
import { call, on } from '../../bridge/client.ts';
import { chartSettings } from '../../state/current-chart-settings.ts';
import type { AppState } from '../../state/store.ts';
import { compareQuery } from './compare-loader.ts';

export const SECTION_LABELS: { id: ReportSection; label: string }[] = [
  { id: 'best', label: 'Best run and rationale' },
  { id: 'summary', label: 'Runs table' },
  { id: 'params', label: 'Params (differing highlighted)' },
  { id: 'charts', label: 'Charts' },
  { id: 'images', label: 'Shared image artifacts' },
  { id: 'reproducibility', label: 'Reproducibility' },
  { id: 'registry', label: 'Registry state' },
];

export const FORMATS: { id: ReportFormat; label: string; title: string }[] = [
  { id: 'html', label: 'HTML', title: 'One self-contained file: interactive charts, sortable table; opens offline' },
  { id: 'pdf', label: 'PDF', title: 'Static pages with charts as images and page numbers' },
  { id: 'md', label: 'Markdown', title: 'For pull requests: GitHub tables, charts as PNG files beside it' },
  { id: 'csv', label: 'CSV', title: 'Every run and column at full precision' },
];

export function reportRequestFor(s: AppState, runIds: string[], extra: { title: string; notes: string; sections: ReportSection[] }): ReportRequest | null {
  const q = compareQuery(s);
  if (!q) return null;
  const c = chartSettings(s);
  const brushes: Record<string, [number, number][]> = {};
  for (const b of s.brush?.brushes ?? []) if (b.type === 'numeric' && b.ranges.length > 0) brushes[b.key] = b.ranges.map(([lo, hi]) => [lo, hi]);
  return {
    storeId: q.storeId,
    runIds,
    experimentIds: q.experimentIds,
    filter: q.filter.trim() || undefined,
    orderBy: q.orderBy,
    title: extra.title,
    notes: extra.notes,
    best: c.best.metric ? { metric: c.best.metric, direction: c.best.direction } : null,
    sections: extra.sections,
    charts: {
      parcoords: { axes: c.parcoords.axes, log: c.parcoords.log, colorBy: c.parcoords.colorBy, brushes },
      scatter: { x: c.scatter.x, y: c.scatter.y, color: c.scatter.color, logX: c.scatter.logX, logY: c.scatter.logY },
      curves: { keys: c.curves.keys, x: c.curves.x, smoothing: c.curves.smoothing, logY: c.curves.logY },
    },
  };
}

export function previewReport(request: ReportRequest) {
  return call('previewReport', request);
}

/** Saves (Electron: its dialog) or downloads (browser mode) the report; progress by job id. */
export async function exportReport(request: ReportRequest, format: ReportFormat, jobId: string, onProgress: (phase: string, done: number, total: number) => void) {
  const off = on('reportProgress', (p) => {
    if (p.jobId === jobId) onProgress(p.phase, p.done, p.total);
  });
  try {
    const result = await call('exportReport', { request, format, jobId });
    if (result.saved && result.data !== null) download(result.fileName, result.mime, result.data);
    return result;
  } finally {
    off();
  }
}

export function cancelReport(jobId: string) {
  return call('cancelReport', { jobId });
}

function download(fileName: string, mime: string, base64: string): void {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
