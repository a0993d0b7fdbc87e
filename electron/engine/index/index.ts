// The run index: one in-memory sql.js database holding every open store, fed with model objects
// (StoreSnapshot, then StoreChange) and answering the UI's queries. This folder is the only place
// SQL for the index lives.
//
// Map of the folder:
//   schema.ts        tables and why they look like that (record store; per-store run tables)
//   ingest.ts        snapshot / change -> SQL rows + the store's RunTable
//   run-table.ts     per-store typed-array columns that queryRuns scopes, filters and sorts
//   filter-parser.ts MLflow search syntax + OR / parentheses / NOT, positioned QueryErrors
//   run-filter.ts    filter semantics (missing keys, NaN, LIKE/ILIKE, datasets)
//   run-order.ts     ordering (nulls last, NaN before missing, numeric-aware params, paging)
//   run-groups.ts    grouping by a param/tag/attribute: counts, finite-only metric aggregates
//   queries.ts       the read API
//
// Measured with tests/index/bench-index.ts (100k runs x 10 params x 10 metrics x 5 tags, CPU
// time of the process, on a loaded 2-core machine): queryRuns filter + sort 2-12 ms median,
// <= 27 ms p95; applySnapshot 10k runs ~0.45 s, 100k runs ~5 s; the index's own memory at 100k
// runs ~185 MB (sql.js wasm heap ~108 MB, JS columns ~75 MB).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import type { StoreSnapshot } from '../model.ts';
import type { StoreChange } from '../stores/reader.ts';
import { IndexDb } from './index-db.ts';
import { Ingester } from './ingest.ts';
import { Queries } from './queries.ts';
import type { RunIndex, RunIndexOptions } from './types.ts';

export { QueryError } from './query-error.ts';
export { formatIdentifier, parseFilter, parseOrderBy } from './filter-parser.ts';
export type { Comparison, Entity, FilterNode, Operator, OrderTerm } from './filter-parser.ts';
export type {
  Aggregate,
  ExperimentSummary,
  GroupAttribute,
  GroupKey,
  GroupQuery,
  GroupResult,
  LatestMetric,
  MetricAggregate,
  LifecycleFilter,
  OrderByItem,
  RunIndex,
  RunIndexOptions,
  RunGroupCondition,
  RunGroupSummary,
  RunQuery,
  RunRow,
} from './types.ts';

/** Where sql.js keeps its wasm in node_modules (bundled builds pass wasmPath/wasmBinary instead). */
export function defaultWasmPath(): string {
  return createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
}

// One wasm instance per binary source, shared by all indexes of the process (tests create many).
const modules = new Map<string, Promise<SqlJsStatic>>();

function loadSqlJs(options: RunIndexOptions): Promise<SqlJsStatic> {
  if (options.wasmBinary !== undefined) {
    const bytes = options.wasmBinary instanceof Uint8Array ? options.wasmBinary : new Uint8Array(options.wasmBinary);
    return initSqlJs({ wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
  }
  const wasmPath = options.wasmPath ?? defaultWasmPath();
  let mod = modules.get(wasmPath);
  if (!mod) {
    const bytes = readFileSync(wasmPath);
    mod = initSqlJs({ wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
    mod.catch(() => modules.delete(wasmPath));
    modules.set(wasmPath, mod);
  }
  return mod;
}

export async function createRunIndex(options: RunIndexOptions = {}): Promise<RunIndex> {
  const SQL = await loadSqlJs(options);
  const db = new IndexDb(new SQL.Database());
  const ingest = new Ingester(db);
  const queries = new Queries(db);
  let closed = false;
  const open = (): void => {
    if (closed) throw new Error('index: used after close()');
  };
  return {
    applySnapshot: (snap: StoreSnapshot) => (open(), ingest.applySnapshot(snap)),
    beginSnapshot: (info, expectedRuns) => (open(), ingest.beginSnapshot(info, expectedRuns)),
    addSnapshotRuns: (storeId, runs) => (open(), ingest.addSnapshotRuns(storeId, runs)),
    addSnapshotExperiments: (storeId, experiments) => (open(), ingest.addSnapshotExperiments(storeId, experiments)),
    endSnapshot: (snap) => (open(), ingest.endSnapshot(snap)),
    applyChange: (storeId: string, change: StoreChange) => (open(), ingest.applyChange(storeId, change)),
    removeStore: (storeId) => (open(), ingest.removeStore(storeId)),
    listStores: () => (open(), queries.listStores()),
    listExperiments: (q) => (open(), queries.listExperiments(q)),
    queryRuns: (q) => (open(), queries.queryRuns(q)),
    queryRunIds: (q) => (open(), queries.queryRunIds(q)),
    queryGroups: (q) => (open(), queries.queryGroups(q)),
    getRun: (q) => (open(), queries.getRun(q)),
    listColumns: (q) => (open(), queries.listColumns(q)),
    listLoggedModels: (q) => (open(), queries.listLoggedModels(q)),
    listRegisteredModels: (q) => (open(), queries.listRegisteredModels(q)),
    getRegisteredModel: (q) => (open(), queries.getRegisteredModel(q)),
    stats: () => (open(), queries.stats()),
    close: () => {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
