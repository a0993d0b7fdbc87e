// The engine's own open-to-queryable time, in a fresh process (bench/ui/shell.ts runs it next to
// the app's launch → first table paint, on the same store in the same page-cache state, so their
// ratio is what the app adds). The engine is created as `runsight serve` creates it (watching
// on: the store is queryable before its watcher starts). Prints one JSON line on stdout.
//
//   node bench/ui/engine-open.ts <project folder>
import { Engine } from '../../electron/engine/engine.ts';
import { readArgs } from '../lib/args.ts';

const USAGE = 'usage: node bench/ui/engine-open.ts <project folder>';
const { positionals } = readArgs(process.argv.slice(2), {
  usage: `The engine's open → queryable time in this fresh process, as one JSON line.\n\n  ${USAGE}`,
  options: {},
  positionals: true,
});
const target = positionals[0];
if (!target || positionals.length > 1) throw new Error(USAGE);
const engine = await Engine.create({ watch: true });
const t0 = performance.now();
const { stores } = await engine.openProject(target);
const openMs = performance.now() - t0;
const runs = stores.reduce((n, s) => n + engine.index.queryRunIds({ storeId: s.id, experimentIds: [], lifecycle: 'all' }).total, 0);
process.stdout.write(`${JSON.stringify({ openMs: Math.round(openMs), runs })}\n`);
await engine.dispose();
process.exit(0);
