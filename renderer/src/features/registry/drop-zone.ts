// A drop target's event props and its "a drag is over me" state. Enter/leave are counted because
// they fire for every child element crossed (dragleave of the parent comes after the dragenter of
// the child), and relatedTarget is not always set on drag events. dragenter is cancelled too: per
// the HTML drag-and-drop model only an element that cancels dragenter becomes the drop target.
import { useRef, useState, type DragEvent } from 'react';

export interface DropZone {
  over: boolean;
  props: {
    onDragEnter: (e: DragEvent) => void;
    onDragOver: (e: DragEvent) => void;
    onDragLeave: (e: DragEvent) => void;
    onDrop: (e: DragEvent) => void;
  };
}

export function useDropZone(accepts: (e: DragEvent) => boolean, onDrop: (e: DragEvent) => void, effect: 'copy' | 'move'): DropZone {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const reset = () => {
    depth.current = 0;
    setOver(false);
  };
  return {
    over,
    props: {
      onDragEnter: (e) => {
        if (!accepts(e)) return;
        e.preventDefault();
        depth.current += 1;
        setOver(true);
      },
      onDragOver: (e) => {
        if (!accepts(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = effect;
        if (!over) setOver(true);
      },
      onDragLeave: (e) => {
        if (!accepts(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      },
      onDrop: (e) => {
        reset();
        onDrop(e);
      },
    },
  };
}
