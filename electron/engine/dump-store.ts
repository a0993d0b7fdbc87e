// Dump one store straight from its reader (no index in between): the golden-test surface for the
// readers and the user's "export everything as JSON".
import { pathToFileURL } from 'node:url';
import { ArtifactResolver, listArtifactsLikeMlflow } from './artifacts.ts';
import { dumpRegistry, dumpRuns, type JsonValue } from './mlflow-dump.ts';
import type { Diagnostic, StoreInfo } from './model.ts';
import { createFileStoreReader } from './stores/mlflow-file/index.ts';
import { createSqliteStoreReader } from './stores/mlflow-sqlite/index.ts';
import type { StoreReader } from './stores/reader.ts';

export function createReader(info: StoreInfo): StoreReader {
  return info.kind === 'file' ? createFileStoreReader(info) : createSqliteStoreReader(info);
}

export function trackingUri(info: StoreInfo): string {
  return info.kind === 'file' ? pathToFileURL(info.path).href : `sqlite:///${info.path}`;
}

export interface StoreDump {
  runs: JsonValue;
  registry: JsonValue;
  diagnostics: Diagnostic[];
}

export async function dumpStore(info: StoreInfo): Promise<StoreDump> {
  const reader = createReader(info);
  try {
    const snap = await reader.load();
    const resolver = new ArtifactResolver(info, snap.experiments);
    // MLflow lists nothing for runs of deleted experiments (the recorded URI points outside
    // .trash/), so the MLflow-shaped dump does not look there either.
    const runs = await dumpRuns(snap, {
      getMetricHistory: (runId, key) => reader.getMetricHistory(runId, key),
      listRunArtifacts: (run) => listArtifactsLikeMlflow(resolver, run.artifactUri),
      listModelArtifacts: (model) => listArtifactsLikeMlflow(resolver, model.artifactLocation),
    });
    const uri = trackingUri(info);
    return {
      runs: { ...(runs as object), tracking_uri: uri } as JsonValue,
      registry: { ...(dumpRegistry(snap.registry) as object), registry_uri: uri, tracking_uri: uri } as JsonValue,
      diagnostics: reader.diagnostics(),
    };
  } finally {
    await reader.close();
  }
}
