// What each engine benchmark is given (bench/run.ts builds it): the settings, the stores, and
// the summary table every benchmark adds its rows to.
import type { GeneratedStore, StoreKind } from '../generate-store.ts';
import type { Settings } from './settings.ts';

export interface SummaryRow {
  benchmark: string;
  target: string;
  measured: string;
  status: 'pass' | 'MISS' | 'info';
}

export interface BenchContext {
  settings: Settings;
  /** The cached store of this kind and size, generated first if needed. */
  need(kind: StoreKind, runs: number): Promise<GeneratedStore>;
  log(message: string): void;
  summary: SummaryRow[];
}
