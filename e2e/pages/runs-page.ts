// Page object for the main screen: sidebar, runs table, filter, detail panel, diagnostics.
// It speaks only in the renderer's documented test ids (renderer/README.md).
import { expect, type Locator, type Page } from '@playwright/test';

export class RunsPage {
  readonly page: Page;
  readonly table: Locator;
  readonly filterInput: Locator;
  readonly filterError: Locator;

  constructor(page: Page) {
    this.page = page;
    this.table = page.getByTestId('runs-table');
    this.filterInput = page.getByTestId('filter-input');
    this.filterError = page.getByTestId('filter-error');
  }

  rows(): Locator {
    return this.page.locator('[data-testid^="run-row-"]');
  }

  row(runId: string): Locator {
    return this.page.getByTestId(`run-row-${runId}`);
  }

  cell(runId: string, key: string): Locator {
    return this.page.getByTestId(`cell-${runId}-${key}`);
  }

  /** Run ids in the order the table shows them. */
  async rowIds(): Promise<string[]> {
    return this.rows().evaluateAll((els) =>
      els
        .map((el) => ({ id: el.getAttribute('data-testid')!.slice('run-row-'.length), top: el.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((r) => r.id),
    );
  }

  /** Jumps the table to its last row in one step (no smooth scroll through the rows between). */
  async scrollToEnd(): Promise<void> {
    await this.table.locator('.rt-scroll').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
  }

  /** Chooses the toolbar's "Group by" column (null: no grouping) and waits for the table to show it. */
  async groupBy(columnKey: string | null): Promise<void> {
    await this.page.getByTestId('table-group-by').selectOption(columnKey ?? '');
    if (columnKey) await expect(this.table).toHaveAttribute('data-grouped-by', columnKey);
    else await expect(this.table).not.toHaveAttribute('data-grouped-by', /./);
    await expect(this.table).toHaveAttribute('data-query-key', 'current');
  }

  /** Group header rows (grouped table), in the order shown. */
  groupRows(): Locator {
    return this.page.locator('[data-testid^="group-row-"]');
  }

  groupRow(label: string): Locator {
    return this.page.getByTestId(`group-row-${label}`);
  }

  /** The aggregate a group row shows for a metric column (`data-value`, `data-aggregate`). */
  groupAggregate(label: string, columnKey: string): Locator {
    return this.page.getByTestId(`group-agg-${label}-${columnKey}`);
  }

  /** Group values in the order shown (`data-value`; "" for the no-value group, see `data-missing`). */
  async groupLabels(): Promise<string[]> {
    return this.groupRows().evaluateAll((els) =>
      els
        .map((el) => ({ id: el.getAttribute('data-testid')!.slice('group-row-'.length), top: el.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((r) => r.id),
    );
  }

  async generation(): Promise<number> {
    return Number(await this.table.getAttribute('data-generation'));
  }

  async selectExperiment(experimentId: string): Promise<void> {
    await this.page.getByTestId(`experiment-${experimentId}`).click();
    await this.waitIdle();
  }

  async sortBy(key: string, direction: 'ascending' | 'descending'): Promise<void> {
    const header = this.page.getByTestId(`col-${key}`);
    for (let i = 0; i < 3 && (await header.getAttribute('aria-sort')) !== direction; i++) {
      await header.click();
      await this.waitIdle();
    }
    await expect(header).toHaveAttribute('aria-sort', direction);
  }

  async filter(text: string): Promise<void> {
    await this.filterInput.fill(text);
    await this.filterInput.press('Enter');
    await this.waitIdle();
  }

  async showDeleted(on: boolean): Promise<void> {
    const toggle = this.page.getByTestId('deleted-toggle');
    if ((await toggle.getAttribute('aria-checked')) !== String(on)) await toggle.click();
    await expect(toggle).toHaveAttribute('aria-checked', String(on));
    await this.waitIdle();
  }

  /** The app marks body[data-ready] once the visible page of the table has painted. */
  async waitIdle(): Promise<void> {
    await expect(this.page.locator('body[data-ready="true"]')).toHaveCount(1);
  }

  async screenshot(dir: string, name: string): Promise<void> {
    await this.page.screenshot({ path: `${dir}/${name}.png`, fullPage: false });
  }
}
