/** Page objects shared by the studio's Playwright specs: the page itself, its search panel, and its automation API. */
import { expect, test as base, type Locator, type Page } from '@playwright/test';
import type { AutomationEvent } from '../src/automation';
import { STORAGE_DB } from '../src/data/storage';

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

/** The studio driven through its automation API (`window.digitStudio`), as the command line drives it, with every event it reports kept. */
export class StudioAutomation {
  /** Every event the page has reported, in order. */
  readonly events: AutomationEvent[] = [];

  constructor(readonly page: Page) {}

  /**
   * Opens the studio on a backend (the page's own choice when none is named) and waits for its
   * automation API; `onEvent` also sees each event as it arrives.
   */
  async open(backend?: string, onEvent?: (event: AutomationEvent) => void): Promise<void> {
    await this.page.exposeFunction('digitStudioReport', (event: AutomationEvent) => {
      this.events.push(event);
      onEvent?.(event);
    });
    await this.page.goto(backend === undefined ? './' : `./?backend=${backend}`);
    await this.ready();
  }

  /** Waits until the page (after a load or a reload) offers its automation API. */
  async ready(): Promise<void> {
    await this.page.waitForFunction(() => window.digitStudio !== undefined);
  }

  /** The engine and backend each trial started with, in order. */
  startedTrials(): { engine: string; backend: string }[] {
    return this.events.flatMap((event) => (event.kind === 'trial-started' ? [{ engine: event.engine, backend: event.backend }] : []));
  }
}

/**
 * What the studio keeps in IndexedDB under keys starting with `prefix` (key order), read in the
 * page straight from the database, each value cut down to the field at `path` (whole when empty)
 * so that only plain data comes back.
 */
export function storedValues(page: Page, prefix: string, path: readonly string[] = []): Promise<{ key: string; value: unknown }[]> {
  return page.evaluate(
    async ({ db: { name, store }, prefix, path }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(new Error(String(open.error)));
      });
      const all = <T>(request: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(new Error(String(request.error)));
        });
      // Only the keys under the prefix are read: the store also holds the MNIST shards, which are slow to read.
      const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
      const objects = db.transaction(store).objectStore(store);
      const keys = (await all(objects.getAllKeys(range))).map(String);
      const values = await all(objects.getAll(range));
      db.close();
      const field = (value: unknown) => path.reduce<unknown>((at, name) => (at as Record<string, unknown> | undefined)?.[name], value);
      return keys.map((key, i) => ({ key, value: field(values[i]) }));
    },
    { db: STORAGE_DB, prefix, path },
  );
}

/** `test` with the studio page objects as fixtures. */
export const test = base.extend<{ studio: StudioPage; search: SearchPanel; automation: StudioAutomation }>({
  studio: async ({ page }, provide) => {
    await provide(new StudioPage(page));
  },
  search: async ({ page }, provide) => {
    await provide(new SearchPanel(page));
  },
  automation: async ({ page }, provide) => {
    await provide(new StudioAutomation(page));
  },
});

export { expect };
