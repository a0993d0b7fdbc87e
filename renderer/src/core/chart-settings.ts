// The compare views' persisted settings, kept per experiment selection in the scope settings
// (`scopeSettings[scope].charts`, one entry per view so a new view never migrates the others). What
// comes back from localStorage is untrusted (an older version, a hand edit): every field is
// checked and falls back to its default on its own.

export type CompareTab = 'parallel' | 'scatter' | 'curves' | 'diff' | 'groups';
export const COMPARE_TABS: { id: CompareTab; label: string }[] = [
  { id: 'parallel', label: 'Parallel coordinates' },
  { id: 'scatter', label: 'Scatter' },
  { id: 'curves', label: 'Metric curves' },
  { id: 'diff', label: 'Diff' },
  { id: 'groups', label: 'Groups' },
];

/** Which runs the charts show: every run matching the filter, or only the selected ones. */
export type CompareSet = 'matching' | 'selected';

export interface PanelSettings {
  open: boolean;
  tab: CompareTab;
  /** Height of the compare panel in px; null: about half the window. */
  height: number | null;
  set: CompareSet;
}

export interface ParcoordsSettings {
  /** Axis column keys in order; null: the defaults (params that vary + primary metric). */
  axes: string[] | null;
  /** Axes drawn on a log scale. */
  log: string[];
  /** Column the lines are coloured by; null: the primary metric. */
  colorBy: string | null;
}

export interface ScatterSettings {
  x: string | null;
  y: string | null;
  color: string | null;
  size: string | null;
  logX: boolean;
  logY: boolean;
}

export type CurveX = 'step' | 'wall' | 'relative';

export interface CurvesSettings {
  /** Metric keys (without `metrics.`); null: the primary metric. */
  keys: string[] | null;
  x: CurveX;
  /** EMA weight 0..0.99. */
  smoothing: number;
  logY: boolean;
  /** One mean line and min–max band per group (Groups tab's "group by") instead of per run. */
  grouped: boolean;
}

export interface DiffSettings {
  onlyDiff: boolean;
}

export type GroupAggregate = 'mean' | 'min' | 'max';

export interface GroupSettings {
  /**
   * `params.<k>`, `tags.<k>`, `attributes.status` / `user_id` / `run_name` / `source`; null: no
   * grouping. One setting for both the runs table (grouped in place) and the Groups tab.
   */
  by: string | null;
  /** Which aggregate the grouped runs table shows in the group header rows. */
  aggregate: GroupAggregate;
}

export type Direction = 'min' | 'max';

export interface BestSettings {
  /** Metric key (without `metrics.`); null: no "best by". */
  metric: string | null;
  direction: Direction;
}

export interface ChartSettings {
  panel: PanelSettings;
  parcoords: ParcoordsSettings;
  scatter: ScatterSettings;
  curves: CurvesSettings;
  diff: DiffSettings;
  group: GroupSettings;
  best: BestSettings;
  /** Starred runs: always part of the compare set, whatever the filter. */
  pinned: string[];
}

export type ChartView = keyof ChartSettings;

export const DEFAULT_CHARTS: ChartSettings = {
  panel: { open: false, tab: 'parallel', height: null, set: 'matching' },
  parcoords: { axes: null, log: [], colorBy: null },
  scatter: { x: null, y: null, color: null, size: null, logX: false, logY: false },
  curves: { keys: null, x: 'step', smoothing: 0, logY: false, grouped: false },
  diff: { onlyDiff: false },
  group: { by: null, aggregate: 'mean' },
  best: { metric: null, direction: 'min' },
  pinned: [],
};

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}
function str(v: unknown, d: string | null): string | null {
  return typeof v === 'string' && v !== '' ? v : d;
}
function bool(v: unknown, d: boolean): boolean {
  return typeof v === 'boolean' ? v : d;
}
function strings(v: unknown): string[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...new Set(v as string[])] : null;
}
function oneOf<T extends string>(v: unknown, allowed: readonly T[], d: T): T {
  return allowed.includes(v as T) ? (v as T) : d;
}

export function readChartSettings(charts: Obj | undefined): ChartSettings {
  const c = obj(charts);
  const panel = obj(c.panel);
  const pc = obj(c.parcoords);
  const sc = obj(c.scatter);
  const cu = obj(c.curves);
  const best = obj(c.best);
  const height = typeof panel.height === 'number' && Number.isFinite(panel.height) && panel.height > 0 ? panel.height : null;
  const smoothing = typeof cu.smoothing === 'number' && Number.isFinite(cu.smoothing) ? Math.min(0.99, Math.max(0, cu.smoothing)) : 0;
  return {
    panel: {
      open: bool(panel.open, false),
      tab: oneOf(panel.tab, COMPARE_TABS.map((t) => t.id), 'parallel'),
      height,
      set: oneOf(panel.set, ['matching', 'selected'] as const, 'matching'),
    },
    parcoords: { axes: strings(pc.axes), log: strings(pc.log) ?? [], colorBy: str(pc.colorBy, null) },
    scatter: {
      x: str(sc.x, null),
      y: str(sc.y, null),
      color: str(sc.color, null),
      size: str(sc.size, null),
      logX: bool(sc.logX, false),
      logY: bool(sc.logY, false),
    },
    curves: { keys: strings(cu.keys), x: oneOf(cu.x, ['step', 'wall', 'relative'] as const, 'step'), smoothing, logY: bool(cu.logY, false), grouped: bool(cu.grouped, false) },
    diff: { onlyDiff: bool(obj(c.diff).onlyDiff, false) },
    group: { by: str(obj(c.group).by, null), aggregate: oneOf(obj(c.group).aggregate, ['mean', 'min', 'max'] as const, 'mean') },
    best: { metric: str(best.metric, null), direction: oneOf(best.direction, ['min', 'max'] as const, 'min') },
    pinned: strings(c.pinned) ?? [],
  };
}

/** The `charts` record with one view's settings replaced (the others untouched, unknown keys kept). */
export function withChartView<V extends ChartView>(charts: Obj | undefined, view: V, value: ChartSettings[V]): Obj {
  return { ...obj(charts), [view]: value };
}
