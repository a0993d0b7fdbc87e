// How a column's numbers read in charts: times as dates, durations as durations, the rest compactly.
import { parseColumnKey } from '../../core/column-keys.ts';
import { formatDuration, formatNumber, formatTimeExact } from '../../lib/format.ts';

export function formatFor(key: string): (n: number) => string {
  const id = parseColumnKey(key);
  if (id?.kind === 'attribute' && id.key === 'start_time') return formatTimeExact;
  if (id?.kind === 'attribute' && id.key === 'duration') return formatDuration;
  return formatNumber;
}

export function isDateColumn(key: string): boolean {
  return key === 'attributes.start_time';
}
