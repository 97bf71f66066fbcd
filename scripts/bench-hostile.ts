/**
 * `npm run bench:hostile`: every hostile input of the browser tests, through the studio's three doors
 * (checkpoint files in the import control, config.yaml in the editor, share links), in headless
 * Chromium on the studio's sources. For each it records how long the refusal took and the tab's
 * memory: the renderer processes' peak resident set size (Linux's VmHWM, reset before each input
 * through /proc/<pid>/clear_refs), absolute and above what they held before. The peer for each door
 * is a valid input measured the same way in the same run, between the hostile ones. Writes
 * bench/results/hostile-<date>.json and prints a table. A measurement, not a test.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { HOSTILE_CONFIGS, HOSTILE_LINKS, VALID_CONFIG, VALID_LINK, XSS } from '../e2e/hostileInputs';
import { hostileCheckpoints, hostileTfjsModels, validCheckpoint } from '../src/export/hostileFiles';
import { openStudio } from './lib/studioSession';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Longest a refusal may take before the run counts it as not refused. */
const WAIT_MS = 30_000;
const MIB = 1024 * 1024;

type Door = 'checkpoint' | 'config' | 'link';

/** One input's outcome. */
interface Outcome {
  door: Door;
  title: string;
  /** Whether the page showed the expected refusal (or, for a peer, accepted the input). */
  ok: boolean;
  ms: number;
  /** Highest resident memory of the tab's renderer processes while the input was handled. */
  peakMiB: number;
  /** That peak above what those processes held just before. */
  growthMiB: number;
  message: string;
}

/** A file the import control is handed. */
interface InputFile {
  name: string;
  bytes: Uint8Array;
}

/** Resident memory of the browser's renderer processes, and a way to read their peak since a reset. */
class RendererMemory {
  private constructor(private readonly cdp: CDPSession) {}

  static async open(browser: Browser): Promise<RendererMemory> {
    return new RendererMemory(await browser.newBrowserCDPSession());
  }

  private async pids(): Promise<number[]> {
    const info = (await this.cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
    return info.processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
  }

  /** Resets every renderer's peak to its current size and returns those sizes by pid. */
  async reset(): Promise<Map<number, number>> {
    const before = new Map<number, number>();
    for (const pid of await this.pids()) {
      const status = await readStatus(pid);
      if (status === null) continue;
      before.set(pid, status.rss);
      await writeFile(`/proc/${pid}/clear_refs`, '5');
    }
    return before;
  }

  /** The highest renderer peak since `reset`, and its growth over that process's size at the reset. */
  async peak(before: Map<number, number>): Promise<{ peak: number; growth: number }> {
    let peak = 0;
    let growth = 0;
    for (const pid of await this.pids()) {
      const status = await readStatus(pid);
      if (status === null) continue;
      peak = Math.max(peak, status.hwm);
      growth = Math.max(growth, status.hwm - (before.get(pid) ?? 0));
    }
    return { peak, growth };
  }
}

async function readStatus(pid: number): Promise<{ rss: number; hwm: number } | null> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0) * 1024;
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return null; // the process ended
  }
}

/** Runs `act`, waits for `done` and measures time and memory around them. */
async function measure(memory: RendererMemory, door: Door, title: string, act: () => Promise<void>, done: () => Promise<string>): Promise<Outcome> {
  const before = await memory.reset();
  const started = performance.now();
  let ok = true;
  let message: string;
  try {
    await act();
    message = await done();
  } catch (error) {
    ok = false;
    message = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
  }
  const ms = performance.now() - started;
  const { peak, growth } = await memory.peak(before);
  return { door, title, ok, ms, peakMiB: peak / MIB, growthMiB: growth / MIB, message };
}

function importFiles(page: Page, files: InputFile[]): Promise<void> {
  return page.getByTestId('import-checkpoint').setInputFiles(files.map((f) => ({ name: f.name, mimeType: 'application/octet-stream', buffer: Buffer.from(f.bytes) })));
}

async function textOf(page: Page, testId: string, pattern: RegExp | string, inner = ''): Promise<string> {
  const base = page.getByTestId(testId);
  const locator = (inner ? base.locator(inner) : base).filter({ hasText: pattern });
  await locator.first().waitFor({ timeout: WAIT_MS });
  return (await locator.first().textContent()) ?? '';
}

async function checkpointDoor(page: Page, memory: RendererMemory, peers: Outcome[]): Promise<Outcome[]> {
  const hostile = [
    ...hostileCheckpoints().map((f) => ({ title: f.title, files: [{ name: f.name, bytes: f.bytes }], refusal: f.refusal })),
    ...hostileTfjsModels(),
    { title: 'XSS in a file name', files: [{ name: `${XSS}.pt`, bytes: new TextEncoder().encode('not a zip') }], refusal: /not a PyTorch checkpoint/ },
  ];
  const outcomes: Outcome[] = [];
  for (const [i, input] of hostile.entries()) {
    // A valid import between hostile ones: the peer, and a status line the next refusal must replace.
    const name = `valid-${i}.pt`;
    peers.push(await measure(memory, 'checkpoint', 'valid checkpoint', () => importFiles(page, [{ name, bytes: validCheckpoint() }]), () => textOf(page, 'import-status', `Imported ${name}`)));
    outcomes.push(await measure(memory, 'checkpoint', input.title, () => importFiles(page, input.files), () => textOf(page, 'import-status', input.refusal, '.error')));
  }
  return outcomes;
}

async function configDoor(page: Page, memory: RendererMemory, peers: Outcome[]): Promise<Outcome[]> {
  const search = page.getByTestId('search-panel');
  await search.getByText('Raw config.yaml').click();
  const editor = search.getByTestId('raw-yaml');
  const outcomes: Outcome[] = [];
  for (const input of HOSTILE_CONFIGS) {
    peers.push(
      await measure(memory, 'config', 'valid config.yaml', () => editor.fill(VALID_CONFIG), async () => {
        await search.getByTestId('raw-yaml-errors').waitFor({ state: 'detached', timeout: WAIT_MS });
        return 'accepted';
      }),
    );
    outcomes.push(await measure(memory, 'config', input.title, () => editor.fill(input.text), () => textOf(page, 'raw-yaml-errors', input.refusal)));
  }
  return outcomes;
}

async function linkDoor(page: Page, base: string, memory: RendererMemory, peers: Outcome[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const input of HOSTILE_LINKS) {
    peers.push(await measure(memory, 'link', 'valid link', () => page.goto(new URL(VALID_LINK, base).href).then(() => undefined), () => textOf(page, 'active-overrides', 'num_trials=5')));
    outcomes.push(await measure(memory, 'link', input.title, () => page.goto(new URL(input.text, base).href).then(() => undefined), () => textOf(page, 'link-problem-reason', input.refusal)));
  }
  return outcomes;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

async function main(): Promise<void> {
  const session = await openStudio(new URLSearchParams());
  const outcomes: Outcome[] = [];
  const peers: Outcome[] = [];
  try {
    const { page } = session;
    const browser = page.context().browser();
    if (!browser) throw new Error('no browser behind the studio page');
    const memory = await RendererMemory.open(browser);
    await page.getByTestId('run-search').waitFor({ timeout: WAIT_MS * 4 });
    outcomes.push(...(await checkpointDoor(page, memory, peers)));
    outcomes.push(...(await configDoor(page, memory, peers)));
    outcomes.push(...(await linkDoor(page, session.url, memory, peers)));
    const xssRan = await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss !== undefined);
    if (xssRan) throw new Error('an XSS probe ran');
  } finally {
    await session.close();
  }

  const peerOf = (door: Door) => {
    const own = peers.filter((p) => p.door === door && p.ok);
    return { ms: median(own.map((p) => p.ms)), peakMiB: median(own.map((p) => p.peakMiB)), growthMiB: median(own.map((p) => p.growthMiB)), runs: own.length };
  };
  const peerSummary = { checkpoint: peerOf('checkpoint'), config: peerOf('config'), link: peerOf('link') };
  const date = new Date().toISOString().slice(0, 10);
  const chromium = (await import('./lib/browser')).locateBrowser();
  await mkdir(`${ROOT}bench/results`, { recursive: true });
  const file = `${ROOT}bench/results/hostile-${date}.json`;
  await writeFile(file, `${JSON.stringify({ date, chromium, peers: peerSummary, outcomes }, null, 1)}\n`);

  const f = (v: number, digits = 0) => v.toFixed(digits);
  console.log('| door | input | refused | time (ms) | x valid | peak tab RSS (MiB) | growth (MiB) | growth - valid (MiB) |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|');
  for (const o of outcomes) {
    const peer = peerSummary[o.door];
    console.log(`| ${o.door} | ${o.title} | ${o.ok ? 'yes' : `NO: ${o.message}`} | ${f(o.ms)} | ${f(o.ms / peer.ms, 2)} | ${f(o.peakMiB)} | ${f(o.growthMiB, 1)} | ${f(o.growthMiB - peer.growthMiB, 1)} |`);
  }
  for (const [door, peer] of Object.entries(peerSummary)) {
    console.log(`valid ${door} (median of ${peer.runs}): ${f(peer.ms)} ms, peak ${f(peer.peakMiB)} MiB, growth ${f(peer.growthMiB, 1)} MiB`);
  }
  const refused = outcomes.filter((o) => o.ok).length;
  console.log(`${refused}/${outcomes.length} refused as expected; slowest ${f(Math.max(...outcomes.map((o) => o.ms)))} ms; largest growth ${f(Math.max(...outcomes.map((o) => o.growthMiB)), 1)} MiB. Wrote ${file}`);
  if (refused !== outcomes.length) process.exitCode = 1;
}

await main();
