// Page object for the model registry: the dock beside the runs table (drop target for runs), the
// registry view (models, model page, versions table, board, version panel) and its dialogs and
// toasts. It speaks only in the test ids documented in renderer/README.md ("Registry").
import { expect, type Locator, type Page } from '@playwright/test';

export class RegistryPage {
  readonly page: Page;
  readonly dock: Locator;
  readonly view: Locator;
  readonly versionPanel: Locator;
  readonly stageDialog: Locator;
  readonly registerDialog: Locator;

  constructor(page: Page) {
    this.page = page;
    this.dock = page.getByTestId('registry-dock');
    this.view = page.getByTestId('registry-view');
    this.versionPanel = page.getByTestId('version-panel');
    this.stageDialog = page.getByTestId('stage-dialog');
    this.registerDialog = page.getByTestId('register-dialog');
  }

  // ---- dock and drag sources (runs view) ----

  async openDock(): Promise<void> {
    if (!(await this.dock.isVisible())) await this.page.getByTestId('registry-dock-toggle').click();
    await expect(this.dock).toBeVisible();
  }

  dockModel(name: string): Locator {
    return this.page.getByTestId(`dock-model-${name}`);
  }

  /** A real HTML5 drag (mouse down on the row, move, release on the target) through Playwright. */
  async dragRunRow(runId: string, target: Locator): Promise<void> {
    await this.page.getByTestId(`run-row-${runId}`).dragTo(target);
  }

  async dragDetailHandle(target: Locator): Promise<void> {
    await this.page.getByTestId('detail-drag-handle').dragTo(target);
  }

  toast(text: string | RegExp): Locator {
    return this.page.getByTestId('toast').filter({ hasText: text });
  }

  async dismissToasts(): Promise<void> {
    for (const close of await this.page.getByTestId('toast-close').all()) await close.click();
  }

  // ---- registry view ----

  async open(): Promise<void> {
    await this.page.getByTestId('nav-registry').click();
    await expect(this.view).toHaveAttribute('data-loaded', 'true');
  }

  async backToRuns(): Promise<void> {
    await this.page.getByTestId('nav-runs').click();
    await expect(this.page.getByTestId('runs-table')).toBeVisible();
  }

  modelRow(name: string): Locator {
    return this.page.getByTestId(`model-row-${name}`);
  }

  async openModel(name: string): Promise<void> {
    await this.modelRow(name).click();
    await expect(this.page.getByTestId('model-title')).toHaveText(name);
  }

  async tab(which: 'versions' | 'board'): Promise<void> {
    await this.page.getByTestId(`model-tab-${which}`).click();
    await expect(this.page.getByTestId(which === 'board' ? 'board' : 'versions-table')).toBeVisible();
  }

  versionRow(version: number): Locator {
    return this.page.getByTestId(`version-row-${version}`);
  }

  card(version: number): Locator {
    return this.page.getByTestId(`version-card-${version}`);
  }

  column(stage: string): Locator {
    return this.page.getByTestId(`board-column-${stage}`);
  }

  async openVersion(version: number): Promise<void> {
    await this.versionRow(version).click();
    await expect(this.versionPanel).toHaveAttribute('data-version', String(version));
  }

  async confirmStage(opts: { archiveExisting: boolean; comment?: string }): Promise<void> {
    await expect(this.stageDialog).toBeVisible();
    const box = this.page.getByTestId('stage-dialog-archive');
    if (opts.archiveExisting) await box.check();
    else if (await box.count()) await box.uncheck();
    if (opts.comment) await this.page.getByTestId('stage-dialog-comment').fill(opts.comment);
    await this.page.getByTestId('stage-dialog-confirm').click();
    await expect(this.stageDialog).toHaveCount(0);
  }

  async setAlias(alias: string): Promise<void> {
    await this.page.getByTestId('alias-input').fill(alias);
    await this.page.getByTestId('alias-set').click();
    await expect(this.page.getByTestId('version-aliases').getByTestId(`alias-chip-${alias}`)).toBeVisible();
  }

  async requestTransition(stage: string, comment: string): Promise<void> {
    await this.page.getByTestId('version-request').click();
    await expect(this.stageDialog).toBeVisible();
    await this.page.getByTestId('stage-dialog-stage').selectOption(stage);
    await this.page.getByTestId('stage-dialog-comment').fill(comment);
    await this.page.getByTestId('stage-dialog-confirm').click();
    await expect(this.stageDialog).toHaveCount(0);
  }

  request(id: number): Locator {
    return this.versionPanel.getByTestId(`request-${id}`);
  }

  async approve(id: number, comment: string): Promise<void> {
    await this.versionPanel.getByTestId(`request-comment-${id}`).fill(comment);
    await this.versionPanel.getByTestId(`request-approve-${id}`).click();
    await expect(this.request(id)).toHaveAttribute('data-status', 'approved');
  }

  auditEntries(): Locator {
    return this.versionPanel.getByTestId('audit-entry');
  }

  async screenshot(dir: string, name: string): Promise<void> {
    await this.page.screenshot({ path: `${dir}/${name}.png`, fullPage: false });
  }
}
