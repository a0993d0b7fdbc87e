// The demo project `npm start` opens: generated once, readable by our readers with no
// diagnostics, and with the content the UI's journeys need (curves, artifacts, a model folder).
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ensureDemoProject } from '../../electron/engine/demo/demo-project.ts';
import { Engine } from '../../electron/engine/engine.ts';
import { tempDir } from '../helpers/fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

it('generates a realistic grid search that the engine reads without diagnostics', async () => {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const project = await ensureDemoProject(path.join(dir, 'demo'));
  expect(await ensureDemoProject(path.join(dir, 'demo'))).toBe(project);
  const engine = await Engine.create({ watch: false });
  cleanups.push(() => engine.dispose());
  const { stores, diagnostics } = await engine.openProject(project);
  expect(diagnostics).toEqual([]);
  expect(stores).toHaveLength(1);
  const storeId = stores[0]!.id;
  const [exp] = engine.index.listExperiments({ storeId }).filter((e) => e.name === 'fraud-detector');
  const all = engine.index.queryRuns({ storeId, experimentIds: [exp!.experimentId], limit: 100 });
  expect(all.total).toBe(14);
  const best = engine.index.queryRuns({
    storeId,
    experimentIds: [exp!.experimentId],
    filter: "attributes.status = 'FINISHED' and attributes.run_name LIKE 'trial-%'",
    orderBy: ['metrics.val_auc DESC'],
    limit: 1,
  }).rows[0]!;
  const history = await engine.getMetricHistory({ storeId, runIds: [best.runId], keys: ['val_loss'] });
  expect(history[best.runId]?.val_loss).toHaveLength(40);
  const arts = await engine.listArtifacts({ storeId, runId: best.runId });
  expect(arts.entries.map((e) => e.path)).toEqual(['model', 'plots', 'confusion_matrix.png', 'feature_importance.csv']);
  const cv = engine.index.queryRuns({ storeId, experimentIds: [exp!.experimentId], filter: "attributes.run_name LIKE 'cv-fold-%'" });
  expect(cv.rows.every((r) => r.parentRunId !== null)).toBe(true);
});
