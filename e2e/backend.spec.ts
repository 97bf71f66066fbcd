import { expect, test as base, type Locator, type Page } from '@playwright/test';

/** The backend panel (in the diagnostics drawer the backend chip opens), found by its test ids; counts the backend-probe Workers the page starts. */
class BackendPanel {
  readonly root: Locator;
  readonly chip: Locator;
  readonly probeWorkers: string[] = [];
  constructor(readonly page: Page) {
    this.root = page.getByTestId('backend-panel');
    this.chip = page.getByTestId('backend-chip');
    page.on('worker', (worker) => {
      if (worker.url().includes('probe.worker')) this.probeWorkers.push(worker.url());
    });
  }
  async open(query = ''): Promise<void> {
    await this.page.goto(`./${query}`);
    await this.openDrawer();
  }
  /** Opens the diagnostics drawer with the backend chip. */
  async openDrawer(): Promise<void> {
    await this.chip.click();
    await expect(this.root).toBeVisible();
  }
  field(testId: string): Locator {
    return this.root.getByTestId(testId);
  }
  candidate(backend: string, column: 'probe-figure' | 'probe-verdict'): Locator {
    return this.field(`probe-${backend}`).getByTestId(column);
  }
}

const test = base.extend<{ backendPanel: BackendPanel }>({
  backendPanel: async ({ page }, provide) => {
    await provide(new BackendPanel(page));
  },
});

test('measures the backends at start-up, picks wasm over software WebGPU, and caches the result', async ({ backendPanel }) => {
  await test.step('open the studio', () => backendPanel.open());
  await test.step('WebGPU exists, through SwiftShader', async () => {
    await expect(backendPanel.field('webgpu-available')).toHaveText('available');
    await expect(backendPanel.field('adapter-info')).toContainText('google');
    await expect(backendPanel.field('adapter-info')).toContainText('swiftshader');
    await expect(backendPanel.field('adapter-fallback')).toContainText('yes');
  });
  let measuredAt = '';
  await test.step('the probe times wasm, skips software WebGPU and cpu, and says why', async () => {
    await expect(backendPanel.field('probe-source')).toContainText('Measured just now');
    await expect(backendPanel.candidate('wasm', 'probe-figure')).toContainText(/^\d+ samples\/s/);
    await expect(backendPanel.candidate('wasm', 'probe-verdict')).toHaveText('trains correctly');
    await expect(backendPanel.candidate('webgpu', 'probe-verdict')).toContainText('skipped: a software adapter');
    await expect(backendPanel.candidate('cpu', 'probe-verdict')).toContainText('skipped: the last resort');
    await expect(backendPanel.field('probe-choice')).toHaveText('wasm');
    // The chip in the header says the same in a few words.
    await expect(backendPanel.chip).toHaveText(/^CPU, [\d,]+ samples\/s$/);
    measuredAt = await backendPanel.field('probe-measured-at').innerText();
    console.log(
      `probe: ${await backendPanel.field('probe-wall-ms').innerText()} ms; wasm ${await backendPanel.candidate('wasm', 'probe-figure').innerText()}`,
    );
  });
  await test.step('the studio starts the probe\'s choice and says why', async () => {
    await expect(backendPanel.field('chosen-backend')).toHaveText('wasm');
    await expect(backendPanel.field('backend-reason')).toContainText('Measured at start-up: wasm with the fused CPU step is the fastest backend');
    const isolated = await backendPanel.page.evaluate(() => globalThis.crossOriginIsolated);
    await expect(backendPanel.field('cross-origin-isolated')).toContainText(isolated ? 'yes' : 'no');
    await expect(backendPanel.field('backend-self-test')).toContainText(/matmul ok in [\d.]+ ms on wasm/);
  });
  await test.step('a second visit takes the cached result and starts no probe', async () => {
    expect(backendPanel.probeWorkers).toHaveLength(1);
    await backendPanel.page.reload();
    await expect(backendPanel.field('probe-source')).toContainText('From the cache');
    await expect(backendPanel.field('probe-measured-at')).toHaveText(measuredAt);
    await expect(backendPanel.field('chosen-backend')).toHaveText('wasm');
    expect(backendPanel.probeWorkers).toHaveLength(1);
  });
  await test.step('Re-run probe measures again', async () => {
    await backendPanel.openDrawer();
    await backendPanel.field('rerun-probe').click();
    await expect(backendPanel.field('probe-source')).toContainText('Measured just now');
    await expect(backendPanel.field('chosen-backend')).toHaveText('wasm');
    expect(backendPanel.probeWorkers).toHaveLength(2);
  });
});

test('the panel overrides the probe\'s choice, and the address keeps it', async ({ backendPanel }) => {
  await backendPanel.open();
  await expect(backendPanel.field('chosen-backend')).toHaveText('wasm');
  await backendPanel.field('backend-override').selectOption('cpu');
  await expect(backendPanel.field('chosen-backend')).toHaveText('cpu');
  await expect(backendPanel.field('backend-reason')).toContainText('Requested with ?backend=cpu');
  await expect(backendPanel.field('backend-self-test')).toContainText(/matmul ok in [\d.]+ ms on cpu/);
  expect(new URL(backendPanel.page.url()).searchParams.get('backend')).toBe('cpu');
  await backendPanel.field('backend-override').selectOption('auto');
  await expect(backendPanel.field('chosen-backend')).toHaveText('wasm');
  expect(new URL(backendPanel.page.url()).searchParams.get('backend')).toBeNull();
});

test('honours ?backend=webgpu without measuring, and computes on WebGPU', async ({ backendPanel }) => {
  await backendPanel.open('?backend=webgpu');
  await expect(backendPanel.field('chosen-backend')).toHaveText('webgpu');
  await expect(backendPanel.field('backend-reason')).toContainText('Requested with ?backend=webgpu');
  await expect(backendPanel.field('probe-source')).toContainText('Not measured');
  await expect(backendPanel.field('backend-self-test')).toContainText(/matmul ok in [\d.]+ ms on webgpu/);
  expect(backendPanel.probeWorkers).toHaveLength(0);
});
