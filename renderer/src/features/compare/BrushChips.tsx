// Brushes from the parallel-coordinates chart, as removable chips beside the filter box: the
// table is filtered by them on top of the typed filter.
import { brushLabel } from '../../core/brush.ts';
import { columnLabel } from '../../core/column-keys.ts';
import { formatNumber } from '../../lib/format.ts';
import { useApp } from '../../state/store.ts';
import { currentBrushes, removeBrush, setBrushes } from './compare-loader.ts';
import { CompareIcon } from './icons.tsx';

export function BrushChips() {
  const brushes = useApp(currentBrushes);
  const byIds = useApp((s) => (s.brush?.runIds ? s.brush.runIds.length : null));
  if (brushes.length === 0) return null;
  return (
    <div className="brush-chips" data-testid="brush-chips">
      {brushes.map((b) => {
        const text = brushLabel(b, columnLabel(b.key), formatNumber);
        return (
          <span key={b.key} className="brush-chip" title={`${text}\nFrom the parallel coordinates; the table shows only runs inside it.`} data-testid={`brush-chip-${b.key}`}>
            <CompareIcon />
            <span className="brush-chip-text">{text}</span>
            <button type="button" className="brush-chip-x" aria-label={`Remove the ${columnLabel(b.key)} brush`} onClick={() => removeBrush(b.key)} data-testid={`brush-chip-remove-${b.key}`}>
              ×
            </button>
          </span>
        );
      })}
      {byIds !== null ? (
        <span className="muted small" title="Some brushes cannot be written as a filter (derived columns, very many values): the table is restricted to the runs inside them when they were drawn.">
          {byIds} runs by id
        </span>
      ) : null}
      {brushes.length > 1 ? (
        <button type="button" className="link-button small" onClick={() => setBrushes([])} data-testid="brush-clear">
          Clear
        </button>
      ) : null}
    </div>
  );
}
