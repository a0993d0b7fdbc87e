// HTML: one self-contained file that opens from file:// with the network off. plotly (the strict
// build: no eval) and the data are inlined, images are data: URIs, and a CSP <meta> allows only
// the two inline scripts by hash, inline styles and data: images — no request can leave the page.
// The static markup (escaped) is the whole report even without scripts; the runtime adds charts,
// sorting and paging. The manifest is embedded as JSON for later checks.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { esc, scriptJson } from './html-escape.ts';
import { REPORT_RUNTIME } from './html-runtime.ts';
import type { ReportChart, ReportDocument, ReportNumber, ReportRun } from './types.ts';

let plotlySource: string | null = null;
/** plotly's strict bundle, read once from node_modules. */
export function plotlyBundle(): string {
  plotlySource ??= readFileSync(createRequire(import.meta.url).resolve('plotly.js-strict-dist-min/plotly-strict.min.js'), 'utf8');
  return plotlySource;
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64');
}

export function formatMetric(v: ReportNumber): string {
  return typeof v === 'number' ? (Object.is(v, -0) ? '-0' : String(v)) : v;
}

export function formatTime(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  const s = ms / 1000;
  if (s < 60) return `${Number(s.toFixed(1))} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --hl: #fff8c5; --best: #dafbe1; --accent: #0969da; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0 auto; padding: 24px 32px 48px; max-width: 1280px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 6px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.notes { white-space: pre-wrap; margin: 8px 0 12px; }
.provenance { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; color: var(--muted); font-size: 12.5px; margin: 8px 0; }
.provenance dt { font-weight: 600; } .provenance dd { margin: 0; overflow-wrap: anywhere; }
.rationale { background: var(--best); border-radius: 6px; padding: 10px 14px; font-size: 15px; }
.warnings { background: #fff1e5; border-radius: 6px; padding: 8px 14px 8px 30px; font-size: 13px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 3px 7px; text-align: left; vertical-align: top; max-width: 360px; overflow-wrap: break-word; }
td.nowrap { white-space: nowrap; }
thead th { background: #f6f8fa; position: sticky; top: 0; cursor: pointer; user-select: none; }
thead th[aria-sort="ascending"]::after { content: " ▲"; } thead th[aria-sort="descending"]::after { content: " ▼"; }
td.num { text-align: right; white-space: nowrap; }
th.differs, td.differs { background: var(--hl); }
tr.best td { background: var(--best); font-weight: 600; }
tr.off-page { display: none; }
.pager { margin: 6px 0; display: flex; gap: 8px; align-items: center; font-size: 12.5px; }
.pager[hidden] { display: none; }
.muted { color: var(--muted); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
.chart { width: 100%; height: 440px; border: 1px solid var(--line); border-radius: 6px; margin: 6px 0 4px; page-break-inside: avoid; break-inside: avoid; }
.chart-image { width: 100%; height: auto; }
figure { margin: 0; } figcaption { font-size: 12.5px; color: var(--muted); margin-bottom: 12px; }
.thumbs { display: flex; flex-wrap: wrap; gap: 10px; }
.thumbs figure { width: 200px; } .thumbs img { max-width: 200px; max-height: 200px; border: 1px solid var(--line); }
.thumbs .problem { width: 200px; height: 120px; border: 1px dashed var(--line); display: flex; align-items: center; justify-content: center; font-size: 12px; color: var(--muted); text-align: center; padding: 6px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
@media print {
  body { padding: 0; max-width: none; font-size: 11px; }
  thead { display: table-header-group; } thead th { position: static; }
  .table-wrap { overflow: visible; }
  table { width: 100%; font-size: 8.5px; }
  th, td { padding: 2px 4px; max-width: none; }
  td code { font-size: 8px; white-space: nowrap; }
  td.num { white-space: normal; word-break: break-all; }
  tr { break-inside: avoid; } tr.off-page { display: table-row; }
  .pager, .no-print { display: none !important; }
  h2 { break-after: avoid; }
  .chart { height: auto; border: none; }
}
`;

/** Rows per page of the report's tables (the runtime pages; print and PDF show every row). */
export const PAGE_ROWS = 50;

/**
 * Table rows with the ones past the first page already hidden in the markup, so a 1,000-run
 * report lays out 50 rows on open, and a pager (live once the runtime runs).
 */
function paged(id: string, rows: string[]): { body: string; pager: string } {
  const body = rows.map((r, i) => (i < PAGE_ROWS ? r : r.replace(/^<tr(\s+class="([^"]*)")?/, (_m, _c, cls?: string) => `<tr class="${cls ? `${cls} ` : ''}off-page"`))).join('');
  const more = rows.length > PAGE_ROWS;
  const pager = `<div class="pager" id="${id}-pager"${more ? '' : ' hidden'}><button type="button" class="prev">‹ Previous</button><span class="page-info">${more ? `rows 1–${PAGE_ROWS} of ${rows.length}` : ''}</span><button type="button" class="next">Next ›</button></div>`;
  return { body, pager };
}

function runLabel(r: Pick<ReportRun, 'runName' | 'runId'>): string {
  return r.runName || r.runId;
}

function summaryTable(doc: ReportDocument): string {
  const best = doc.best?.winner?.runId ?? null;
  // Every param, the differing ones highlighted (the Params section folds the identical ones).
  const differs = new Set(doc.params.differing);
  const params = doc.columns.params;
  // One experiment: named in the title and provenance, not repeated on every row.
  const showExp = new Set(doc.runs.map((r) => r.experimentId)).size > 1;
  const fixed = showExp ? 6 : 5;
  const head = ['Run', 'Run id', ...(showExp ? ['Experiment'] : []), 'Status', 'Start', 'Duration', ...params.map((k) => `params.${k}`), ...doc.columns.metrics.map((k) => `metrics.${k}`)];
  const cls = (i: number) => (i >= fixed && i < fixed + params.length && differs.has(params[i - fixed] as string) ? ' class="differs"' : '');
  const rows = doc.runs.map((r) => {
    const cells = [
      `<td>${esc(runLabel(r))}</td>`,
      `<td class="nowrap"><code>${esc(r.runId)}</code></td>`,
      ...(showExp ? [`<td>${esc(r.experimentName)}</td>`] : []),
      `<td class="nowrap">${esc(r.status)}</td>`,
      `<td class="nowrap" data-v="${r.startTime ?? ''}">${esc(formatTime(r.startTime))}</td>`,
      `<td class="num" data-v="${r.durationMs ?? ''}">${esc(formatDuration(r.durationMs))}</td>`,
      ...params.map((k) => {
        const v = r.params[k];
        return `<td${differs.has(k) ? ' class="differs"' : ''}${v !== undefined && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v) ? ` data-v="${esc(v)}"` : ''}>${v === undefined ? '<span class="muted">—</span>' : esc(v)}</td>`;
      }),
      ...doc.columns.metrics.map((k) => {
        const m = r.metrics[k];
        if (!m) return '<td class="num"></td>';
        const v = m.value;
        return `<td class="num" data-v="${typeof v === 'number' ? String(v) : ''}" title="step ${m.step}">${esc(formatMetric(v))}</td>`;
      }),
    ];
    return `<tr data-run-id="${esc(r.runId)}"${r.runId === best ? ' class="best"' : ''}>${cells.join('')}</tr>`;
  });
  const p = paged('runs-table', rows);
  return `<div class="table-wrap"><table id="runs-table" class="sortable"><thead><tr>${head.map((h, i) => `<th scope="col"${cls(i)}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${p.body}</tbody></table></div>${p.pager}`;
}

function paramsSection(doc: ReportDocument): string {
  const identical = Object.entries(doc.params.identical);
  const same = identical.length
    ? `<p><strong>Identical in every run</strong> (${identical.length}): ${identical.map(([k, v]) => `<code>${esc(k)}=${esc(v)}</code>`).join(' ')}</p>`
    : '<p class="muted">No param has the same value in every run.</p>';
  if (doc.params.differing.length === 0) return `${same}<p class="muted">No param differs between the runs.</p>`;
  const head = `<tr><th scope="col">Run</th>${doc.params.differing.map((k) => `<th scope="col" class="differs">${esc(k)}</th>`).join('')}</tr>`;
  const rows = doc.runs.map((r) => `<tr><td>${esc(runLabel(r))}</td>${doc.params.differing.map((k) => `<td class="differs">${r.params[k] === undefined ? '<span class="muted">—</span>' : esc(r.params[k] as string)}</td>`).join('')}</tr>`);
  const p = paged('params-table', rows);
  return `${same}<p><strong>Differing</strong> (${doc.params.differing.length}, highlighted):</p><div class="table-wrap"><table id="params-table" class="sortable"><thead>${head}</thead><tbody>${p.body}</tbody></table></div>${p.pager}`;
}

export function chartTitle(c: ReportChart): string {
  if (c.kind === 'parcoords') {
    const brushed = c.dimensions.filter((d) => d.brush).map((d) => d.label);
    return `Parallel coordinates — ${c.dimensions.map((d) => d.label).join(', ')}${c.color ? `; colour: ${c.color.label}` : ''}${brushed.length ? `; brushed: ${brushed.join(', ')}` : ''}`;
  }
  if (c.kind === 'scatter') return `Scatter — ${c.y.label} against ${c.x.label}${c.color ? `; colour: ${c.color.label}` : ''}`;
  return `Metric curves — ${c.series.map((s) => s.key).join(', ')} by ${c.x}${c.smoothing > 0 ? `, smoothing ${c.smoothing}` : ''}`;
}

/** Chart element ids, in the order the runtime draws them (one per curve key). */
export function chartSlots(doc: ReportDocument): { id: string; caption: string }[] {
  const out: { id: string; caption: string }[] = [];
  doc.charts.forEach((c, i) => {
    if (c.kind === 'curves') c.series.forEach((s, j) => out.push({ id: `chart-${i}-${j}`, caption: `Metric curve — ${s.key} by ${c.x}${c.smoothing > 0 ? ` (EMA smoothing ${c.smoothing}, raw faded)` : ''}; ${s.runs.length} runs${s.runs.some((r) => r.points > r.x.length) ? ', downsampled for display' : ''}` }));
    else out.push({ id: `chart-${i}`, caption: chartTitle(c) });
  });
  return out;
}

function chartsSection(doc: ReportDocument): string {
  if (doc.charts.length === 0) return '<p class="muted">No chart: the runs have too few varying columns.</p>';
  return chartSlots(doc)
    .map((s) => `<figure><div class="chart" id="${s.id}" role="img" aria-label="${esc(s.caption)}"><noscript>Charts need JavaScript.</noscript></div><figcaption>${esc(s.caption)}</figcaption></figure>`)
    .join('');
}

function imagesSection(doc: ReportDocument): string {
  if (doc.images.length === 0) return '<p class="muted">No image artifact path is shared by two or more runs.</p>';
  return doc.images
    .map((g) => {
      const figs = g.runs.map((r) =>
        r.dataUrl
          ? `<figure><img src="${esc(r.dataUrl)}" alt="${esc(`${g.path} of ${runLabel(r)}`)}" width="${r.width ?? ''}" height="${r.height ?? ''}"><figcaption>${esc(runLabel(r))}</figcaption></figure>`
          : `<figure><div class="problem">${esc(r.problem ?? 'not available')}</div><figcaption>${esc(runLabel(r))}</figcaption></figure>`,
      );
      return `<h3><code>${esc(g.path)}</code></h3><div class="thumbs">${figs.join('')}</div>`;
    })
    .join('');
}

function reproSection(doc: ReportDocument): string {
  const rows = doc.reproducibility.map(
    (r) =>
      `<tr><td>${esc(r.runName || r.runId)}</td><td>${r.source ? `<code>${esc(r.source)}</code>` : ''}${r.sourceType ? ` <span class="muted">(${esc(r.sourceType)})</span>` : ''}</td><td>${r.gitCommit ? `<code>${esc(r.gitCommit.slice(0, 12))}</code>` : ''}${r.gitBranch ? ` ${esc(r.gitBranch)}` : ''}</td><td>${esc(r.entryPoint ?? '')}</td><td>${r.datasets.map((d) => `${esc(d.name)} <code>${esc(d.digest)}</code>${d.context ? ` (${esc(d.context)})` : ''}`).join('<br>')}</td><td>${r.loggedModels.map((m) => `${esc(m.name)} <code>${esc(m.modelId)}</code>`).join('<br>')}</td><td>${r.command ? `<code>${esc(r.command)}</code>` : ''}</td></tr>`,
  );
  const p = paged('repro-table', rows);
  return `<div class="table-wrap"><table id="repro-table" class="sortable"><thead><tr><th>Run</th><th>Source</th><th>Git commit</th><th>Entry point</th><th>Datasets</th><th>Logged models</th><th>Command</th></tr></thead><tbody>${p.body}</tbody></table></div>${p.pager}`;
}

function registrySection(doc: ReportDocument): string {
  if (doc.registry.length === 0) return '<p class="muted">None of these runs feeds a registered model.</p>';
  return doc.registry
    .map((m) => {
      const rows = m.versions.map(
        (v) =>
          `<tr${v.inReport ? ' class="in-report"' : ''}><td>${v.version}</td><td>${esc(v.stage)}</td><td>${v.aliases.map((a) => `<code>@${esc(a)}</code>`).join(' ')}</td><td>${esc(v.runName ?? v.runId ?? '')}${v.inReport ? '' : v.runId ? ' <span class="muted">(not in this report)</span>' : ''}</td></tr>`,
      );
      return `<h3>${esc(m.name)}</h3><table><thead><tr><th>Version</th><th>Stage</th><th>Aliases</th><th>Run</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
    })
    .join('');
}

function provenance(doc: ReportDocument): string {
  const m = doc.manifest;
  const q = m.query;
  const filter = q.filter ? `filter <code>${esc(q.filter)}</code>` : '';
  const query = q.runIds
    ? `${q.runIds.length} run${q.runIds.length === 1 ? '' : 's'} chosen by id${filter ? ` (shown with ${filter})` : ''}`
    : `${filter || 'all runs'}${q.experimentIds.length ? ` in experiment${q.experimentIds.length === 1 ? '' : 's'} ${esc(q.experimentIds.join(', '))}` : ''}`;
  const items: [string, string][] = [
    ['Project', esc(m.project ?? '—')],
    ['Store', m.stores.map((s) => `${esc(s.path)} (${s.kind === 'file' ? 'file store' : 'SQLite'})`).join('<br>')],
    ['Runs', `${doc.runs.length} — ${query}${q.orderBy.length ? `, ordered by <code>${esc(q.orderBy.join(', '))}</code>` : ''}`],
    ['Snapshot', `index generation ${m.generation}, ${esc(m.createdAt)}${m.missingRunIds.length ? ` — ${m.missingRunIds.length} requested run(s) missing` : ''}`],
    ['Created by', `${esc(m.user)} with Runsight ${esc(m.runsightVersion)}`],
    ['Data SHA-256', `<code>${esc(m.dataSha256)}</code>`],
  ];
  return `<dl class="provenance">${items.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

export interface HtmlOptions {
  /** false: the static markup only (the app's preview; a frame without scripts). */
  scripts?: boolean;
}

export function renderHtml(doc: ReportDocument, options: HtmlOptions = {}): string {
  const scripts = options.scripts ?? true;
  const has = (s: ReportDocument['sections'][number]) => doc.sections.includes(s);
  const body: string[] = [];
  body.push(`<header><h1>${esc(doc.title)}</h1>${doc.notes.trim() ? `<div class="notes">${esc(doc.notes)}</div>` : ''}${provenance(doc)}</header>`);
  if (doc.warnings.length) body.push(`<ul class="warnings">${doc.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  if (has('best') && doc.best) body.push(`<section id="best"><h2>Best run</h2><p class="rationale">${esc(doc.best.rationale)}</p><p class="muted">Tie rule: ${esc(doc.best.tieRule)}.</p></section>`);
  if (has('summary')) body.push(`<section id="summary"><h2>Runs</h2>${summaryTable(doc)}</section>`);
  if (has('params')) body.push(`<section id="params"><h2>Params</h2>${paramsSection(doc)}</section>`);
  if (has('charts')) body.push(`<section id="charts"><h2>Charts</h2>${chartsSection(doc)}</section>`);
  if (has('images')) body.push(`<section id="images"><h2>Images</h2>${imagesSection(doc)}</section>`);
  if (has('reproducibility')) body.push(`<section id="reproducibility"><h2>Reproducibility</h2>${reproSection(doc)}</section>`);
  if (has('registry')) body.push(`<section id="registry"><h2>Registry</h2>${registrySection(doc)}</section>`);
  body.push(`<footer>Made with Runsight ${esc(doc.manifest.runsightVersion)} from the MLflow store at ${esc(doc.manifest.stores.map((s) => s.path).join(', '))}. Every number is as logged; charts are drawn for display.</footer>`);

  const manifest = `<script type="application/json" id="runsight-manifest">${scriptJson(doc.manifest)}</script>`;
  let tail = manifest;
  let scriptSrc = "'none'";
  if (scripts) {
    const plotly = plotlyBundle();
    const data = `<script type="application/json" id="runsight-data">${scriptJson({ charts: doc.charts, runNames: doc.runs.map((r) => runLabel(r)) })}</script>`;
    tail += `${data}<script>${plotly}</script><script>${REPORT_RUNTIME}</script>`;
    scriptSrc = `'sha256-${sha256(plotly)}' 'sha256-${sha256(REPORT_RUNTIME)}'`;
  }
  const csp = `default-src 'none'; script-src ${scriptSrc}; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Runsight ${esc(doc.manifest.runsightVersion)}">
<title>${esc(doc.title)}</title><style>${STYLE}</style></head>
<body>
${body.join('\n')}
${tail}
</body></html>
`;
}

