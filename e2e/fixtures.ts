/** Page objects shared by the studio's Playwright specs: the page itself and its search panel. */
import { expect, test as base, type Locator, type Page } from '@playwright/test';

/** The studio page: open it (with a query), wait for its data, take screenshots. */
export class StudioPage {
  constructor(readonly page: Page) {}

  /** Opens the studio at `query` (e.g. `?lr=0.01`) and waits until MNIST is loaded. */
  async open(query = ''): Promise<void> {
    await this.page.goto(`./${query}`);
    await expect(this.page.getByTestId('dataset-status')).toContainText('ready');
  }

  byTestId(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  /** A full-page screenshot at a viewport size, saved under /tmp. */
  async screenshot(name: string, size: { width: number; height: number }): Promise<void> {
    await this.page.setViewportSize(size);
    await this.page.screenshot({ path: `/tmp/${name}.png`, fullPage: true });
  }
}

/** The search (its editor and run controls) and its results (the trials and past searches), the workflow's steps 2 and 3. */
export class SearchPanel {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId(/^(search|results)-panel$/);
  }

  /** A hyperparameter's row in the space editor. */
  parameter(name: string): Locator {
    return this.root.getByTestId(`space-${name}`);
  }

  /** Types into a labelled field and commits it (Enter), as a user would. */
  async setField(label: string, value: string): Promise<void> {
    const field = this.root.getByLabel(label, { exact: true });
    await field.fill(value);
    await field.press('Enter');
  }

  /** The raw config.yaml text. */
  async configText(): Promise<string> {
    return this.root.getByTestId('raw-yaml').inputValue();
  }

  runButton(): Locator {
    return this.root.getByTestId('run-search');
  }

  trialRow(id: string): Locator {
    return this.root.getByTestId(`trial-row-${id}`);
  }

  trialStatus(id: string): Locator {
    return this.root.getByTestId(`trial-status-${id}`);
  }

  /** Sets the data subset and starts the search. */
  async run(subset: { train: number; val: number }): Promise<void> {
    await this.root.getByTestId('train-limit').fill(String(subset.train));
    await this.root.getByTestId('val-limit').fill(String(subset.val));
    await expect(this.runButton()).toBeEnabled();
    await this.runButton().click();
  }
}

/** `test` with the studio page objects as fixtures. */
export const test = base.extend<{ studio: StudioPage; search: SearchPanel }>({
  studio: async ({ page }, provide) => {
    await provide(new StudioPage(page));
  },
  search: async ({ page }, provide) => {
    await provide(new SearchPanel(page));
  },
});

export { expect };
