import { expect, test as base, type Locator, type Page } from '@playwright/test';

/** The backend panel, found by its test ids. */
class BackendPanel {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('backend-panel');
  }
  async open(query = ''): Promise<void> {
    await this.page.goto(`./${query}`);
    await expect(this.root).toBeVisible();
  }
  field(testId: string): Locator {
    return this.root.getByTestId(testId);
  }
}

const test = base.extend<{ backendPanel: BackendPanel }>({
  backendPanel: async ({ page }, provide) => {
    await provide(new BackendPanel(page));
  },
});

test('flags SwiftShader as a software adapter and trains on wasm', async ({ backendPanel }) => {
  await test.step('open the studio', () => backendPanel.open());
  await test.step('WebGPU exists, through SwiftShader', async () => {
    await expect(backendPanel.field('webgpu-available')).toHaveText('available');
    await expect(backendPanel.field('adapter-info')).toContainText('google');
    await expect(backendPanel.field('adapter-info')).toContainText('swiftshader');
    await expect(backendPanel.field('adapter-fallback')).toContainText('yes');
  });
  await test.step('the studio chooses wasm and says why', async () => {
    await expect(backendPanel.field('chosen-backend')).toHaveText('wasm');
    await expect(backendPanel.field('backend-reason')).toContainText('software');
    await expect(backendPanel.field('cross-origin-isolated')).toContainText('no');
    await expect(backendPanel.field('backend-self-test')).toContainText(/matmul ok in [\d.]+ ms on wasm/);
  });
});

test('honours ?backend=webgpu and computes on WebGPU', async ({ backendPanel }) => {
  await backendPanel.open('?backend=webgpu');
  await expect(backendPanel.field('chosen-backend')).toHaveText('webgpu');
  await expect(backendPanel.field('backend-reason')).toContainText('Requested with ?backend=webgpu');
  await expect(backendPanel.field('backend-self-test')).toContainText(/matmul ok in [\d.]+ ms on webgpu/);
});

test('honours ?backend=cpu', async ({ backendPanel }) => {
  await backendPanel.open('?backend=cpu');
  await expect(backendPanel.field('chosen-backend')).toHaveText('cpu');
  await expect(backendPanel.field('backend-self-test')).toContainText(/matmul ok in [\d.]+ ms on cpu/);
});
