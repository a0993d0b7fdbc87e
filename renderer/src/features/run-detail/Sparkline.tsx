import type { MetricPoint } from '../../../../preload/api.ts';
import { sparkline } from '../../lib/sparkline.ts';

export function Sparkline({ history, width = 96, height = 22 }: { history: MetricPoint[] | undefined; width?: number; height?: number }) {
  if (!history) return <span className="spark-placeholder" style={{ width, height }} />;
  const g = sparkline(history, width, height);
  if (!g) return <span className="spark-placeholder muted small" style={{ width, height }} />;
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${g.count} points, min ${g.min}, max ${g.max}`} data-points={g.count}>
      <title>{`${g.count} point${g.count === 1 ? '' : 's'} · min ${g.min} · max ${g.max}`}</title>
      <polyline points={g.points} fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinejoin="round" strokeLinecap="round" vectorEffect="non-scaling-stroke" />
      {g.last ? <circle cx={g.last.x} cy={g.last.y} r="2" fill="currentColor" /> : null}
    </svg>
  );
}
