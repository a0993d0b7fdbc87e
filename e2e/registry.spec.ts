// The registry journey, as a user does it: drag a run into the registry, promote the new version to
// Production archiving the old one, move `champion` onto it, request a transition and approve it,
// read the audit trail — then restart browser mode on the same folder and find all of it again
// (registry-actions.spec.ts has the other registry actions and a read-only store).
// Real engine on fixture copies; the registry state is also checked through a fresh
// `runsight registry list --json` of the copy (the files / rows MLflow would read).
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { fixtureInfo } from './expected.ts';
import { copyFixture, expect, repoRoot, startServe, stopChild, test, waitReady, type FixtureName } from './harness.ts';
import { registryOnDisk } from './registry-disk.ts';
import { RegistryPage } from './pages/registry-page.ts';
import { RunsPage } from './pages/runs-page.ts';

const run = promisify(execFile);

interface Journey {
  fixture: FixtureName;
  model: string;
  runId: string;
  runName: string;
  /** Drag from the runs table row, or from the run detail panel's handle. */
  dragFrom: 'row' | 'detail';
  /** When the run logged several models: the one to pick in the dialog. */
  choose: string | null;
  newVersion: number;
  /** The version in Production before (holds `champion`), archived by the promotion. */
  oldProduction: number;
  /** The request + approval: this version to this stage. */
  request: { version: number; stage: 'Staging' | 'Production' };
}

let cleanup: (() => Promise<void>) | null = null;
test.afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});
test.beforeAll(async ({ screenshotDir }) => {
  await mkdir(screenshotDir, { recursive: true });
});

async function journey(page: Page, j: Journey, shots: string): Promise<void> {
  // A whole user journey with a backend restart and CLI processes: more than one screen's worth.
  test.setTimeout(150_000);
  const tag = j.fixture;
  const { base, dir } = await copyFixture(j.fixture);
  const configDir = path.join(base, 'config');
  let serve = await startServe(dir, configDir);
  cleanup = async () => {
    await stopChild(serve.child);
    await rm(base, { recursive: true, force: true });
  };
  await page.goto(serve.url);
  await waitReady(page);
  const runs = new RunsPage(page);
  const reg = new RegistryPage(page);

  // --- 1. drag the run onto the model in the registry dock ---
  await expect(runs.row(j.runId)).toBeVisible();
  await reg.openDock();
  await expect(reg.dockModel(j.model)).toBeVisible();
  await page.screenshot({ path: `${shots}/registry-${tag}-dock.png` });
  if (j.dragFrom === 'row') {
    await reg.dragRunRow(j.runId, reg.dockModel(j.model));
  } else {
    await runs.row(j.runId).click();
    await expect(page.getByTestId('run-detail')).toHaveAttribute('data-loaded', 'true');
    await expect(page.getByTestId('run-detail')).toHaveAttribute('data-run-id', j.runId);
    await reg.dragDetailHandle(reg.dockModel(j.model));
  }
  if (j.choose) {
    // Several models in the run: the app asks which one.
    await expect(reg.registerDialog).toBeVisible();
    await expect(reg.registerDialog.locator('[data-testid^="register-candidate-"]')).toHaveCount(2);
    await page.screenshot({ path: `${shots}/registry-${tag}-choose-model.png` });
    await reg.registerDialog.locator(`[data-testid^="register-candidate-"][data-name="${j.choose}"]`).click();
    await page.getByTestId('register-confirm').click();
    await expect(reg.registerDialog).toHaveCount(0);
  }
  await expect(reg.toast(`Registered ${j.model} v${j.newVersion}`)).toBeVisible();
  await page.screenshot({ path: `${shots}/registry-${tag}-registered.png` });

  // --- 2. the model page: the new version, linked to its run ---
  await reg.open();
  await expect(reg.modelRow(j.model)).toBeVisible();
  await expect(page.getByTestId(`model-latest-${j.model}-None`)).toHaveAttribute('data-version', String(j.newVersion));
  await page.screenshot({ path: `${shots}/registry-${tag}-models.png` });
  await reg.openModel(j.model);
  await reg.tab('versions');
  await expect(reg.versionRow(j.newVersion)).toHaveAttribute('data-stage', 'None');
  await expect(page.getByTestId(`version-run-${j.newVersion}`)).toHaveText(j.runName);
  await expect(reg.versionRow(j.oldProduction)).toHaveAttribute('data-stage', 'Production');
  await expect(reg.versionRow(j.oldProduction)).toHaveAttribute('data-aliases', /(^|,)champion(,|$)/);

  // The source-run link opens the run in the runs view with its details.
  await page.getByTestId(`version-run-${j.newVersion}`).click();
  await expect(page.getByTestId('run-detail')).toHaveAttribute('data-run-id', j.runId);
  await expect(page.getByTestId('runs-table')).toBeVisible();
  await reg.open();
  await expect(page.getByTestId('model-title')).toHaveText(j.model);

  // --- 3. promote on the board: drag the card to Production, archive the existing one ---
  await reg.tab('board');
  await expect(reg.column('None').getByTestId(`version-card-${j.newVersion}`)).toBeVisible();
  await reg.card(j.newVersion).dragTo(reg.column('Production'));
  await expect(reg.stageDialog).toBeVisible();
  await expect(reg.stageDialog).toContainText(`v${j.oldProduction} → Archived`);
  await page.getByTestId('stage-dialog-archive').check();
  await page.screenshot({ path: `${shots}/registry-${tag}-stage-dialog.png` });
  await reg.confirmStage({ archiveExisting: true, comment: 'best test score' });
  await expect(reg.column('Production').getByTestId(`version-card-${j.newVersion}`)).toBeVisible();
  await expect(reg.column('Archived').getByTestId(`version-card-${j.oldProduction}`)).toBeVisible();
  await expect(reg.column('Production').locator('[data-testid^="version-card-"]')).toHaveCount(1);
  await page.screenshot({ path: `${shots}/registry-${tag}-board.png` });

  // --- 4. move `champion` to the new version: typing an alias held elsewhere moves it ---
  await reg.tab('versions');
  await reg.openVersion(j.newVersion);
  await page.getByTestId('alias-input').fill('champion');
  await expect(page.getByTestId('alias-hint')).toHaveAttribute('data-intent', 'move');
  await expect(page.getByTestId('alias-hint')).toContainText(`is on v${j.oldProduction}`);
  await page.getByTestId('alias-set').click();
  await expect(reg.versionRow(j.newVersion)).toHaveAttribute('data-aliases', /(^|,)champion(,|$)/);
  await expect(reg.versionRow(j.oldProduction)).not.toHaveAttribute('data-aliases', /(^|,)champion(,|$)/);
  await expect(page.getByTestId('model-aliases').getByTestId('alias-chip-champion')).toHaveAttribute('data-version', String(j.newVersion));

  // --- 5. undo: a tag set by mistake, taken back with Ctrl+Z ---
  await page.getByTestId('version-tags-key').fill('oops');
  await page.getByTestId('version-tags-value').fill('typo');
  await page.getByTestId('version-tags-add').click();
  await expect(page.getByTestId('version-tags-tag-oops')).toBeVisible();
  await expect(page.getByTestId('registry-undo')).toHaveAttribute('data-undo', /oops/);
  await page.getByTestId('model-title').click();
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('version-tags-tag-oops')).toHaveCount(0);
  await expect(reg.toast(/Undid/)).toBeVisible();

  // --- 6. request a transition, approve it, read the audit trail ---
  await reg.openVersion(j.request.version);
  await reg.requestTransition(j.request.stage, 'ready for a wider test');
  await expect(reg.request(1)).toHaveAttribute('data-status', 'pending');
  await expect(page.getByTestId(`version-pending-${j.request.version}`)).toBeVisible();
  await page.screenshot({ path: `${shots}/registry-${tag}-request.png` });
  await reg.approve(1, 'looks good');
  await expect(page.getByTestId('version-panel-stage')).toHaveAttribute('data-stage', j.request.stage);
  await expect(reg.versionRow(j.request.version)).toHaveAttribute('data-stage', j.request.stage);
  const trail = page.getByTestId('audit-trail');
  await expect(trail).toBeVisible();
  await expect(reg.auditEntries().first()).toHaveAttribute('data-action', 'approve_transition');
  await expect(reg.auditEntries().nth(1)).toHaveAttribute('data-action', 'request_transition');
  await expect(reg.auditEntries().first()).toContainText(`→ ${j.request.stage}`);
  await expect(reg.auditEntries().first()).toContainText('looks good');
  await page.screenshot({ path: `${shots}/registry-${tag}-audit.png` });

  // The new version's own trail, newest first: registered, moved to Production, took champion,
  // the mistaken tag and its undo.
  await reg.openVersion(j.newVersion);
  const actions = await reg.auditEntries().evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
  expect(actions).toEqual(['undo', 'set_tag', 'set_alias', 'transition', 'register']);

  // --- 7. what a fresh engine reads from the copy ---
  const disk = await registryOnDisk(dir, j.model);
  const stageOf = (v: number) => disk.versions.find((x) => x.version === v)?.currentStage;
  expect(stageOf(j.newVersion)).toBe('Production');
  expect(stageOf(j.oldProduction)).toBe('Archived');
  expect(stageOf(j.request.version)).toBe(j.request.stage);
  expect(disk.aliases.champion).toBe(j.newVersion);
  expect(disk.versions.find((x) => x.version === j.newVersion)?.runId).toBe(j.runId);
  expect(disk.versions.find((x) => x.version === j.newVersion)?.tags.oops).toBeUndefined();

  // --- 8. restart browser mode on the same folder: everything is still there ---
  await stopChild(serve.child);
  serve = await startServe(dir, configDir);
  await page.goto(serve.url);
  await waitReady(page);
  await reg.open();
  await reg.openModel(j.model);
  await reg.tab('versions');
  await expect(reg.versionRow(j.newVersion)).toHaveAttribute('data-stage', 'Production');
  await expect(reg.versionRow(j.newVersion)).toHaveAttribute('data-aliases', /(^|,)champion(,|$)/);
  await expect(reg.versionRow(j.oldProduction)).toHaveAttribute('data-stage', 'Archived');
  await expect(reg.versionRow(j.request.version)).toHaveAttribute('data-stage', j.request.stage);
  await reg.openVersion(j.request.version);
  await expect(reg.request(1)).toHaveAttribute('data-status', 'approved');
  await expect(reg.auditEntries().first()).toHaveAttribute('data-action', 'approve_transition');
  await reg.tab('board');
  await expect(reg.column('Production').getByTestId(`version-card-${j.newVersion}`)).toBeVisible();
  await page.screenshot({ path: `${shots}/registry-${tag}-after-restart.png` });

  // --- 9. live: a registry write from outside the app (a CI script) shows up without a reload ---
  await run(process.execPath, [path.join(repoRoot, 'electron/cli/main.ts'), 'registry', 'alias', dir, '--model', j.model, '--set', 'shadow', '--version', String(j.oldProduction)], {
    cwd: repoRoot,
    env: { ...process.env, RUNSIGHT_USER: 'ci-bot' },
  });
  await expect(page.getByTestId('model-aliases').getByTestId('alias-chip-shadow')).toHaveAttribute('data-version', String(j.oldProduction));
  await expect(reg.column('Archived').getByTestId(`version-card-${j.oldProduction}`).getByTestId('alias-chip-shadow')).toBeVisible();
}

test('seed-rf: drag the best run in, promote it, move champion, request + approve, restart', async ({ page, screenshotDir }) => {
  const info = fixtureInfo('seed-rf') as { best_run_id: string };
  await journey(
    page,
    {
      fixture: 'seed-rf',
      model: 'RandomForestRegressor',
      runId: info.best_run_id,
      runName: 'blushing-skink-897',
      dragFrom: 'row',
      choose: null,
      newVersion: 5,
      oldProduction: 1,
      request: { version: 4, stage: 'Staging' },
    },
    screenshotDir,
  );
});

test('kitchen-sink-sqlite: the run has two models (the app asks which), same journey, restart', async ({ page, screenshotDir }) => {
  const info = fixtureInfo('kitchen-sink-sqlite') as { runs: { train_classifier: { run_id: string } } };
  await journey(
    page,
    {
      fixture: 'kitchen-sink-sqlite',
      model: 'kitchen-classifier',
      runId: info.runs.train_classifier.run_id,
      runName: 'train-classifier',
      dragFrom: 'detail',
      choose: 'classifier',
      // v5 was deleted the MLflow way: its number is never reused.
      newVersion: 6,
      oldProduction: 2,
      request: { version: 4, stage: 'Staging' },
    },
    screenshotDir,
  );
});
