// What Runsight's HTML5 drags carry: a run (from the runs table, the detail panel or a chart, onto
// a registered model) and a model version card (between the registry board's columns). The payload
// travels under custom MIME types, so only Runsight's own drop targets react; a text/plain copy
// (the run id, the version's URI) makes a drop into a text field or another app do something
// useful. A drag source only puts its payload on the drag; the drop side (the registry) notices
// drags by their types.
/** A DOM or a React drag event: both carry the dataTransfer. */
type AnyDragEvent = { dataTransfer: DataTransfer | null };

/** A run dragged from the runs table, the detail panel or a chart (custom type: only our drop targets react). */
export const RUN_DRAG_TYPE = 'application/x-runsight-run+json';
/** A model version card dragged between board columns. */
export const VERSION_DRAG_TYPE = 'application/x-runsight-version+json';

export interface RunDragData {
  storeId: string;
  runId: string;
  runName: string;
}

export interface VersionDragData {
  storeId: string;
  name: string;
  version: number;
  stage: string;
}

export function encodeDrag(data: RunDragData | VersionDragData): string {
  return JSON.stringify(data);
}

export function decodeRunDrag(text: string | null | undefined): RunDragData | null {
  const o = parseObject(text);
  if (!o || typeof o.storeId !== 'string' || typeof o.runId !== 'string' || !o.storeId || !o.runId) return null;
  return { storeId: o.storeId, runId: o.runId, runName: typeof o.runName === 'string' ? o.runName : '' };
}

export function decodeVersionDrag(text: string | null | undefined): VersionDragData | null {
  const o = parseObject(text);
  if (!o || typeof o.storeId !== 'string' || typeof o.name !== 'string' || typeof o.version !== 'number' || !Number.isInteger(o.version)) return null;
  return { storeId: o.storeId, name: o.name, version: o.version, stage: typeof o.stage === 'string' ? o.stage : '' };
}

function parseObject(text: string | null | undefined): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Starts dragging a run. The drag image is a small label (a table row's own snapshot would be the
 * whole row, thousands of pixels wide).
 */
export function startRunDrag(e: AnyDragEvent, run: RunDragData): void {
  const dt = e.dataTransfer;
  if (!dt || !run.storeId) return;
  dt.effectAllowed = 'copy';
  dt.setData(RUN_DRAG_TYPE, encodeDrag(run));
  dt.setData('text/plain', run.runId);
  setLabelImage(dt, `⬡ ${run.runName || run.runId}`);
}

export function startVersionDrag(e: AnyDragEvent, data: VersionDragData): void {
  const dt = e.dataTransfer;
  if (!dt) return;
  dt.effectAllowed = 'move';
  dt.setData(VERSION_DRAG_TYPE, encodeDrag(data));
  dt.setData('text/plain', `models:/${data.name}/${data.version}`);
}

/** During dragover only the types are readable (the data is protected until drop). */
export function carriesRun(e: AnyDragEvent): boolean {
  return !!e.dataTransfer && Array.from(e.dataTransfer.types).includes(RUN_DRAG_TYPE);
}

export function carriesVersion(e: AnyDragEvent): boolean {
  return !!e.dataTransfer && Array.from(e.dataTransfer.types).includes(VERSION_DRAG_TYPE);
}

export function droppedRun(e: AnyDragEvent): RunDragData | null {
  return decodeRunDrag(e.dataTransfer?.getData(RUN_DRAG_TYPE));
}

export function droppedVersion(e: AnyDragEvent): VersionDragData | null {
  return decodeVersionDrag(e.dataTransfer?.getData(VERSION_DRAG_TYPE));
}

function setLabelImage(dt: DataTransfer, text: string): void {
  const el = document.createElement('div');
  el.className = 'reg-drag-image';
  el.textContent = text.length > 60 ? `${text.slice(0, 59)}…` : text;
  document.body.appendChild(el);
  dt.setDragImage(el, 12, 14);
  // The browser snapshots the element synchronously; it can go right after.
  setTimeout(() => el.remove(), 0);
}
