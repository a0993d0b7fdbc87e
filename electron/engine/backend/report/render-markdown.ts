// Markdown for pull-request comments (GitHub-flavoured): tables, the rationale, and charts and
// thumbnails as PNG files in an assets folder beside the .md, linked relatively — no <script>
// and no raw HTML, so `cml comment create`, `gh pr comment --body-file` or a bot can post it as is.
import { chartSlots, formatDuration, formatMetric, formatTime } from './render-html.ts';
import type { ReportDocument } from './types.ts';

export interface MarkdownAsset {
  /** Path relative to the .md file, `/`-separated (inside the assets folder). */
  path: string;
  bytes: Buffer;
}

/** Text safe in a paragraph or a table cell: Markdown punctuation, pipes and HTML neutralised. */
export function mdText(s: string): string {
  return s
    .replace(/\r?\n|\r/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]{}()#+!|~])/g, '\\$1');
}

/** An inline code span that survives any backticks in the value. */
export function mdCode(s: string): string {
  const flat = s.replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|');
  const ticks = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length)) + 1;
  const fence = '`'.repeat(ticks);
  return `${fence}${flat.startsWith('`') || flat.endsWith('`') ? ` ${flat} ` : flat}${fence}`;
}

/** Longest param/tag text in a Markdown cell; the HTML and CSV keep every character. */
export const MD_CELL_CHARS = 200;
/** GitHub refuses longer comment bodies. */
export const GITHUB_COMMENT_LIMIT = 65_536;

function cell(s: string): string {
  if (s.length <= MD_CELL_CHARS) return mdText(s);
  return `${mdText(s.slice(0, MD_CELL_CHARS))}… (${s.length} chars)`;
}

function table(head: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const sep = head.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function dataUrlBytes(url: string): { bytes: Buffer; ext: string } {
  const ext = url.startsWith('data:image/jpeg') ? 'jpg' : 'png';
  return { bytes: Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'), ext };
}

/**
 * @param assetsDir the folder name beside the .md (e.g. `report-assets`)
 * @param charts chart PNGs by chart id (renderInChromium); absent: charts are listed, not drawn
 */
export function renderMarkdown(doc: ReportDocument, assetsDir: string, charts?: Record<string, Buffer>, chartsProblem?: string): { markdown: string; assets: MarkdownAsset[]; warnings: string[] } {
  const assets: MarkdownAsset[] = [];
  const out: string[] = [];
  const has = (s: ReportDocument['sections'][number]) => doc.sections.includes(s);
  const m = doc.manifest;
  const link = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  out.push(`# ${mdText(doc.title)}`, '');
  if (doc.notes.trim()) out.push(...doc.notes.trim().split(/\r?\n/).map((l) => mdText(l) || ''), '');
  const q = m.query;
  const query = q.runIds ? `${q.runIds.length} chosen by id${q.filter ? ` (shown with filter ${mdCode(q.filter)})` : ''}` : q.filter ? `filter ${mdCode(q.filter)}` : 'all runs';
  out.push(
    `- **Store:** ${m.stores.map((s) => `${mdCode(s.path)} (${s.kind === 'file' ? 'file store' : 'SQLite'})`).join(', ')}`,
    `- **Runs:** ${doc.runs.length} — ${query}${q.experimentIds.length ? ` in experiment ${mdText(q.experimentIds.join(', '))}` : ''}${q.orderBy.length ? `, ordered by ${mdCode(q.orderBy.join(', '))}` : ''}`,
    `- **Snapshot:** index generation ${m.generation}, ${m.createdAt}${m.missingRunIds.length ? ` — ${m.missingRunIds.length} requested run(s) missing` : ''}`,
    `- **By:** ${mdText(m.user)} with Runsight ${mdText(m.runsightVersion)} · data SHA-256 ${mdCode(m.dataSha256)}`,
    '',
  );
  for (const w of doc.warnings) out.push(`> **Note:** ${mdText(w)}`, '');
  if (has('best') && doc.best) out.push('## Best run', '', `**${mdText(doc.best.rationale)}**`, '', `Tie rule: ${mdText(doc.best.tieRule)}.`, '');
  if (has('summary')) {
    const differs = doc.columns.params;
    const differing = new Set(doc.params.differing);
    const best = doc.best?.winner?.runId;
    const head = ['Run', 'Run id', 'Status', 'Start', 'Duration', ...differs.map((k) => (differing.has(k) ? `**${mdText(k)}**` : mdText(k))), ...doc.columns.metrics.map(mdText)];
    const rows = doc.runs.map((r) => {
      const name = r.runId === best ? `**${mdText(r.runName || r.runId)}** (best)` : mdText(r.runName || r.runId);
      return [
        name,
        mdCode(r.runId),
        r.status,
        formatTime(r.startTime),
        formatDuration(r.durationMs),
        ...differs.map((k) => (r.params[k] === undefined ? '—' : cell(r.params[k] as string))),
        ...doc.columns.metrics.map((k) => {
          const mv = r.metrics[k];
          return mv ? formatMetric(mv.value) : '';
        }),
      ];
    });
    const align = head.map((_, i) => (i >= 5 + differs.length ? 'r' : 'l') as 'l' | 'r');
    out.push('## Runs', '', table(head, rows, align), '');
  }
  if (has('params')) {
    const identical = Object.entries(doc.params.identical);
    out.push('## Params', '');
    out.push(doc.params.differing.length ? `Differing (bold in the table above): ${doc.params.differing.map(mdCode).join(', ')}` : 'No param differs between the runs.', '');
    if (identical.length) out.push(`Identical in every run: ${identical.map(([k, v]) => mdCode(`${k}=${v}`)).join(', ')}`, '');
  }
  if (has('charts') && doc.charts.length > 0) {
    out.push('## Charts', '');
    if (!charts && chartsProblem) out.push(`> **Note:** charts not drawn: ${mdText(chartsProblem)}`, '');
    for (const slot of chartSlots(doc)) {
      const png = charts?.[slot.id];
      if (png) {
        const p = `${assetsDir}/${slot.id}.png`;
        assets.push({ path: p, bytes: png });
        out.push(`![${mdText(slot.caption)}](${link(p)})`, '', `*${mdText(slot.caption)}*`, '');
      } else out.push(`- ${mdText(slot.caption)}`);
    }
    out.push('');
  }
  if (has('images') && doc.images.length > 0) {
    out.push('## Images', '');
    doc.images.forEach((g, gi) => {
      out.push(`### ${mdCode(g.path)}`, '');
      const cells = g.runs.map((r, ri) => {
        if (!r.dataUrl) return `${mdText(r.runName || r.runId)}: ${mdText(r.problem ?? 'not available')}`;
        const { bytes, ext } = dataUrlBytes(r.dataUrl);
        const p = `${assetsDir}/image-${gi}-${ri}.${ext}`;
        assets.push({ path: p, bytes });
        return `![${mdText(`${g.path} of ${r.runName || r.runId}`)}](${link(p)})`;
      });
      out.push(table(g.runs.map((r) => mdText(r.runName || r.runId)), [cells]), '');
    });
  }
  if (has('reproducibility') && doc.reproducibility.length > 0) {
    out.push('## Reproducibility', '');
    out.push(
      table(
        ['Run', 'Source', 'Git commit', 'Entry point', 'Datasets', 'Logged models'],
        doc.reproducibility.map((r) => [
          mdText(r.runName || r.runId),
          r.source ? mdCode(r.source) : '',
          r.gitCommit ? mdCode(r.gitCommit.slice(0, 12)) : '',
          r.entryPoint ? mdText(r.entryPoint) : '',
          r.datasets.map((d) => `${mdText(d.name)} ${mdCode(d.digest)}`).join(', '),
          r.loggedModels.map((lm) => `${mdText(lm.name)} ${mdCode(lm.modelId)}`).join(', '),
        ]),
      ),
      '',
    );
  }
  if (has('registry') && doc.registry.length > 0) {
    out.push('## Registry', '');
    for (const rm of doc.registry) {
      out.push(`### ${mdText(rm.name)}`, '');
      out.push(table(['Version', 'Stage', 'Aliases', 'Run'], rm.versions.map((v) => [String(v.version), mdText(v.stage), v.aliases.map((a) => mdCode(`@${a}`)).join(' '), `${mdText(v.runName ?? v.runId ?? '')}${v.inReport || !v.runId ? '' : ' (not in this report)'}`])), '');
    }
  }
  out.push('---', `*Made with Runsight ${mdText(m.runsightVersion)}. Every number is as logged${doc.runs.some((r) => Object.values(r.params).some((v) => v.length > MD_CELL_CHARS)) ? `; param values over ${MD_CELL_CHARS} characters are cut here (the HTML and CSV reports hold them whole)` : ''}.*`, '');
  const markdown = out.join('\n');
  const warnings = markdown.length > GITHUB_COMMENT_LIMIT ? [`the Markdown is ${markdown.length} characters, over GitHub's ${GITHUB_COMMENT_LIMIT}-character comment limit: attach it as a file, or report fewer runs or sections`] : [];
  return { markdown, assets, warnings };
}
