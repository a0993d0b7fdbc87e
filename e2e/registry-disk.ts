// The registry as a fresh engine reads it from a store copy: `runsight registry list --json` in a
// separate process, no shared state with the app under test (the files / rows MLflow would read).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './harness.ts';

const run = promisify(execFile);

export interface ListedVersion {
  version: number;
  currentStage: string;
  description: string | null;
  aliases: string[];
  runId: string | null;
  tags: Record<string, string>;
}
export interface ListedModel {
  name: string;
  description: string | null;
  aliases: Record<string, number>;
  versions: ListedVersion[];
}

/** What a fresh engine reads from the copy (a separate process, no shared state with the app). */
export async function registryOnDisk(dir: string, model: string): Promise<ListedModel> {
  const { stdout } = await run(process.execPath, [path.join(repoRoot, 'electron/cli/main.ts'), 'registry', 'list', dir, '--all', '--json'], { cwd: repoRoot });
  const listed = JSON.parse(stdout) as { models: ListedModel[] };
  const m = listed.models.find((x) => x.name === model);
  if (!m) throw new Error(`${model} not in ${stdout.slice(0, 400)}`);
  return m;
}

