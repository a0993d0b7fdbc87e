// The engine's own open-to-queryable time, in a fresh process (bench/ui/shell.ts runs it next to
// the app's launch → first table paint, on the same store in the same page-cache state, so their
// ratio is what the app adds). The engine is created as `runsight serve` creates it (watching
// on: the store is queryable before its watcher starts). Prints one JSON line on stdout.
//
//   node bench/ui/engine-open.ts <project folder>
import { Engine } from '../../electron/engine/engine.ts';

const target = process.argv[2];
if (!target) throw new Error('usage: node bench/ui/engine-open.ts <project folder>');
const engine = await Engine.create({ watch: true });
const t0 = performance.now();
const { stores } = await engine.openProject(target);
const openMs = performance.now() - t0;
const runs = stores.reduce((n, s) => n + engine.index.queryRunIds({ storeId: s.id, experimentIds: [], lifecycle: 'all' }).total, 0);
process.stdout.write(`${JSON.stringify({ openMs: Math.round(openMs), runs })}\n`);
await engine.dispose();
process.exit(0);
