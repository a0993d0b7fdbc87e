// The registry dock unfolds while a run is dragged anywhere in the app and folds back when the
// drag ends. Drag sources (runs table rows, the detail panel, charts) only put the run on the drag
// (core/drag-data.ts); the registry notices it by its type, so no source knows the registry.
import { carriesRun } from '../../core/drag-data.ts';
import { useRegistry } from './registry-store.ts';

function onDragStart(e: DragEvent): void {
  // Unfold the dock after the drag has started: changing the page inside dragstart can cancel it.
  if (carriesRun(e)) setTimeout(() => useRegistry.setState({ draggingRun: true }), 0);
}

export function endRunDrag(): void {
  useRegistry.setState({ draggingRun: false });
}

/** Follows every drag of the page; returns the unsubscribe. */
export function watchRunDrags(): () => void {
  window.addEventListener('dragstart', onDragStart);
  // A drag that ends anywhere (dropped elsewhere, cancelled with Esc) folds the dock back.
  window.addEventListener('dragend', endRunDrag);
  window.addEventListener('drop', endRunDrag);
  return () => {
    window.removeEventListener('dragstart', onDragStart);
    window.removeEventListener('dragend', endRunDrag);
    window.removeEventListener('drop', endRunDrag);
  };
}
