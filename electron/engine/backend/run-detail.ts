// Everything the run panel shows beyond the run record: family, models, and how to reproduce it.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatIdentifier, quoteValue } from '../../../common/filter-syntax.ts';
import type { ReproducibilityInfo, RunDetail } from '../../../preload/api.ts';
import type { Engine } from '../engine.ts';
import type { LoggedModel, Run } from '../model.ts';

const ENV_FILES = ['requirements.txt', 'conda.yaml', 'python_env.yaml', 'environment.yml', 'environment.yaml'];

export async function buildRunDetail(engine: Engine, storeId: string, run: Run): Promise<RunDetail> {
  const parentId = run.tags['mlflow.parentRunId'] ?? null;
  const parentRun = parentId ? engine.index.getRun({ storeId, runId: parentId }) : null;
  const children = engine.index.queryRuns({
    storeId,
    experimentIds: [run.experimentId],
    lifecycle: 'all',
    filter: `${formatIdentifier('tag', 'mlflow.parentRunId')} = ${quoteValue(run.runId)}`,
    limit: 10_000,
  }).rows;
  const loggedModels = engine.index
    .listLoggedModels({ storeId, runId: run.runId, includeDeleted: false })
    .concat(outputModelsNotOwned(engine, storeId, run));
  const artifacts = await engine.resolveRunArtifacts(storeId, run, { includeTrash: true });
  const artifactModels = artifacts.available ? await findArtifactModels(artifacts.localPath, run) : [];
  const environmentFiles: ReproducibilityInfo['environmentFiles'] = [];
  if (artifacts.available) {
    for (const rel of await existing(artifacts.localPath, ENV_FILES)) environmentFiles.push({ path: rel, source: 'run' });
    for (const m of artifactModels) {
      for (const rel of await existing(path.join(artifacts.localPath, m.path), ENV_FILES)) {
        environmentFiles.push({ path: `${m.path}/${rel}`, source: 'run' });
      }
    }
  }
  for (const m of loggedModels) {
    const loc = await engine.resolveModelArtifacts(storeId, m);
    if (!loc.available) continue;
    for (const rel of await existing(loc.localPath, ENV_FILES)) {
      environmentFiles.push({ path: rel, source: 'model', modelId: m.modelId });
    }
  }
  return {
    storeId,
    run,
    parent: parentId ? { runId: parentId, runName: parentRun?.runName ?? parentId } : null,
    children: children.map((c) => ({ runId: c.runId, runName: c.runName, status: c.status })),
    loggedModels,
    artifactModels,
    reproducibility: reproducibility(run, environmentFiles),
    artifacts,
  };
}

/** Models a run produced (outputs/) that are owned by another run or by none. */
function outputModelsNotOwned(engine: Engine, storeId: string, run: Run): LoggedModel[] {
  const wanted = new Set(run.outputs.models.map((o) => o.modelId));
  if (wanted.size === 0) return [];
  return engine.index
    .listLoggedModels({ storeId, experimentId: run.experimentId })
    .filter((m) => wanted.has(m.modelId) && m.sourceRunId !== run.runId);
}

/** MLflow 2 models live in run artifacts: any folder holding an `MLmodel` file (format doc 2.7). */
async function findArtifactModels(root: string, run: Run): Promise<{ path: string }[]> {
  const found = new Set<string>();
  const history = run.tags['mlflow.log-model.history'];
  if (history) {
    try {
      for (const entry of JSON.parse(history) as { artifact_path?: string }[]) {
        if (entry.artifact_path && (await isFile(path.join(root, entry.artifact_path, 'MLmodel')))) {
          found.add(entry.artifact_path);
        }
      }
    } catch {
      // A malformed history tag is not fatal: the folder scan below still finds the models.
    }
  }
  await scanForMlmodel(root, '', 0, found);
  return [...found].sort().map((p) => ({ path: p }));
}

async function scanForMlmodel(root: string, rel: string, depth: number, found: Set<string>): Promise<void> {
  if (depth > 3) return;
  const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
  if (rel && entries.some((e) => e.isFile() && e.name === 'MLmodel')) {
    found.add(rel.split(path.sep).join('/'));
    return;
  }
  for (const e of entries) if (e.isDirectory()) await scanForMlmodel(root, path.join(rel, e.name), depth + 1, found);
}

async function existing(dir: string, names: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const n of names) if (await isFile(path.join(dir, n))) out.push(n);
  return out;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** POSIX shell quoting: safe to paste. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function reproducibility(run: Run, environmentFiles: ReproducibilityInfo['environmentFiles']): ReproducibilityInfo {
  const t = run.tags;
  const sourceName = t['mlflow.source.name'] ?? null;
  const gitCommit = t['mlflow.source.git.commit'] ?? null;
  const entryPoint = t['mlflow.project.entryPoint'] ?? null;
  const params = Object.entries(run.params).sort(([a], [b]) => (a < b ? -1 : 1));
  let command: string | null = null;
  if (entryPoint !== null || t['mlflow.source.type'] === 'PROJECT') {
    // An MLflow Project run: `mlflow run` reproduces it exactly, params included.
    const uri = t['mlflow.source.git.repoURL'] ?? sourceName ?? '.';
    command = [
      'mlflow run',
      shellQuote(uri),
      entryPoint ? `-e ${shellQuote(entryPoint)}` : '',
      gitCommit ? `--version ${shellQuote(gitCommit)}` : '',
      ...params.map(([k, v]) => `-P ${shellQuote(`${k}=${v}`)}`),
    ]
      .filter(Boolean)
      .join(' ');
  } else if (sourceName && /\.py$/i.test(sourceName)) {
    // A plain script: MLflow records no argv, so we offer the common argparse convention and say so
    // in the UI; the params are the values the run logged.
    const checkout = gitCommit ? `git checkout ${shellQuote(gitCommit)} && ` : '';
    command = `${checkout}python ${shellQuote(sourceName)}${params.map(([k, v]) => ` --${k} ${shellQuote(v)}`).join('')}`;
  }
  return {
    sourceName,
    sourceType: t['mlflow.source.type'] ?? null,
    gitCommit,
    gitBranch: t['mlflow.source.git.branch'] ?? null,
    gitRepoUrl: t['mlflow.source.git.repoURL'] ?? null,
    gitDirty: t['mlflow.source.git.dirty'] ?? null,
    entryPoint,
    environmentFiles,
    command,
  };
}
