// A ReportDocument → bytes in one format → files on disk, atomically: everything is written to
// temp names beside the target and renamed into place last, so a failure (full disk, no
// permission, Ctrl-C) never leaves a half-written report, and an existing file is kept unless
// the caller forces it.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../../errors.ts';
import { renderInChromium, type RenderedReport } from './chromium.ts';
import { renderCsv } from './render-csv.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';
import type { ReportDocument, ReportFormat } from './types.ts';

/** Who prints HTML to PDF / captures chart PNGs: headless Chromium here, Electron's own in the app. */
export type ReportPrinter = (html: string, want: { pdf?: boolean; charts?: boolean; footer?: string }) => Promise<RenderedReport>;

export const REPORT_MIME: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};
export const REPORT_EXT: Record<ReportFormat, string> = { html: '.html', pdf: '.pdf', md: '.md', csv: '.csv' };

export interface RenderedFiles {
  /** The report itself. */
  main: Buffer;
  /** Markdown only: files beside it, paths relative to it. */
  assets: { path: string; bytes: Buffer }[];
  warnings: string[];
}

/** `runs.md` → `runs-assets`. */
export function assetsDirFor(mdFile: string): string {
  return `${path.basename(mdFile, path.extname(mdFile))}-assets`;
}

export async function renderReport(doc: ReportDocument, format: ReportFormat, opts: { fileName?: string; printer?: ReportPrinter; signal?: AbortSignal } = {}): Promise<RenderedFiles> {
  const printer = opts.printer ?? renderInChromium;
  const warnings = [...doc.warnings];
  switch (format) {
    case 'csv':
      return { main: Buffer.from(renderCsv(doc), 'utf8'), assets: [], warnings };
    case 'html':
      return { main: Buffer.from(renderHtml(doc), 'utf8'), assets: [], warnings };
    case 'pdf': {
      const r = await printer(renderHtml(doc), { pdf: true, footer: doc.title });
      opts.signal?.throwIfAborted();
      if (!r.pdf) throw new EngineError('INTERNAL', 'the PDF printer returned nothing');
      return { main: r.pdf, assets: [], warnings };
    }
    case 'md': {
      let charts: Record<string, Buffer> | undefined;
      let problem: string | undefined;
      if (doc.sections.includes('charts') && doc.charts.length > 0) {
        try {
          charts = (await printer(renderHtml(doc), { charts: true })).charts;
        } catch (e) {
          problem = e instanceof Error ? e.message : String(e);
          warnings.push(`charts not drawn: ${problem}`);
        }
        opts.signal?.throwIfAborted();
      }
      const md = renderMarkdown(doc, assetsDirFor(opts.fileName ?? 'report.md'), charts, problem);
      return { main: Buffer.from(md.markdown, 'utf8'), assets: md.assets, warnings: [...warnings, ...md.warnings] };
    }
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function writeError(target: string, e: unknown): EngineError {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exceeded',
    ENOENT: 'the folder does not exist',
    ENOTDIR: 'a part of the path is not a folder',
    EISDIR: 'it is a folder',
  };
  const reason = (err.code && why[err.code]) ?? err.message;
  return new EngineError(err.code === 'EROFS' ? 'READ_ONLY' : 'STORE_UNREADABLE', `Cannot write the report to ${target}: ${reason}. Nothing was written.`);
}

/**
 * Writes the rendered report to `outPath` (and its assets folder for Markdown). Refuses an
 * existing target unless `force`. Returns every path written.
 */
export async function writeReportFiles(outPath: string, files: RenderedFiles, opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<string[]> {
  const target = path.resolve(outPath);
  const dir = path.dirname(target);
  const assetsRoot = files.assets.length > 0 ? path.join(dir, files.assets[0]?.path.split('/')[0] as string) : null;
  if (!opts.force) {
    for (const p of [target, ...(assetsRoot ? [assetsRoot] : [])]) {
      if (await exists(p)) throw new EngineError('INVALID_ARGUMENT', `${p} already exists (use --force to replace it)`);
    }
  }
  if ((await stat(target).catch(() => null))?.isDirectory()) throw new EngineError('INVALID_ARGUMENT', `${target} is a folder; give a file name`);
  const tag = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmpMain = path.join(dir, `.${path.basename(target)}${tag}`);
  const tmpAssets = assetsRoot ? path.join(dir, `.${path.basename(assetsRoot)}${tag}`) : null;
  const cleanup = async () => {
    await rm(tmpMain, { force: true }).catch(() => undefined);
    if (tmpAssets) await rm(tmpAssets, { recursive: true, force: true }).catch(() => undefined);
  };
  const onAbort = () => void cleanup();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await writeFile(tmpMain, files.main);
    if (tmpAssets && assetsRoot) {
      for (const a of files.assets) {
        const rel = a.path.split('/').slice(1);
        const p = path.join(tmpAssets, ...rel);
        await mkdir(path.dirname(p), { recursive: true });
        await writeFile(p, a.bytes);
      }
    }
    opts.signal?.throwIfAborted();
    const written: string[] = [];
    if (tmpAssets && assetsRoot) {
      await rm(assetsRoot, { recursive: true, force: true });
      await rename(tmpAssets, assetsRoot);
      written.push(...files.assets.map((a) => path.join(dir, ...a.path.split('/'))));
    }
    await rename(tmpMain, target);
    written.unshift(target);
    return written;
  } catch (e) {
    await cleanup();
    if (e instanceof EngineError || (e as Error).name === 'AbortError') throw e;
    throw writeError(target, e);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
