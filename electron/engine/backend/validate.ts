// Runtime validation of every argument that crosses into the engine (from IPC or the bridge).
// The schemas are checked against the contract's types with `satisfies`, so a contract change
// that forgets its schema does not compile.
import { z } from 'zod';
import type { ApiArgs, ApiMethod } from '../../../preload/api.ts';

const id = z.string().min(1).max(4096);
const empty = z.object({}).strict();
const lifecycle = z.enum(['active', 'deleted', 'all']);
const groupKey = z.discriminatedUnion('entity', [
  z.object({ entity: z.enum(['param', 'tag']), key: z.string().min(1).max(1000) }).strict(),
  z.object({ entity: z.literal('attribute'), key: z.enum(['status', 'user_id', 'run_name', 'experiment_id']) }).strict(),
]);
const aggregate = z.enum(['mean', 'min', 'max']);
const orderItem = z.union([z.string().max(1000), z.object({ key: z.string().max(1000), desc: z.boolean().optional() }).strict()]);

// Registry writes: bounds match MLflow's (tag values 100 000, names 256) and the writer checks the
// exact rules (alias syntax, stage names) with MLflow's wording.
const modelName = z.string().min(1).max(256);
const version = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const user = z.string().min(1).max(256).optional();
const comment = z.string().max(5_000).nullable().optional();
const stage = z.string().min(1).max(40);
const tagKey = z.string().min(1).max(250);
const registerSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('logged-model'), modelId: z.string().min(1).max(256) }).strict(),
  z.object({ kind: z.literal('artifact'), artifactPath: z.string().min(1).max(4096) }).strict(),
]);

const runQuery = z
  .object({
    storeId: id,
    experimentIds: z.array(id).max(10_000),
    lifecycle: lifecycle.optional(),
    filter: z.string().max(10_000).optional(),
    orderBy: z.array(orderItem).max(20).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(0).max(100_000).optional(),
    runIds: z.array(id).max(100_000).optional(),
    // The value of a group may be any string MLflow stores (params up to 6000 chars, tags more).
    group: z.object({ by: groupKey, value: z.string().max(1_000_000).nullable() }).strict().optional(),
  })
  .strict();

const columnKey = z.string().min(1).max(1100);
const range = z.tuple([z.number(), z.number()]);
const reportRequest = z
  .object({
    storeId: id.optional(),
    runIds: z.array(id).max(100_000).optional(),
    experimentIds: z.array(id).max(10_000).optional(),
    filter: z.string().max(10_000).optional(),
    orderBy: z.array(z.string().max(1000)).max(20).optional(),
    maxResults: z.number().int().min(1).max(100_000).optional(),
    title: z.string().max(500).optional(),
    notes: z.string().max(50_000).optional(),
    best: z.object({ metric: z.string().min(1).max(1000), direction: z.enum(['min', 'max']) }).strict().nullable().optional(),
    charts: z
      .object({
        parcoords: z
          .object({ axes: z.array(columnKey).max(60).nullable(), log: z.array(columnKey).max(60).optional(), colorBy: columnKey.nullable().optional(), brushes: z.record(columnKey, z.array(range).max(100)).optional() })
          .strict()
          .nullable()
          .optional(),
        scatter: z
          .object({ x: columnKey.nullable(), y: columnKey.nullable(), color: columnKey.nullable().optional(), logX: z.boolean().optional(), logY: z.boolean().optional() })
          .strict()
          .nullable()
          .optional(),
        curves: z
          .object({ keys: z.array(z.string().max(1000)).max(20).nullable(), x: z.enum(['step', 'wall', 'relative']).optional(), smoothing: z.number().min(0).max(0.99).optional(), logY: z.boolean().optional() })
          .strict()
          .nullable()
          .optional(),
      })
      .strict()
      .optional(),
    sections: z.array(z.enum(['summary', 'params', 'best', 'charts', 'images', 'reproducibility', 'registry'])).max(7).optional(),
    metricHistory: z.boolean().optional(),
  })
  .strict();

type Schemas = { [M in ApiMethod]: z.ZodType<ApiArgs<M>> };

export const ARG_SCHEMAS = {
  getStatus: empty,
  openProject: z.object({ path: z.string().min(1).max(4096) }).strict(),
  pickFolder: empty,
  listRecentProjects: empty,
  // Same bound as the `user` of registry writes: it ends up as that.
  setUserName: z.object({ name: z.string().max(256).nullable() }).strict(),
  listExperiments: z.object({ storeId: id.optional(), lifecycle: lifecycle.optional() }).strict(),
  queryRuns: runQuery,
  queryRunIds: runQuery,
  queryGroups: z
    .object({
      storeId: id,
      experimentIds: z.array(id).max(10_000),
      lifecycle: lifecycle.optional(),
      filter: z.string().max(10_000).optional(),
      runIds: z.array(id).max(100_000).optional(),
      by: groupKey,
      metrics: z.array(z.string().max(1000)).max(500),
      order: z
        .object({ metric: z.string().max(1000).optional(), aggregate: aggregate.optional(), desc: z.boolean().optional() })
        .strict()
        .optional(),
      limit: z.number().int().min(0).max(50_000).optional(),
    })
    .strict(),
  getRun: z.object({ storeId: id, runId: id }).strict(),
  listColumns: z.object({ storeId: id, experimentIds: z.array(id).max(10_000) }).strict(),
  getMetricHistory: z
    .object({ storeId: id, runIds: z.array(id).max(1000), keys: z.array(z.string().max(1000)).max(200) })
    .strict(),
  listArtifacts: z.object({ storeId: id, runId: id, path: z.string().max(4096).optional() }).strict(),
  readArtifact: z
    .object({
      storeId: id,
      runId: id,
      path: z.string().min(1).max(4096),
      maxBytes: z.number().int().min(1).max(50_000_000).optional(),
    })
    .strict(),
  listDiagnostics: empty,
  listRegisteredModels: z.object({ storeId: id.optional(), includePrompts: z.boolean().optional() }).strict(),
  registerModel: z
    .object({
      storeId: id,
      runId: id,
      modelName,
      source: registerSource,
      description: z.string().max(100_000).nullable().optional(),
      tags: z.record(tagKey, z.string().max(100_000)).optional(),
      user,
    })
    .strict(),
  transitionStage: z
    .object({ storeId: id, name: modelName, version, stage, archiveExisting: z.boolean().optional(), comment, user })
    .strict(),
  setAlias: z.object({ storeId: id, name: modelName, alias: z.string().min(1).max(255), version, user }).strict(),
  deleteAlias: z.object({ storeId: id, name: modelName, alias: z.string().min(1).max(255), user }).strict(),
  updateRegistryDescription: z
    .object({ storeId: id, name: modelName, version: version.nullable().optional(), description: z.string().max(100_000).nullable(), user })
    .strict(),
  setRegistryTag: z
    .object({ storeId: id, name: modelName, version: version.nullable().optional(), key: tagKey, value: z.string().max(100_000), user })
    .strict(),
  deleteRegistryTag: z.object({ storeId: id, name: modelName, version: version.nullable().optional(), key: tagKey, user }).strict(),
  deleteModelVersion: z.object({ storeId: id, name: modelName, version, comment, user }).strict(),
  requestTransition: z
    .object({ storeId: id, name: modelName, version, stage, archiveExisting: z.boolean().optional(), comment, user })
    .strict(),
  approveTransition: z.object({ storeId: id, name: modelName, version, requestId: z.number().int().min(1), comment, user }).strict(),
  rejectTransition: z.object({ storeId: id, name: modelName, version, requestId: z.number().int().min(1), comment, user }).strict(),
  undoRegistryAction: z.object({ storeId: id, user }).strict(),
  getRegistryCapabilities: z.object({ storeId: id.optional() }).strict(),
  listRunModels: z.object({ storeId: id, runId: id }).strict(),
  getRegistryReview: z.object({ storeId: id, name: modelName }).strict(),
  previewReport: reportRequest,
  exportReport: z.object({ request: reportRequest, format: z.enum(['html', 'pdf', 'md', 'csv']), jobId: z.string().min(1).max(100).optional() }).strict(),
  cancelReport: z.object({ jobId: z.string().min(1).max(100) }).strict(),
} satisfies Schemas;

export function parseArgs<M extends ApiMethod>(method: M, args: unknown): { ok: true; value: ApiArgs<M> } | { ok: false; message: string } {
  const schema = (ARG_SCHEMAS as Schemas)[method] as z.ZodType<ApiArgs<M>> | undefined;
  if (!schema) return { ok: false, message: `Unknown method "${String(method)}"` };
  const r = schema.safeParse(args ?? {});
  if (r.success) return { ok: true, value: r.data };
  const first = r.error.issues[0];
  const where = first && first.path.length > 0 ? ` (${first.path.join('.')})` : '';
  return { ok: false, message: `Invalid arguments for ${method}${where}: ${first?.message ?? 'invalid'}` };
}
