// `runsight serve [folder]`: browser mode on loopback. Without a folder it opens the demo
// project (generated on first use), so `npm start` shows something real on a fresh clone.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackend, defaultCacheDir, defaultConfigDir } from '../engine/backend/index.ts';
import { startBridgeServer } from './server.ts';

/**
 * The folder holding package.json: the repository (this file in electron/serve/) or the
 * installed package (this code bundled into dist/cli/, see electron/cli/vite.config.ts).
 */
export const repoRoot = packageRoot(path.dirname(fileURLToPath(import.meta.url)));

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '../..');
  }
}

export async function runServe(
  folder: string | null,
  opts: { port: number; polling: boolean; token?: string },
): Promise<number> {
  const backend = await createBackend({
    host: 'browser',
    configDir: process.env.RUNSIGHT_CONFIG_DIR ?? defaultConfigDir(),
    // A store's next open starts from the snapshot its last read left there (engine/snapshot/).
    snapshotDir: path.join(process.env.RUNSIGHT_CACHE_DIR ?? defaultCacheDir(), 'index-snapshots'),
    polling: opts.polling,
  });
  const target = folder ?? (await (await import('../engine/demo/demo-project.ts')).ensureDemoProject());
  const server = await startBridgeServer({
    backend,
    staticDir: process.env.RUNSIGHT_RENDERER_DIR ?? path.join(repoRoot, 'out/renderer'),
    port: opts.port,
    token: opts.token,
  });
  // Open the project before printing the URL so the first paint has data; the UI also shows
  // progress for stores still being read if a client connects early.
  const opened = backend.call('openProject', { path: target });
  process.stdout.write(`Runsight (browser mode) on ${target}\n  ${server.url}\n`);
  const r = await opened;
  if (!r.ok) process.stderr.write(`runsight: ${r.error.message}\n`);
  else {
    const warm = r.value.stores.filter((st) => backend.engine.startOf(st.id)?.start === 'warm').length;
    const from = warm > 0 ? ` (${warm} from a snapshot, checked against the files)` : '';
    process.stdout.write(`  ${r.value.stores.length} store(s) indexed${from}, ${r.value.diagnostics.length} diagnostic(s)\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await backend.dispose();
  return 0;
}
