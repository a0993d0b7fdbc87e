// Runs the SQLite reader in a separate process (as another user when the tests run as root,
// since root ignores permission bits), so the read-only-folder test sees real EACCES/EROFS-like
// behaviour. Protocol: prints one JSON line after load(); then for each "refresh" line on stdin
// prints the change; exits on "exit".
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createSqliteStoreReader, probeMlflowDatabase } from '../../electron/engine/stores/mlflow-sqlite/index.ts';

const file = process.argv[2] as string;
const reader = createSqliteStoreReader({
  id: file,
  kind: 'sqlite',
  path: file,
  artifactRoot: path.join(path.dirname(file), 'mlruns'),
});
const out = (o: unknown): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

const snap = await reader.load();
out({
  runs: snap.runs.map((r) => r.runId).sort(),
  problems: reader.diagnostics().map((d) => d.problem),
  probe: probeMlflowDatabase(file),
});
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'refresh') break;
  const change = await reader.refresh([file]);
  out({ runs: change.runs.map((r) => r.runId).sort(), problems: reader.diagnostics().map((d) => d.problem) });
}
await reader.close();
