// The registry from the app's own actions, beside the journey of registry.spec.ts: Register
// model… on a run without a model and on an MLflow 2 model (a new registered model), the approval
// rule, reject, delete and undo; and a store Runsight must not write, whose write actions are
// disabled with the reason. Real engine on fixture copies; what was written is also checked
// through a fresh `runsight registry list --json` of the copy (the files / rows MLflow would read).
import path from 'node:path';
import { fixtureInfo } from './expected.ts';
import { expect, openApp, test, type RunningApp } from './harness.ts';
import { registryOnDisk } from './registry-disk.ts';
import { RegistryPage } from './pages/registry-page.ts';
import { RunsPage } from './pages/runs-page.ts';

let app: RunningApp | null = null;
test.afterEach(async () => {
  await app?.stop();
  app = null;
});

test('kitchen-sink: Register model… refuses a run without a model, an MLflow 2 model becomes a new registered model, the approval rule, reject, delete and undo', async ({
  page,
  screenshotDir,
}) => {
  const info = fixtureInfo('kitchen-sink') as { runs: { legacy_2x: { run_id: string }; metrics_zoo: { run_id: string } } };
  const legacy = info.runs.legacy_2x.run_id;
  test.setTimeout(120_000);
  app = await openApp(page, 'kitchen-sink');
  const runs = new RunsPage(page);
  const reg = new RegistryPage(page);

  // Who the audit trail names: changed in the registry header (stored in the app settings).
  await reg.open();
  await page.getByTestId('registry-user').click();
  await page.getByTestId('user-name-input').fill('Zoë Reviewer');
  await page.getByTestId('user-name-save').click();
  await expect(page.getByTestId('registry-user-name')).toHaveText('Zoë Reviewer');
  await reg.backToRuns();

  // The keyboard path: "Register model…" on a run that logged no model is refused, clearly.
  await runs.row(info.runs.metrics_zoo.run_id).click();
  await expect(page.getByTestId('run-detail')).toHaveAttribute('data-loaded', 'true');
  await page.getByTestId('detail-register').click();
  await expect(reg.toast(/has no model to register/)).toBeVisible();
  await expect(reg.toast(/has no model to register/)).toHaveAttribute('data-kind', 'error');
  await expect(reg.registerDialog).toHaveCount(0);
  await reg.dismissToasts();

  // Drag the MLflow 2 run onto "New model…" with the mouse, step by step: the collapsed dock
  // unfolds once the drag has started, then the drop asks the name.
  await expect(reg.dock).toHaveCount(0);
  const box = await runs.row(legacy).boundingBox();
  if (!box) throw new Error('legacy run row not on screen');
  await page.mouse.move(box.x + 60, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 90, box.y + box.height / 2 + 10, { steps: 5 });
  await expect(reg.dock).toBeVisible();
  const target = await page.getByTestId('dock-new-model').boundingBox();
  if (!target) throw new Error('New model… not on screen');
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 10 });
  await expect(page.getByTestId('dock-new-model')).toHaveAttribute('data-drop-over', 'true');
  await page.screenshot({ path: `${screenshotDir}/registry-kitchen-sink-dragging.png` });
  await page.mouse.up();
  await expect(reg.registerDialog).toBeVisible();
  await expect(page.getByTestId('register-candidate-0')).toContainText('MLmodel folder');
  await page.getByTestId('register-model-name').fill('legacy-regressor');
  await expect(page.getByTestId('register-name-hint')).toContainText('A new registered model "legacy-regressor" will be created');
  await page.screenshot({ path: `${screenshotDir}/registry-kitchen-sink-new-model.png` });
  await page.getByTestId('register-confirm').click();
  await expect(reg.toast('Registered legacy-regressor v1 (new model)')).toBeVisible();
  await expect(reg.dockModel('legacy-regressor')).toBeVisible();

  // Describe the model and the version; an alias set and removed again.
  await reg.open();
  await reg.openModel('legacy-regressor');
  await reg.tab('versions');
  await expect(page.getByTestId('version-run-1')).toHaveText('legacy-2x-model-layout');
  await page.getByTestId('model-description-edit').click();
  await page.getByTestId('model-description-input').fill('Regressor from the 2.x layout run.');
  await page.getByTestId('model-description-save').click();
  await expect(page.getByTestId('model-description-text')).toHaveText('Regressor from the 2.x layout run.');
  await reg.openVersion(1);
  await page.getByTestId('version-description-edit').click();
  await page.getByTestId('version-description-input').fill('MLmodel folder, sklearn');
  await page.getByTestId('version-description-save').click();
  await expect(page.getByTestId('version-description-text')).toHaveText('MLmodel folder, sklearn');
  await reg.setAlias('candidate');
  await expect(page.getByTestId('alias-hint')).toHaveAttribute('data-intent', 'empty');
  await page.getByTestId('alias-remove-candidate').click();
  await expect(page.getByTestId('version-aliases').getByTestId('alias-chip-candidate')).toHaveCount(0);

  // The approval rule: a direct move to Production is blocked, a request is the way; reject it.
  await page.getByTestId('policy-toggle').click();
  await expect(page.getByTestId('policy-toggle')).toHaveAttribute('aria-checked', 'true');
  await reg.openVersion(1);
  await page.getByTestId('stage-action-Production').click();
  await expect(page.getByTestId('stage-dialog-policy')).toBeVisible();
  await expect(page.getByTestId('stage-dialog-confirm')).toBeDisabled();
  await page.getByTestId('stage-dialog-switch-request').click();
  await expect(page.getByTestId('stage-dialog-stage')).toHaveValue('Production');
  await page.getByTestId('stage-dialog-comment').fill('first try');
  await page.getByTestId('stage-dialog-confirm').click();
  await expect(reg.stageDialog).toHaveCount(0);
  await expect(reg.request(1)).toHaveAttribute('data-status', 'pending');
  await page.getByTestId('request-comment-1').fill('needs more data');
  await page.getByTestId('request-reject-1').click();
  await expect(reg.request(1)).toHaveAttribute('data-status', 'rejected');
  await expect(reg.request(1)).toContainText('needs more data');
  await expect(page.getByTestId('version-panel-stage')).toHaveAttribute('data-stage', 'None');
  await expect(reg.auditEntries().first()).toHaveAttribute('data-action', 'reject_transition');
  await expect(reg.auditEntries().first()).toHaveAttribute('data-user', 'Zoë Reviewer');
  await page.screenshot({ path: `${screenshotDir}/registry-kitchen-sink-rejected.png` });

  // Delete the version the MLflow way, see it under "Deleted versions", undo.
  await page.getByTestId('version-delete').click();
  await expect(page.getByTestId('delete-dialog')).toContainText('Deleted_Internal');
  await page.getByTestId('delete-confirm').click();
  await expect(reg.versionRow(1)).toHaveCount(0);
  await expect(page.getByTestId('versions-empty')).toBeVisible();
  await page.getByTestId('registry-show-deleted').click();
  await expect(reg.versionRow(1)).toHaveAttribute('data-stage', 'Deleted_Internal');
  await page.getByTestId('registry-undo').click();
  await expect(reg.versionRow(1)).toHaveAttribute('data-stage', 'None');
  await page.getByTestId('registry-show-deleted').click();

  const disk = await registryOnDisk(app.dir, 'legacy-regressor');
  expect(disk.versions).toHaveLength(1);
  expect(disk.versions[0]).toMatchObject({ version: 1, currentStage: 'None', runId: legacy, aliases: [] });
  expect(disk.aliases).toEqual({});
  expect(disk.description).toBe('Regressor from the 2.x layout run.');
  expect(disk.versions[0]?.description).toBe('MLmodel folder, sklearn');
  const review = JSON.parse(disk.versions[0]?.tags['runsight.review'] ?? '{}') as { requests: { status: string; decidedBy: string }[] };
  expect(review.requests[0]).toMatchObject({ status: 'rejected', decidedBy: 'Zoë Reviewer' });
});

test('read-only store: write actions are disabled with the reason, drops are refused', async ({ page, screenshotDir }) => {
  const info = fixtureInfo('kitchen-sink-sqlite') as { runs: { train_classifier: { run_id: string } } };
  app = await openApp(page, 'kitchen-sink-sqlite', {
    // A schema revision Runsight does not know: it reads the store but never writes it.
    async prepare(dir) {
      const { DatabaseSync } = await import('node:sqlite');
      const db = new DatabaseSync(path.join(dir, 'mlflow.db'));
      db.exec("UPDATE alembic_version SET version_num = 'ffffffffffff'");
      db.close();
    },
  });
  const runs = new RunsPage(page);
  const reg = new RegistryPage(page);

  await reg.openDock();
  await expect(reg.dock).toContainText('unknown schema revision');
  await reg.dragRunRow(info.runs.train_classifier.run_id, reg.dockModel('kitchen-classifier'));
  await expect(reg.toast(/unknown schema revision/)).toHaveAttribute('data-kind', 'error');
  await runs.row(info.runs.train_classifier.run_id).click();
  await expect(page.getByTestId('detail-register')).toBeDisabled();

  await reg.open();
  await expect(page.getByTestId('registry-readonly')).toBeVisible();
  await reg.openModel('kitchen-classifier');
  await expect(page.getByTestId('registry-readonly')).toContainText('unknown schema revision');
  await reg.openVersion(2);
  for (const id of ['stage-action-Archived', 'version-request', 'version-delete', 'alias-set', 'version-description-edit']) {
    await expect(page.getByTestId(id)).toBeDisabled();
  }
  await expect(page.getByTestId('stage-action-Archived').locator('..')).toHaveAttribute('title', /unknown schema revision/);
  await expect(page.getByTestId('policy-toggle')).toBeDisabled();
  await reg.tab('board');
  await expect(reg.card(2)).toHaveAttribute('draggable', 'false');
  await page.screenshot({ path: `${screenshotDir}/registry-read-only.png` });
});
