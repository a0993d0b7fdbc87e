// The model registry tables (format doc 3.4). Column names differ from the file store's YAML
// (creation_time vs creation_timestamp). Deleted versions stay as rows with stage
// Deleted_Internal and are kept; prompts are registered models tagged mlflow.prompt.is_prompt.
import type { ModelVersion, RegisteredModel } from '../../model.ts';
import { num, str, type Row } from './query.ts';
import { section, type ReadContext } from './read-context.ts';

const PROMPT_TAG = 'mlflow.prompt.is_prompt';

export function readRegistry(ctx: ReadContext): RegisteredModel[] {
  const s = ctx.schema;
  const rm = 'registered_models';
  if (!s.hasColumn(rm, 'name')) return [];
  const rows = section(ctx, 'registered models', [] as Row[], () =>
    ctx.q.all(
      `SELECT name, ${s.numCol(rm, 'creation_time')}, ${s.numCol(rm, 'last_updated_time')}, ${s.col(rm, 'description')} FROM ${rm}`,
    ),
  );
  const byName = new Map<string, RegisteredModel>();
  for (const r of rows) {
    const name = str(r[0]);
    if (name === null) continue;
    byName.set(name, {
      name,
      creationTimestamp: num(r[1]),
      lastUpdatedTimestamp: num(r[2]),
      description: str(r[3]),
      tags: {},
      aliases: {},
      isPrompt: false,
      versions: [],
    });
  }
  if (byName.size === 0) return [];

  const rmt = 'registered_model_tags';
  if (s.hasColumn(rmt, 'key')) {
    for (const r of section(ctx, 'registered model tags', [] as Row[], () =>
      ctx.q.all(`SELECT name, "key", ${s.col(rmt, 'value')} FROM ${rmt}`),
    )) {
      const model = byName.get(str(r[0]) ?? '');
      const key = str(r[1]);
      if (model && key !== null) model.tags[key] = str(r[2]) ?? '';
    }
  }

  // Aliases arrived in MLflow 2.3 (March 2023); older databases have none.
  const rma = 'registered_model_aliases';
  if (s.hasColumn(rma, 'alias')) {
    for (const r of section(ctx, 'registered model aliases', [] as Row[], () =>
      ctx.q.all(`SELECT name, alias, ${s.numCol(rma, 'version')} FROM ${rma}`),
    )) {
      const model = byName.get(str(r[0]) ?? '');
      const alias = str(r[1]);
      const version = num(r[2]);
      if (model && alias !== null && version !== null) model.aliases[alias] = version;
    }
  }

  const mv = 'model_versions';
  const versionKey = (name: string, version: number): string => `${version}\u0000${name}`;
  const versions = new Map<string, ModelVersion>();
  if (s.hasColumn(mv, 'version')) {
    for (const r of section(ctx, 'model versions', [] as Row[], () =>
      ctx.q.all(
        `SELECT name, ${s.numCol(mv, 'version')}, ${s.numCol(mv, 'creation_time')}, ${s.numCol(mv, 'last_updated_time')}, ` +
          `${s.col(mv, 'description')}, ${s.col(mv, 'user_id')}, ${s.col(mv, 'current_stage')}, ${s.col(mv, 'source')}, ` +
          `${s.col(mv, 'run_id')}, ${s.col(mv, 'run_link')}, ${s.col(mv, 'status')}, ${s.col(mv, 'status_message')}, ` +
          // No model_id column at 3.5 (MLflow reports null); read it if a later revision adds one.
          `${s.col(mv, 'storage_location')}, ${s.col(mv, 'model_id')} FROM ${mv}`,
      ),
    )) {
      const model = byName.get(str(r[0]) ?? '');
      const version = num(r[1]);
      if (!model || version === null) continue;
      const v: ModelVersion = {
        name: model.name,
        version,
        creationTimestamp: num(r[2]),
        lastUpdatedTimestamp: num(r[3]),
        currentStage: str(r[6]) ?? 'None',
        description: str(r[4]),
        userId: str(r[5]),
        source: str(r[7]),
        runId: str(r[8]),
        runLink: str(r[9]),
        status: str(r[10]),
        statusMessage: str(r[11]),
        storageLocation: str(r[12]),
        modelId: str(r[13]),
        tags: {},
        aliases: [],
      };
      model.versions.push(v);
      versions.set(versionKey(model.name, version), v);
    }
  }

  const mvt = 'model_version_tags';
  if (versions.size > 0 && s.hasColumn(mvt, 'key')) {
    for (const r of section(ctx, 'model version tags', [] as Row[], () =>
      ctx.q.all(`SELECT name, ${s.numCol(mvt, 'version')}, "key", ${s.col(mvt, 'value')} FROM ${mvt}`),
    )) {
      const v = versions.get(versionKey(str(r[0]) ?? '', num(r[1]) ?? Number.NaN));
      const key = str(r[2]);
      if (v && key !== null) v.tags[key] = str(r[3]) ?? '';
    }
  }

  for (const model of byName.values()) {
    model.isPrompt = (model.tags[PROMPT_TAG] ?? '').toLowerCase() === 'true';
    model.versions.sort((a, b) => a.version - b.version);
    for (const [alias, version] of Object.entries(model.aliases)) {
      model.versions.find((v) => v.version === version)?.aliases.push(alias);
    }
    for (const v of model.versions) v.aliases.sort();
  }
  return [...byName.values()];
}
