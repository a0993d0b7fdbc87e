// HTML5 drag and drop of runs (onto registry models) and of version cards (between board columns).
// The payload travels under custom MIME types, so only Runsight's own drop targets react; a
// text/plain copy (the run id) makes a drop into a text field or another app do something useful.
// Drag sources elsewhere (runs table rows, the detail panel, charts) call `startRunDrag`.
import type { DragEvent as ReactDragEvent } from 'react';
import { useApp } from '../../state/store.ts';
import { decodeRunDrag, decodeVersionDrag, encodeDrag, RUN_DRAG_TYPE, VERSION_DRAG_TYPE, type RunDragData, type VersionDragData } from './registry-model.ts';
import { useRegistry } from './registry-store.ts';

type AnyDragEvent = ReactDragEvent | DragEvent;

/**
 * Starts dragging a run. `storeId` defaults to the store the runs table shows. The drag image is a
 * small label (a table row's own snapshot would be the whole row, thousands of pixels wide).
 */
export function startRunDrag(e: AnyDragEvent, runId: string, runName: string, storeId: string | null = useApp.getState().storeId): void {
  const dt = e.dataTransfer;
  if (!dt || !storeId) return;
  dt.effectAllowed = 'copy';
  dt.setData(RUN_DRAG_TYPE, encodeDrag({ storeId, runId, runName }));
  dt.setData('text/plain', runId);
  setLabelImage(dt, `⬡ ${runName || runId}`);
  // Unfold the dock after the drag has started: changing the page inside dragstart can cancel it.
  setTimeout(() => useRegistry.setState({ draggingRun: true }), 0);
}

export function endRunDrag(): void {
  useRegistry.setState({ draggingRun: false });
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
