import { expect, test as base, type Locator, type Page } from '@playwright/test';
import { MNIST_CACHE_NAMES } from '../src/data/mnistCache';
import { STORAGE_AREAS, STORAGE_DB, storageKey } from '../src/data/storage';

const SHARD_URL = /\/data\/mnist\/([^/?]+\.bin)(\?|$)/;
const ALL_SHARDS = ['test-00.bin', 'train-00.bin', 'train-01.bin', 'train-02.bin', 'train-03.bin', 'train-04.bin', 'train-05.bin'];

/** The dataset panel, and the shard requests the page has made since the last `open` or `reload`. */
class DatasetPanel {
  readonly root: Locator;
  shardRequests: string[] = [];

  constructor(readonly page: Page) {
    this.root = page.getByTestId('dataset-panel');
    page.on('request', (request) => {
      const match = SHARD_URL.exec(request.url());
      if (match?.[1]) this.shardRequests.push(match[1]);
    });
  }

  async open(): Promise<void> {
    this.shardRequests = [];
    await this.page.goto('./');
    await this.waitReady();
  }

  async reload(): Promise<void> {
    this.shardRequests = [];
    await this.page.reload();
    await this.waitReady();
  }

  async waitReady(): Promise<void> {
    await expect(this.field('dataset-status')).toContainText('ready');
  }

  field(testId: string): Locator {
    return this.root.getByTestId(testId);
  }

  requested(): string[] {
    return [...this.shardRequests].sort();
  }

  /** Milliseconds to data ready: from the load's start, and from the page's navigation. */
  async readyTimes(): Promise<{ load: number; sincePage: number }> {
    const status = this.field('dataset-status');
    return {
      load: Number(await status.getAttribute('data-ready-ms')),
      sincePage: Number(await status.getAttribute('data-ready-since-page-ms')),
    };
  }

  /** Rewrites one cached shard in IndexedDB: flips a byte, or deletes the entry. */
  async damageCachedShard(name: string, how: 'flip' | 'delete'): Promise<void> {
    const key = storageKey(STORAGE_AREAS.mnist, `${MNIST_CACHE_NAMES.shardPrefix}${name}`);
    await this.page.evaluate(
      async ({ db, store, key, how }) => {
        const database = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(db);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error ?? new Error('open failed'));
        });
        const done = (request: IDBRequest) =>
          new Promise<unknown>((resolve, reject) => {
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error ?? new Error('request failed'));
          });
        const objects = () => database.transaction(store, 'readwrite').objectStore(store);
        if (how === 'delete') {
          await done(objects().delete(key));
        } else {
          const entry = (await done(objects().get(key))) as { bytes: Uint8Array } | undefined;
          if (!entry) throw new Error(`${key} is not cached`);
          entry.bytes[1000] = (entry.bytes[1000] ?? 0) ^ 0xff;
          await done(objects().put(entry, key));
        }
        database.close();
      },
      { db: STORAGE_DB.name, store: STORAGE_DB.store, key, how },
    );
  }
}

const test = base.extend<{ dataset: DatasetPanel }>({
  dataset: async ({ page }, provide) => {
    await provide(new DatasetPanel(page));
  },
});

test('a first visit downloads and caches MNIST; a reload reads IndexedDB with no shard requests', async ({ dataset }) => {
  await test.step('first visit: every shard from the network', async () => {
    await dataset.open();
    expect(dataset.requested()).toEqual(ALL_SHARDS);
    await expect(dataset.field('dataset-source')).toHaveText('network');
    await expect(dataset.field('dataset-counts')).toHaveText('60,000 train / 10,000 test');
    await expect(dataset.field('label-histogram')).toBeVisible();
    await expect(dataset.field('sample-grid')).toHaveAttribute('aria-label', /^The first 48 training digits: 5 0 4 1 9/);
  });
  const cold = await dataset.readyTimes();

  await test.step('reload: every shard from IndexedDB', async () => {
    await dataset.reload();
    expect(dataset.requested()).toEqual([]);
    await expect(dataset.field('dataset-source')).toHaveText('IndexedDB');
    await expect(dataset.field('dataset-counts')).toHaveText('60,000 train / 10,000 test');
  });
  const warm = await dataset.readyTimes();

  const phases = await dataset.field('dataset-status').getAttribute('title');
  console.log(`warm phases: ${phases}`);
  console.log(`data ready: cold ${cold.load} ms (${cold.sincePage} ms after navigation), warm ${warm.load} ms (${warm.sincePage} ms after navigation)`);
  test.info().annotations.push({ type: 'data-ready-ms', description: JSON.stringify({ cold, warm }) });
});

test('a corrupted or missing cache entry is detected and only that shard is fetched again', async ({ dataset }) => {
  await dataset.open();

  await test.step('a flipped byte in train-02.bin', async () => {
    await dataset.damageCachedShard('train-02.bin', 'flip');
    await dataset.reload();
    expect(dataset.requested()).toEqual(['train-02.bin']);
    await expect(dataset.field('dataset-source')).toHaveText('mixed');
    await expect(dataset.root).toContainText('damaged cache entries fetched again: train-02.bin');
  });

  await test.step('a deleted test-00.bin', async () => {
    await dataset.damageCachedShard('test-00.bin', 'delete');
    await dataset.reload();
    expect(dataset.requested()).toEqual(['test-00.bin']);
    await expect(dataset.field('dataset-source')).toHaveText('mixed');
  });

  await test.step('the repaired cache serves the next visit alone', async () => {
    await dataset.reload();
    expect(dataset.requested()).toEqual([]);
    await expect(dataset.field('dataset-source')).toHaveText('IndexedDB');
  });
});

test('clear cache deletes the shards and downloads them again', async ({ dataset }) => {
  await dataset.open();
  await dataset.reload();
  await expect(dataset.field('dataset-source')).toHaveText('IndexedDB');

  dataset.shardRequests = [];
  await dataset.field('clear-cache').click();
  await expect(dataset.field('dataset-status')).toContainText('loading');
  await dataset.waitReady();
  expect(dataset.requested()).toEqual(ALL_SHARDS);
  await expect(dataset.field('dataset-source')).toHaveText('network');

  await dataset.reload();
  expect(dataset.requested()).toEqual([]);
  await expect(dataset.field('dataset-source')).toHaveText('IndexedDB');
});

test('a full disk is explained and the studio still gets its data, in memory', async ({ dataset, page }) => {
  await page.addInitScript(() => {
    IDBObjectStore.prototype.put = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await dataset.open();
  expect(dataset.requested()).toEqual(ALL_SHARDS);
  await expect(dataset.field('dataset-counts')).toHaveText('60,000 train / 10,000 test');
  await expect(dataset.root).toContainText('not cached: in memory for this visit');
  await expect(dataset.field('dataset-warning')).toContainText("storage for this site is full");
});

test('a browser without usable IndexedDB still loads MNIST and says what to do', async ({ dataset, page }) => {
  await page.addInitScript(() => {
    indexedDB.open = () => {
      throw new DOMException('IndexedDB is disabled.', 'InvalidStateError');
    };
  });
  await dataset.open();
  await expect(dataset.field('dataset-source')).toHaveText('network');
  await expect(dataset.field('dataset-warning')).toContainText('Allow site data for this page');
});
