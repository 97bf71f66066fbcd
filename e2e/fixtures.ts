/** Page objects shared by the studio's Playwright specs: the page itself, its search panel, its models panel, its drawing pad, and its automation API. */
import { expect, test as base, type Download, type Locator, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AutomationEvent, AutomationRequest, AutomationResult } from '../src/automation';
import type { BackendChoice, BackendName } from '../src/backend/choice';
import { STORAGE_DB } from '../src/data/storage';
import type { Point, Strokes } from './drawing';

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

  /** Opens the studio on `backend` and runs a search there (the request's backend too), waiting for its result. */
  async searchOn(backend: BackendChoice, request: Omit<AutomationRequest, 'backend'>): Promise<AutomationResult> {
    await this.open(backend);
    return this.runSearch({ ...request, backend });
  }

  /** Runs a search through the page's automation API and waits for its result. */
  runSearch(request: AutomationRequest): Promise<AutomationResult> {
    return this.page.evaluate((request) => window.digitStudio!.runSearch(request), request);
  }

  /** The engine and backend each trial started with, in order. */
  startedTrials(): { engine: string; backend: string }[] {
    return this.events.flatMap((event) => (event.kind === 'trial-started' ? [{ engine: event.engine, backend: event.backend }] : []));
  }
}

/**
 * Opens the studio on `backend` and waits for its automation API and for the page to have started
 * that backend: a check run in the page then shares it rather than racing its start.
 */
export async function openOnBackend(page: Page, backend: BackendName): Promise<void> {
  await page.goto(`./?backend=${backend}`);
  await new StudioAutomation(page).ready();
  await expect(page.getByTestId('chosen-backend')).toContainText(backend, { timeout: 120_000 });
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

/** The models panel and test-set explorer, found by their test ids. */
export class ModelsPanel {
  readonly root: Locator;
  readonly explorer: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('models-panel');
    this.explorer = page.getByTestId('test-set-explorer');
  }

  /** Clicks an export button and collects the `count` downloads it starts. */
  async download(testId: string, count = 1): Promise<Download[]> {
    const downloads: Download[] = [];
    const collect = (download: Download) => downloads.push(download);
    this.page.on('download', collect);
    try {
      await this.root.getByTestId(testId).click();
      await expect.poll(() => downloads.length).toBe(count);
    } finally {
      this.page.off('download', collect);
    }
    return downloads;
  }

  /** Evaluates the selected model on the first `limit` test images; returns the summary and the matrix. */
  async evaluate(limit: string): Promise<{ summary: string; cells: string[] }> {
    await this.explorer.getByTestId('evaluate-limit').selectOption(limit);
    await this.explorer.getByTestId('evaluate-test-set').click();
    const summary = this.explorer.getByTestId('test-accuracy');
    await expect(summary).toBeVisible({ timeout: 120_000 });
    const cells = await this.explorer.getByTestId('confusion-matrix').locator('tbody td').allTextContents();
    return { summary: (await summary.textContent()) ?? '', cells };
  }
}

/** The drawing pad and its verdict, driven with the mouse as a person would. */
export class DrawingPad {
  readonly canvas: Locator;
  readonly prediction: Locator;

  constructor(readonly page: Page) {
    this.canvas = page.getByTestId('draw-canvas');
    this.prediction = page.getByTestId('prediction');
  }

  /** Draws one stroke through `points` (fractions of the pad), in many small mouse moves. */
  async stroke(points: readonly Point[], stepsPerSegment = 8): Promise<void> {
    // Mouse coordinates are the viewport's: the pad must be on screen.
    await this.canvas.scrollIntoViewIfNeeded();
    const box = await this.canvas.boundingBox();
    if (!box) throw new Error('the drawing pad is not visible');
    const at = ([x, y]: Point): Point => [box.x + x * box.width, box.y + y * box.height];
    const [first, ...rest] = points.map(at);
    if (!first) return;
    await this.page.mouse.move(...first);
    await this.page.mouse.down();
    for (const point of rest) await this.page.mouse.move(...point, { steps: stepsPerSegment });
    await this.page.mouse.up();
  }

  /** Draws a digit, stroke by stroke. */
  async draw(strokes: Strokes): Promise<void> {
    for (const points of strokes) await this.stroke(points);
  }

  async clear(): Promise<void> {
    await this.page.getByTestId('clear-canvas').click();
  }

  /** The prediction once the pad has settled: the final stroke's verdict, read after it stops changing. */
  async settledPrediction(): Promise<string> {
    await expect(this.prediction).toBeVisible();
    let previous = '';
    await expect
      .poll(async () => {
        const text = (await this.prediction.textContent()) ?? '';
        const stable = text === previous;
        previous = text;
        return stable;
      }, { intervals: [300] })
      .toBe(true);
    return previous;
  }
}

/** A command-line script (`scripts/<name>.ts`) run as `npm run <name>` runs it, with its output and exit status. */
export function runScript(name: string, args: readonly string[], timeout: number): { stdout: string; stderr: string; status: number | null } {
  const run = spawnSync('npx', ['tsx', `scripts/${name}.ts`, ...args], { encoding: 'utf8', timeout });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}

/** The search `trainedModel` trains unless a spec asks for another (`test.use({ trainingRequest })`): one trial, one epoch, a few images. */
export const TINY_SEARCH: AutomationRequest = { overrides: ['num_trials=1', 'max_num_epochs=1'], trainLimit: 512, valLimit: 256 };

/** A model trained in the page by `trainingRequest`'s search, selected in the models panel as its best trial. */
export interface TrainedModel {
  result: AutomationResult;
  /** The search's best trial, the model the pad and the exports use. */
  trialId: string;
}

/**
 * The studio's own Ray Tune export of a small finished search (src/tune/fixtures/studio-export: three
 * trials, one STOPPED by ASHA), imported into Past experiments through the page's importer.
 */
export const SEEDED_EXPERIMENT = {
  folder: fileURLToPath(new URL('../src/tune/fixtures/studio-export', import.meta.url)),
  trials: 3,
  bestTrialId: 't0003',
} as const;

interface StudioFixtures {
  studio: StudioPage;
  search: SearchPanel;
  automation: StudioAutomation;
  models: ModelsPanel;
  pad: DrawingPad;
  /** The query `readyStudio` opens the studio with (`?backend=wasm`, a search space); none by default. */
  studioQuery: string;
  /** The studio opened at `studioQuery`, MNIST loaded and its automation API up. */
  readyStudio: StudioPage;
  /** The search `trainedModel` runs. */
  trainingRequest: AutomationRequest;
  /** A model trained in the ready studio (see TrainedModel). */
  trainedModel: TrainedModel;
  /** Past experiments holding SEEDED_EXPERIMENT; gives its row in the list. */
  seededExperiment: Locator;
}

/** `test` with the studio page objects, a ready studio, a trained model and a seeded experiment as fixtures. */
export const test = base.extend<StudioFixtures>({
  studio: async ({ page }, provide) => {
    await provide(new StudioPage(page));
  },
  search: async ({ page }, provide) => {
    await provide(new SearchPanel(page));
  },
  automation: async ({ page }, provide) => {
    await provide(new StudioAutomation(page));
  },
  models: async ({ page }, provide) => {
    await provide(new ModelsPanel(page));
  },
  pad: async ({ page }, provide) => {
    await provide(new DrawingPad(page));
  },
  studioQuery: ['', { option: true }],
  readyStudio: async ({ studio, automation, studioQuery }, provide) => {
    await studio.open(studioQuery);
    await automation.ready();
    await provide(studio);
  },
  trainingRequest: [TINY_SEARCH, { option: true }],
  trainedModel: async ({ readyStudio, automation, trainingRequest }, provide) => {
    const result = await automation.runSearch(trainingRequest);
    const trialId = result.results.best_trial_id;
    if (!trialId) throw new Error(`the training search ended with no best trial: ${result.results.trials.map((t) => `${t.trial_id} ${t.status}`).join(', ')}`);
    await expect(readyStudio.byTestId('selected-model')).toContainText(`${trialId} ★ best`);
    await provide({ result, trialId });
  },
  seededExperiment: async ({ readyStudio }, provide) => {
    const importer = readyStudio.byTestId('ray-import');
    await importer.getByLabel('Choose a ray_results folder').setInputFiles(SEEDED_EXPERIMENT.folder);
    await expect(importer.getByRole('status')).toContainText(`${SEEDED_EXPERIMENT.trials} trial(s)`);
    const rows = readyStudio.byTestId('experiment-history').locator('table.history-table > tbody > tr');
    await expect(rows).toHaveCount(1);
    await provide(rows.first());
  },
});

export { expect };
