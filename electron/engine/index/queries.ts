// Read side of the index: everything the UI asks for. queryRuns scopes, filters, counts and
// orders runs on the store's RunTable (run-filter.ts, run-order.ts) and reads only the page's
// rows from SQL; everything else is read from SQL.
import type { SqlValue } from 'sql.js';
import type {
  LifecycleStage,
  LoggedModel,
  MetricPoint,
  RegisteredModel,
  Run,
  RunStatus,
  StoreInfo,
  StoreKind,
} from '../model.ts';
import { parseFilter, parseOrderBy, type FilterNode } from './filter-parser.ts';
import type { IndexDb } from './index-db.ts';
import { decodeJson } from './json-codec.ts';
import { compileFilter } from './run-filter.ts';
import { groupPredicate, groupRuns } from './run-groups.ts';
import { firstK, runComparator } from './run-order.ts';
import { compareStrings, LC_ACTIVE, LC_DELETED, type RunTable } from './run-table.ts';
import { KIND_METRIC, KIND_PARAM, KIND_TAG, storeTables } from './schema.ts';
import type { ExperimentSummary, GroupQuery, GroupResult, LatestMetric, LifecycleFilter, RunQuery, RunRow } from './types.ts';

const DEFAULT_LIMIT = 100;
const ROW_CHUNK = 500;

/** What runs.io holds (JSON), null in the column when all lists are empty. */
interface RunInputsOutputs {
  inputs: Run['inputs'];
  outputs: Run['outputs'];
}

const byString = compareStrings;

/** `column IN (...)`; long lists go through one JSON parameter (SQLite caps bound variables). */
function inList(column: string, values: readonly string[], params: SqlValue[]): string {
  if (values.length <= 50) {
    params.push(...values);
    return `${column} IN (${values.map(() => '?').join(', ')})`;
  }
  params.push(JSON.stringify(values));
  return `${column} IN (SELECT value FROM json_each(?))`;
}

function metricValue(value: SqlValue, negzero: SqlValue): number {
  if (value === null) return NaN;
  return negzero === 1 ? -0 : (value as number);
}

function sortedRecord<T>(entries: [string, T][]): Record<string, T> {
  entries.sort((a, b) => byString(a[0], b[0]));
  const out: Record<string, T> = {};
  for (const [k, v] of entries) out[k] = v;
  return out;
}

const EMPTY_IO: RunInputsOutputs = { inputs: { datasets: [], models: [] }, outputs: { models: [] } };

export class Queries {
  private readonly db: IndexDb;

  constructor(db: IndexDb) {
    this.db = db;
  }

  listStores(): StoreInfo[] {
    return this.db.all('SELECT id, kind, path, artifact_root, schema_revision, has_schema_revision FROM stores ORDER BY sid').map((r) => {
      const info: StoreInfo = { id: r[0] as string, kind: r[1] as StoreKind, path: r[2] as string, artifactRoot: r[3] as string };
      if (r[5] === 1) info.schemaRevision = r[4] as string | null;
      return info;
    });
  }

  listExperiments(q: { storeId?: string; lifecycle?: LifecycleFilter }): ExperimentSummary[] {
    const params: SqlValue[] = [];
    const where: string[] = [];
    if (q.storeId !== undefined) {
      const sid = this.db.sids.get(q.storeId);
      if (sid === undefined) return [];
      where.push('e.sid = ?');
      params.push(sid);
    }
    const lifecycle = q.lifecycle ?? 'active';
    if (lifecycle !== 'all') {
      where.push('e.lifecycle = ?');
      params.push(lifecycle);
    }
    const sql = `SELECT s.id, e.sid, e.exp_id, e.name, e.artifact_location, e.lifecycle, e.creation_time,
        e.last_update_time, e.tags
      FROM experiments e JOIN stores s ON s.sid = e.sid
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY e.sid, length(e.exp_id), e.exp_id`;
    const counts = new Map<number, Map<string, { active: number; deleted: number }>>();
    const countsOf = (sid: number) => {
      let c = counts.get(sid);
      if (c === undefined) {
        c = this.db.tables.get(sid)?.runCounts() ?? new Map();
        counts.set(sid, c);
      }
      return c;
    };
    return this.db.all(sql, params).map((r) => ({
      experimentId: r[2] as string,
      name: r[3] as string,
      artifactLocation: r[4] as string,
      lifecycleStage: r[5] as LifecycleStage,
      creationTime: r[6] as number | null,
      lastUpdateTime: r[7] as number | null,
      tags: decodeJson<Record<string, string>>(r[8] as string),
      storeId: r[0] as string,
      runCounts: { ...(countsOf(r[1] as number).get(r[2] as string) ?? { active: 0, deleted: 0 }) },
    }));
  }

  queryRuns(q: RunQuery): { rows: RunRow[]; total: number } {
    // Parse first: a bad filter is an error even for an unknown store.
    const ast = parseFilter(q.filter ?? '');
    const orders = (q.orderBy ?? []).map((o, i) => parseOrderBy(o, i));
    const sid = this.db.sids.get(q.storeId);
    if (sid === undefined) return { rows: [], total: 0 };
    const table = this.db.tables.get(sid);
    if (table === undefined) return { rows: [], total: 0 };
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const limit = Math.max(0, Math.floor(q.limit ?? DEFAULT_LIMIT));

    const { slots, n } = this.matching(table, q, ast);
    const page = firstK(slots, n, offset + limit, runComparator(table, orders, slots, n)).slice(offset);
    return { rows: this.rows(sid, page.map((s) => table.rid[s]!), q.storeId), total: n };
  }

  queryRunIds(q: RunQuery): { runIds: string[]; total: number } {
    const ast = parseFilter(q.filter ?? '');
    const orders = (q.orderBy ?? []).map((o, i) => parseOrderBy(o, i));
    const sid = this.db.sids.get(q.storeId);
    const table = sid === undefined ? undefined : this.db.tables.get(sid);
    if (table === undefined) return { runIds: [], total: 0 };
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const limit = Math.max(0, Math.floor(q.limit ?? DEFAULT_LIMIT));
    const { slots, n } = this.matching(table, q, ast);
    const page = firstK(slots, n, offset + limit, runComparator(table, orders, slots, n)).slice(offset);
    return { runIds: page.map((s) => table.runId.get(s)!), total: n };
  }

  queryGroups(q: GroupQuery): GroupResult {
    const ast = parseFilter(q.filter ?? '');
    const sid = this.db.sids.get(q.storeId);
    const table = sid === undefined ? undefined : this.db.tables.get(sid);
    if (table === undefined) return { groups: [], totalGroups: 0, total: 0 };
    const { slots, n } = this.matching(table, q, ast);
    return { ...groupRuns(table, slots, n, q), total: n };
  }

  /**
   * Slots of the runs in the query's scope (experiments, lifecycle, runIds, group) that pass the
   * filter.
   */
  private matching(t: RunTable, q: Pick<RunQuery, 'experimentIds' | 'lifecycle' | 'runIds' | 'group'>, ast: FilterNode | null): { slots: Int32Array; n: number } {
    let allowed: Uint8Array | null = null;
    if (q.experimentIds.length > 0) {
      allowed = new Uint8Array(t.experiment.dict.length);
      for (const id of q.experimentIds) {
        const code = t.experiment.lookup(id);
        if (code >= 0) allowed[code] = 1;
      }
    }
    const lifecycle = q.lifecycle ?? 'active';
    const lc = lifecycle === 'active' ? LC_ACTIVE : lifecycle === 'deleted' ? LC_DELETED : -1;
    const pred = ast === null ? null : compileFilter(ast, t);
    const inGroup = q.group === undefined ? null : groupPredicate(t, q.group);
    const slots = new Int32Array(q.runIds !== undefined ? q.runIds.length : t.top);
    let n = 0;
    const { alive, lifecycle: lcs, experiment } = t;
    const consider = (s: number): void => {
      if (alive[s] !== 1) return;
      if (lc >= 0 && lcs[s] !== lc) return;
      if (allowed !== null && allowed[experiment.code(s)] !== 1) return;
      if (inGroup !== null && !inGroup(s)) return;
      if (pred !== null && !pred(s)) return;
      slots[n++] = s;
    };
    if (q.runIds !== undefined) {
      for (const s of new Set(q.runIds.map((id) => t.slotOf.get(id)))) if (s !== undefined) consider(s);
    } else {
      for (let s = 0; s < t.top; s++) consider(s);
    }
    return { slots, n };
  }

  /** Full RunRows for `rids`, in that order (read in chunks to keep each statement small). */
  private rows(sid: number, rids: number[], storeId: string): RunRow[] {
    const out: RunRow[] = [];
    for (let i = 0; i < rids.length; i += ROW_CHUNK) out.push(...this.rowChunk(sid, rids.slice(i, i + ROW_CHUNK), storeId));
    return out;
  }

  private rowChunk(sid: number, rids: number[], storeId: string): RunRow[] {
    const list = rids.join(', ');
    const t = storeTables(sid);
    const byRid = new Map<number, { row: RunRow; params: [string, string][]; metrics: [string, LatestMetric][]; tags: [string, string][] }>();
    for (const r of this.db.all(
      `SELECT rid, run_id, exp_id, run_name, status, start_time, end_time, user_id, lifecycle, artifact_uri, parent_run_id
       FROM ${t.runs} WHERE rid IN (${list})`,
      [],
      false,
    )) {
      byRid.set(r[0] as number, {
        row: {
          storeId,
          runId: r[1] as string,
          experimentId: r[2] as string,
          runName: r[3] as string,
          status: r[4] as RunStatus,
          startTime: r[5] as number | null,
          endTime: r[6] as number | null,
          userId: r[7] as string,
          lifecycleStage: r[8] as LifecycleStage,
          artifactUri: r[9] as string,
          parentRunId: r[10] as string | null,
          params: {},
          metrics: {},
          tags: {},
        },
        params: [],
        metrics: [],
        tags: [],
      });
    }
    for (const [rid, kid, value] of this.db.all(`SELECT rid, kid, value FROM ${t.params} WHERE rid IN (${list})`, [], false)) {
      byRid.get(rid as number)?.params.push([this.db.keyName(kid as number), value as string]);
    }
    for (const [rid, kid, value, step, ts, negzero] of this.db.all(
      `SELECT rid, kid, value, step, ts, negzero FROM ${t.metrics} WHERE rid IN (${list})`,
      [],
      false,
    )) {
      byRid.get(rid as number)?.metrics.push([
        this.db.keyName(kid as number),
        { value: metricValue(value ?? null, negzero ?? null), step: step as number, timestamp: ts as number },
      ]);
    }
    for (const [rid, kid, value] of this.db.all(`SELECT rid, kid, value FROM ${t.tags} WHERE rid IN (${list})`, [], false)) {
      byRid.get(rid as number)?.tags.push([this.db.keyName(kid as number), value as string]);
    }
    const out: RunRow[] = [];
    for (const rid of rids) {
      const e = byRid.get(rid);
      if (!e) continue;
      e.row.params = sortedRecord(e.params);
      e.row.metrics = sortedRecord(e.metrics);
      e.row.tags = sortedRecord(e.tags);
      out.push(e.row);
    }
    return out;
  }

  getRun(q: { storeId: string; runId: string }): Run | null {
    const sid = this.db.sids.get(q.storeId);
    if (sid === undefined) return null;
    const t = storeTables(sid);
    const r = this.db.one(
      `SELECT rid, run_id, exp_id, run_name, status, start_time, end_time, lifecycle, user_id, artifact_uri, deleted_time, io
       FROM ${t.runs} WHERE run_id = ?`,
      [q.runId],
    );
    if (!r) return null;
    const rid = r[0] as number;
    const params = this.db
      .all(`SELECT kid, value FROM ${t.params} WHERE rid = ?`, [rid])
      .map(([kid, value]): [string, string] => [this.db.keyName(kid as number), value as string]);
    const metrics = this.db
      .all(`SELECT kid, value, step, ts, negzero, dataset_name, dataset_digest FROM ${t.metrics} WHERE rid = ?`, [rid])
      .map(([kid, value, step, ts, negzero, datasetName, datasetDigest]): [string, MetricPoint] => {
        const point: MetricPoint = { step: step as number, timestamp: ts as number, value: metricValue(value ?? null, negzero ?? null) };
        if (datasetName != null) point.datasetName = datasetName as string;
        if (datasetDigest != null) point.datasetDigest = datasetDigest as string;
        return [this.db.keyName(kid as number), point];
      });
    const tags = this.db
      .all(`SELECT kid, value FROM ${t.tags} WHERE rid = ?`, [rid])
      .map(([kid, value]): [string, string] => [this.db.keyName(kid as number), value as string]);
    const io = r[11] === null ? EMPTY_IO : decodeJson<RunInputsOutputs>(r[11] as string);
    return {
      runId: r[1] as string,
      experimentId: r[2] as string,
      runName: r[3] as string,
      status: r[4] as RunStatus,
      startTime: r[5] as number | null,
      endTime: r[6] as number | null,
      lifecycleStage: r[7] as LifecycleStage,
      userId: r[8] as string,
      artifactUri: r[9] as string,
      deletedTime: r[10] as number | null,
      params: sortedRecord(params),
      tags: sortedRecord(tags),
      metrics: sortedRecord(metrics),
      inputs: { datasets: [...io.inputs.datasets], models: [...io.inputs.models] },
      outputs: { models: [...io.outputs.models] },
    };
  }

  listColumns(q: { storeId: string; experimentIds: string[] }): { params: string[]; metrics: string[]; tags: string[] } {
    const out = { params: [] as string[], metrics: [] as string[], tags: [] as string[] };
    const sid = this.db.sids.get(q.storeId);
    if (sid === undefined) return out;
    const params: SqlValue[] = [sid];
    const scope = q.experimentIds.length > 0 ? ` AND ${inList('exp_id', q.experimentIds, params)}` : '';
    for (const [kind, kid] of this.db.all(`SELECT DISTINCT kind, kid FROM exp_keys WHERE sid = ?${scope}`, params, false)) {
      const name = this.db.keyName(kid as number);
      if (kind === KIND_PARAM) out.params.push(name);
      else if (kind === KIND_METRIC) out.metrics.push(name);
      else if (kind === KIND_TAG) out.tags.push(name);
    }
    out.params.sort(byString);
    out.metrics.sort(byString);
    out.tags.sort(byString);
    return out;
  }

  listLoggedModels(q: { storeId: string; experimentId?: string; runId?: string; includeDeleted?: boolean }): LoggedModel[] {
    const sid = this.db.sids.get(q.storeId);
    if (sid === undefined) return [];
    const where = ['sid = ?'];
    const params: SqlValue[] = [sid];
    if (q.experimentId !== undefined) {
      where.push('exp_id = ?');
      params.push(q.experimentId);
    }
    if (q.includeDeleted !== true) where.push(`lifecycle = 'active'`);
    if (q.runId !== undefined) {
      const io = this.db.one(`SELECT io FROM ${storeTables(sid).runs} WHERE run_id = ?`, [q.runId])?.[0];
      const outputs = typeof io === 'string' ? decodeJson<RunInputsOutputs>(io).outputs.models.map((m) => m.modelId) : [];
      params.push(q.runId);
      where.push(outputs.length > 0 ? `(source_run_id = ? OR ${inList('model_id', outputs, params)})` : 'source_run_id = ?');
    }
    const sql = `SELECT body FROM logged_models WHERE ${where.join(' AND ')}
      ORDER BY creation_ts IS NULL, creation_ts, model_id`;
    return this.db.all(sql, params, false).map((r) => decodeJson<LoggedModel>(r[0] as string));
  }

  listRegisteredModels(q: { storeId?: string; includePrompts?: boolean }): (RegisteredModel & { storeId: string })[] {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (q.storeId !== undefined) {
      const sid = this.db.sids.get(q.storeId);
      if (sid === undefined) return [];
      where.push('m.sid = ?');
      params.push(sid);
    }
    if (q.includePrompts !== true) where.push('m.is_prompt = 0');
    const sql = `SELECT s.id, m.body FROM registered_models m JOIN stores s ON s.sid = m.sid
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY m.name, m.sid`;
    return this.db.all(sql, params, false).map((r) => ({ ...decodeJson<RegisteredModel>(r[1] as string), storeId: r[0] as string }));
  }

  getRegisteredModel(q: { storeId: string; name: string }): RegisteredModel | null {
    const sid = this.db.sids.get(q.storeId);
    if (sid === undefined) return null;
    const body = this.db.one('SELECT body FROM registered_models WHERE sid = ? AND name = ?', [sid, q.name])?.[0];
    return typeof body === 'string' ? decodeJson<RegisteredModel>(body) : null;
  }

  stats(): { stores: number; experiments: number; runs: number } {
    const count = (table: string) => Number(this.db.one(`SELECT count(*) FROM ${table}`)?.[0] ?? 0);
    let runs = 0;
    for (const sid of this.db.sids.values()) runs += count(storeTables(sid).runs);
    return { stores: count('stores'), experiments: count('experiments'), runs };
  }
}
