// Export a comparison report: format, title and notes, which sections, a live preview of the
// report (its static markup in a frame with an empty sandbox: no scripts run in it), then save
// (Electron's dialog) or download (browser mode), with progress and cancel.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ReportExportResult, ReportFormat, ReportSection } from '../../../../preload/api.ts';
import { useApp } from '../../state/store.ts';
import { Segmented } from '../../ui/controls.tsx';
import { FORMATS, SECTION_LABELS, cancelReport, exportReport, previewReport, reportRequestFor } from './export-loader.ts';

const ALL_SECTIONS = SECTION_LABELS.map((s) => s.id);

export function ExportReportButton({ runIds, label = 'Export', testId = 'export-report' }: { runIds: readonly string[]; label?: string; testId?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button" disabled={runIds.length === 0} onClick={() => setOpen(true)} data-testid={testId} title="Export a comparison report: HTML, PDF, Markdown or CSV">
        <span aria-hidden="true" className="button-icon">
          ⤓
        </span>
        {label}
      </button>
      {open ? <ExportDialog runIds={runIds} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

/** Export a report of the selected runs, straight from the table's toolbar. */
export function SelectionExport() {
  const selected = useApp((s) => s.selection.selected);
  if (selected.length === 0) return null;
  return <ExportReportButton runIds={selected} label={`Export ${selected.length}`} testId="selection-export" />;
}

function ExportDialog({ runIds: shown, onClose }: { runIds: readonly string[]; onClose: () => void }) {
  // The runs on screen when the dialog opened: a live update does not change what is exported.
  const [runIds] = useState(() => [...shown]);
  const host = useApp((s) => s.host ?? 'browser');
  const [format, setFormat] = useState<ReportFormat>('html');
  const [title, setTitle] = useState('');
  const [notes, setNotes] = useState('');
  const [sections, setSections] = useState<ReportSection[]>(ALL_SECTIONS);
  const [preview, setPreview] = useState<{ html: string; runs: number; rationale: string | null; warnings: string[] } | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [job, setJob] = useState<{ id: string; phase: string; done: number; total: number } | null>(null);
  const [result, setResult] = useState<ReportExportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cancelled = useRef(false);
  // The request is fixed when the dialog opens (the runs on screen then), apart from its own fields.
  const base = useMemo(() => reportRequestFor(useApp.getState(), runIds, { title: '', notes: '', sections: ALL_SECTIONS }), [runIds]);
  const request = useMemo(() => (base ? { ...base, title, notes, sections } : null), [base, title, notes, sections]);

  useEffect(() => {
    if (!request) return;
    let live = true;
    const t = setTimeout(() => {
      previewReport(request).then(
        (p) => {
          if (!live) return;
          setPreview(p);
          setPreviewError(null);
        },
        (e: unknown) => live && setPreviewError(e instanceof Error ? e.message : String(e)),
      );
    }, 350);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [request]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !job) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [job, onClose]);

  const start = async () => {
    if (!request) return;
    const id = crypto.randomUUID();
    cancelled.current = false;
    setError(null);
    setResult(null);
    setJob({ id, phase: 'starting', done: 0, total: 1 });
    try {
      const r = await exportReport(request, format, id, (phase, done, total) => setJob((j) => (j && j.id === id ? { id, phase, done, total } : j)));
      if (r.saved) setResult(r);
    } catch (e) {
      if (!cancelled.current) setError(e instanceof Error ? e.message : String(e));
    } finally {
      setJob(null);
    }
  };

  const toggle = (id: ReportSection) => setSections((s) => (s.includes(id) ? s.filter((x) => x !== id) : ALL_SECTIONS.filter((x) => x === id || s.includes(x))));
  const pct = job && job.total > 0 ? Math.round((100 * job.done) / job.total) : 0;

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !job && onClose()}>
      <div className="modal export-dialog" role="dialog" aria-modal="true" aria-labelledby="export-title" data-testid="export-dialog">
        <div className="export-head">
          <h2 id="export-title">Export report</h2>
          <span className="muted small">
            {runIds.length} run{runIds.length === 1 ? '' : 's'}
          </span>
          <div className="topbar-spacer" />
          <button type="button" className="icon-button" aria-label="Close" onClick={onClose} disabled={job !== null}>
            ×
          </button>
        </div>
        <div className="export-body">
          <div className="export-form">
            <Segmented label="Format" value={format} onChange={setFormat} testId="export-format" options={FORMATS.map((f) => ({ id: f.id, label: f.label, title: f.title }))} />
            <label className="export-field">
              <span>Title</span>
              <input className="input" value={title} placeholder={preview ? undefined : 'Comparison of runs'} onChange={(e) => setTitle(e.target.value)} data-testid="export-title" maxLength={500} />
            </label>
            <label className="export-field">
              <span>Notes</span>
              <textarea className="input" rows={4} value={notes} onChange={(e) => setNotes(e.target.value)} data-testid="export-notes" maxLength={50_000} placeholder="What was compared, and why this run" />
            </label>
            <fieldset className="export-sections">
              <legend>Sections</legend>
              {SECTION_LABELS.map((s) => (
                <label key={s.id}>
                  <input type="checkbox" checked={sections.includes(s.id)} onChange={() => toggle(s.id)} data-testid={`export-section-${s.id}`} /> {s.label}
                </label>
              ))}
            </fieldset>
            {preview?.rationale ? <p className="export-rationale small">{preview.rationale}</p> : null}
            {preview && preview.warnings.length > 0 ? (
              <ul className="export-warnings small" data-testid="export-warnings">
                {preview.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            ) : null}
            {error ? (
              <div className="banner error" role="alert" data-testid="export-error">
                {error}
              </div>
            ) : null}
            {result ? (
              <div className="banner ok" data-testid="export-done" data-file={result.fileName}>
                {result.path ? `Saved to ${result.path}` : `Downloaded ${result.fileName}`} ({formatBytes(result.bytes)})
              </div>
            ) : null}
            <div className="export-actions">
              {job ? (
                <>
                  <div className="progress" data-testid="export-progress">
                    <div className="progress-track">
                      <div className={`progress-fill${job.total <= 1 ? ' indeterminate' : ''}`} style={job.total > 1 ? ({ '--progress': pct / 100 } as React.CSSProperties) : undefined} />
                    </div>
                    {job.phase}
                  </div>
                  <button
                    type="button"
                    className="button"
                    onClick={() => {
                      cancelled.current = true;
                      void cancelReport(job.id);
                    }}
                    data-testid="export-cancel"
                  >
                    Cancel
                  </button>
                </>
              ) : (
                <button type="button" className="button primary" onClick={() => void start()} disabled={!request || sections.length === 0} data-testid="export-save">
                  {host === 'electron' ? 'Save…' : 'Download'}
                </button>
              )}
            </div>
          </div>
          <div className="export-preview">
            {previewError ? (
              <div className="banner error" role="alert">
                {previewError}
              </div>
            ) : preview ? (
              // Empty sandbox: the preview's markup cannot run scripts, navigate or submit.
              <iframe className="export-frame" sandbox="" srcDoc={preview.html} title="Report preview" referrerPolicy="no-referrer" data-testid="export-preview" />
            ) : (
              <div className="cmp-empty">
                <span className="spinner" aria-label="Loading preview" />
              </div>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
