// The report methods of the contract (previewReport / exportReport / cancelReport): the same
// document builder and renderers as `runsight report`, with progress events and cancel. Where the
// report goes is the host's decision, never the renderer's: Electron asks with its save dialog
// (pickSavePath) and writes the file here; browser mode has no dialog, so the bytes go back to
// be downloaded (Markdown with its PNGs as one .zip).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { zipSync } from 'fflate';
import type { Engine } from '../../engine.ts';
import { buildReportDocument } from './document.ts';
import { REPORT_EXT, REPORT_MIME, renderReport, writeReportFiles, type ReportPrinter } from './export.ts';
import { renderHtml } from './render-html.ts';
import type { ReportExportResult, ReportFormat, ReportPreview, ReportProgress, ReportRequest } from './types.ts';

export interface ReportServiceOptions {
  version: string;
  user: () => Promise<string>;
  /** The host's save dialog; absent (browser mode): the report comes back as data. */
  pickSavePath?: (defaultName: string, format: ReportFormat) => Promise<string | null>;
  printer?: ReportPrinter;
  progress: (p: ReportProgress) => void;
}

function slug(title: string): string {
  const s = title
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .toLowerCase()
    .slice(0, 60);
  return s || 'runsight-report';
}

export type ReportService = ReturnType<typeof createReportService>;

export function createReportService(engine: Engine, options: ReportServiceOptions) {
  const jobs = new Map<string, AbortController>();

  async function build(request: ReportRequest, jobId: string, signal: AbortSignal) {
    return buildReportDocument(engine, request, {
      version: options.version,
      user: await options.user(),
      checkpoint: (phase, done, total) => {
        signal.throwIfAborted();
        options.progress({ jobId, phase, done, total });
      },
    });
  }

  return {
    async preview(request: ReportRequest): Promise<ReportPreview> {
      const doc = await build(request, 'preview', new AbortController().signal);
      return { html: renderHtml(doc, { scripts: false }), runs: doc.runs.length, rationale: doc.best?.rationale ?? null, warnings: doc.warnings };
    },

    async export(args: { request: ReportRequest; format: ReportFormat; jobId?: string }): Promise<ReportExportResult> {
      const jobId = args.jobId ?? randomUUID();
      const controller = new AbortController();
      jobs.set(jobId, controller);
      try {
        const doc = await build(args.request, jobId, controller.signal);
        const base = slug(doc.title);
        let target: string | null = null;
        if (options.pickSavePath) {
          target = await options.pickSavePath(`${base}${REPORT_EXT[args.format]}`, args.format);
          if (!target) return { saved: false, path: null, fileName: '', mime: '', bytes: 0, data: null, warnings: [], manifest: null };
        }
        options.progress({ jobId, phase: 'rendering', done: 0, total: 1 });
        const fileName = target ? path.basename(target) : `${base}${REPORT_EXT[args.format]}`;
        const files = await renderReport(doc, args.format, { fileName, printer: options.printer, signal: controller.signal });
        controller.signal.throwIfAborted();
        options.progress({ jobId, phase: 'writing', done: 0, total: 1 });
        if (target) {
          // The user confirmed the dialog's own "replace?" question.
          await writeReportFiles(target, files, { force: true, signal: controller.signal });
          return { saved: true, path: target, fileName, mime: REPORT_MIME[args.format], bytes: files.main.length, data: null, warnings: files.warnings, manifest: doc.manifest };
        }
        if (args.format === 'md' && files.assets.length > 0) {
          const zip = zipSync({ [fileName]: files.main, ...Object.fromEntries(files.assets.map((a) => [a.path, a.bytes])) }, { level: 6 });
          const zipName = `${path.basename(fileName, '.md')}.zip`;
          return { saved: true, path: null, fileName: zipName, mime: 'application/zip', bytes: zip.length, data: Buffer.from(zip).toString('base64'), warnings: files.warnings, manifest: doc.manifest };
        }
        return { saved: true, path: null, fileName, mime: REPORT_MIME[args.format], bytes: files.main.length, data: files.main.toString('base64'), warnings: files.warnings, manifest: doc.manifest };
      } finally {
        jobs.delete(jobId);
        options.progress({ jobId, phase: 'done', done: 1, total: 1 });
      }
    },

    cancel(jobId: string): { cancelled: boolean } {
      const c = jobs.get(jobId);
      c?.abort();
      return { cancelled: c !== undefined };
    },
  };
}
