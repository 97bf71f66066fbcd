import type { Page } from '@playwright/test';
import type { AutomationEvent, AutomationRequest, AutomationResult } from '../src/automation';
import { STORAGE_AREAS, storageKey } from '../src/data/storage';
import { expect, storedValues, StudioAutomation, test } from './fixtures';
import type { TrialFault } from '../src/tune/trial';

type EpochEvent = Extract<AutomationEvent, { kind: 'epoch' }>;

/** Short enough that a hung Worker is noticed quickly, long enough for a healthy one on 2 busy cores. */
const SILENCE_MS = 10_000;
const EPOCHS = 3;
const ALL_EPOCHS = Array.from({ length: EPOCHS }, (_, i) => i + 1);
// Epochs of a few seconds on the fused CPU step: a fault right after epoch 1 lands mid-trial.
const SUBSET = { trainLimit: 6000, valLimit: 200 };

/** A page's search events, and faults armed to break a trial's Worker as soon as it reports its first epoch. */
interface Studio {
  events: AutomationEvent[];
  /**
   * Breaks `trialId`'s Worker with `fault` the moment the page hears of its epoch 1; resolves with
   * whether it could. Armed in the page, so the fault leaves for the Worker at once, not after a
   * round trip through the test runner that a busy machine can stretch past the trial's end.
   */
  breakAfterFirstEpoch: (trialId: string, fault: TrialFault) => Promise<boolean>;
  /** Runs a search through the page's automation API. */
  runSearch: (request: AutomationRequest) => Promise<AutomationResult>;
}

/** Opens the studio on a backend (wasm unless named), with the page's events collected. */
async function openStudio(page: Page, backend = 'wasm'): Promise<Studio> {
  const automation = new StudioAutomation(page);
  await automation.open(backend);
  return {
    events: automation.events,
    runSearch: (request) => automation.runSearch(request),
    breakAfterFirstEpoch: (trialId, fault) =>
      page.evaluate(
        ([id, how]) =>
          new Promise<boolean>((resolve) => {
            // One wrapper of the page's event report, holding every armed fault by trial.
            const page = window as { armedFaults?: Map<string, () => void> };
            if (!page.armedFaults) {
              const armed = new Map<string, () => void>();
              page.armedFaults = armed;
              const forward = window.digitStudioReport;
              window.digitStudioReport = (event) => {
                const fire = event.kind === 'epoch' && event.epoch === 1 ? armed.get(event.trial_id) : undefined;
                if (fire) {
                  armed.delete(event.trial_id);
                  fire();
                }
                forward?.(event);
              };
            }
            page.armedFaults.set(id, () => resolve(window.digitStudio!.injectTrialFault(id, how)));
          }),
        [trialId, fault] as const,
      ),
  };
}

const epochsOf = (events: readonly AutomationEvent[], trialId: string): number[] =>
  events.filter((e): e is EpochEvent => e.kind === 'epoch' && e.trial_id === trialId).map((e) => e.epoch);

/** The newest saved search in IndexedDB: its backend and each trial's status and epochs (with their times, which tell records apart). */
async function savedSearch(page: Page): Promise<{ backend: string; trials: { id: string; status: string; history: { epoch: number; time_s: number }[] }[] }> {
  const records = (await storedValues(page, storageKey(STORAGE_AREAS.experiments, ''))).map((entry) => entry.value) as { createdAt: number; backend: string; state: string }[];
  const newest = records.sort((a, b) => b.createdAt - a.createdAt)[0]!;
  const state = JSON.parse(newest.state) as { trials: { id: string; status: string; history: { epoch: number; time_s: number }[] }[] };
  return {
    backend: newest.backend,
    trials: state.trials.map((t) => ({ id: t.id, status: t.status, history: t.history.map(({ epoch, time_s }) => ({ epoch, time_s })) })),
  };
}

test.describe('trial Workers that fail', () => {
  test('a Worker that crashes and one closed mid-trial are ended, their trials retried from the last checkpoint, nothing finished lost', async ({ page }) => {
    const { events, breakAfterFirstEpoch, runSearch } = await openStudio(page);
    const crash = breakAfterFirstEpoch('t0001', 'crash');
    const exit = breakAfterFirstEpoch('t0002', 'exit');
    const result: AutomationResult = await runSearch({
      overrides: ['num_trials=2', `max_num_epochs=3`, 'max_concurrent_trials=2', 'max_failures=1', 'lr=choice(0.01)'],
      ...SUBSET,
      workerSilenceTimeoutMs: SILENCE_MS,
    });
    expect([await crash, await exit]).toEqual([true, true]);

    const [crashed, closed] = result.results.trials;
    expect(result.results.trials.map((t) => [t.status, t.error])).toEqual([
      ['TERMINATED', "the trial's Worker crashed: Uncaught Error: fault injected: the trial Worker crashed"],
      ['TERMINATED', "the trial's Worker stopped responding for 10 s"],
    ]);
    // Each trial trained every epoch exactly once: the retry went on from its last checkpoint.
    expect(epochsOf(events, 't0001')).toEqual(ALL_EPOCHS);
    expect(epochsOf(events, 't0002')).toEqual(ALL_EPOCHS);
    expect(crashed!.history.map((h) => h.epoch)).toEqual(ALL_EPOCHS);
    expect(closed!.history.map((h) => h.epoch)).toEqual(ALL_EPOCHS);
    // The reasons are shown with the trials.
    await expect(page.getByTestId('trial-error-t0001')).toContainText("the trial's Worker crashed");
    await expect(page.getByTestId('trial-error-t0002')).toHaveText("the trial's Worker stopped responding for 10 s");
  });

  test('a hung Worker is ended after the silence timeout and its trial, out of retries, is ERROR while the search goes on', async ({ page }) => {
    const { breakAfterFirstEpoch, runSearch } = await openStudio(page);
    const hang = breakAfterFirstEpoch('t0001', 'hang');
    const result: AutomationResult = await runSearch({
      overrides: ['num_trials=2', `max_num_epochs=3`, 'max_concurrent_trials=1', 'max_failures=0', 'lr=choice(0.01)'],
      ...SUBSET,
      workerSilenceTimeoutMs: SILENCE_MS,
    });
    expect(await hang).toBe(true);

    expect(result.results.trials.map((t) => t.status)).toEqual(['ERROR', 'TERMINATED']);
    // The epoch it finished before it hung is kept.
    expect(result.results.trials[0]!.history.map((h) => h.epoch)).toEqual([1]);
    expect(result.results.trials[1]!.history.map((h) => h.epoch)).toEqual(ALL_EPOCHS);
    await expect(page.getByTestId('trial-status-t0001')).toHaveText('ERROR');
    await expect(page.getByTestId('trial-error-t0001')).toHaveText("the trial's Worker stopped responding for 10 s");
  });

  test('a lost GPU (simulated, off a GPU) keeps its trial at its last checkpoint and offers Resume on CPU, which finishes the search', async ({ page }) => {
    const { events, breakAfterFirstEpoch } = await openStudio(page);
    const lose = breakAfterFirstEpoch('t0001', 'lose-device');
    const lost: AutomationResult = await page.evaluate(
      (subset) =>
        window.digitStudio!.runSearch({
          // max_failures=0: a lost GPU is not the trial's failure, so it resumes anyway.
          overrides: ['num_trials=3', `max_num_epochs=3`, 'max_concurrent_trials=2', 'max_failures=0', 'lr=choice(0.01)'],
          ...subset,
          // tfjs's plain CPU backend, so that Resume on CPU's own backend (wasm) shows in the saved search.
          backend: 'cpu',
        }),
      SUBSET,
    );
    expect(await lose).toBe(true);

    // No trial starts on a lost GPU; the one training beside it finishes.
    expect(lost.results.trials.map((t) => t.status)).toEqual(['PENDING', 'TERMINATED', 'PENDING']);
    expect(epochsOf(events, 't0003')).toEqual([]);
    await expect(page.getByTestId('gpu-lost')).toContainText('the GPU device was lost (simulated)');
    await expect(page.getByTestId('trial-error-t0001')).toHaveText('the GPU device was lost (simulated)');
    const before = await savedSearch(page);
    expect(before.backend).toBe('cpu');
    const [kept, finished] = before.trials;
    expect(kept!.history.length).toBeGreaterThan(0);
    expect(finished!.history.map((h) => h.epoch)).toEqual(ALL_EPOCHS);

    await page.getByTestId('resume-on-cpu').click();
    for (const id of ['t0001', 't0002', 't0003']) await expect(page.getByTestId(`trial-status-${id}`)).toHaveText('TERMINATED', { timeout: 120_000 });
    await expect(page.getByTestId('gpu-lost')).toHaveCount(0);
    await expect.poll(async () => (await savedSearch(page)).trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED']);
    const after = await savedSearch(page);
    expect(after.backend).toBe('wasm');
    for (const trial of after.trials) expect(trial.history.map((h) => h.epoch)).toEqual(ALL_EPOCHS);
    // The lost trial kept its saved epochs and went on after them; the finished one was not trained again.
    expect(after.trials[0]!.history.slice(0, kept!.history.length)).toEqual(kept!.history);
    expect(after.trials[1]!.history).toEqual(finished!.history);
  });

  test('a second tab on a running search is read-only until the first tab closes, then resumes it', async ({ context }) => {
    const first = await context.newPage();
    const { events: firstEvents } = await openStudio(first);
    void first
      .evaluate(
        (subset) =>
          window.digitStudio!.runSearch({
            overrides: ['num_trials=2', 'max_num_epochs=4', 'max_concurrent_trials=1', 'lr=choice(0.01)'],
            ...subset,
          }),
        SUBSET,
      )
      .catch(() => undefined); // closing the tab ends this call
    await expect.poll(() => epochsOf(firstEvents, 't0001').length, { timeout: 120_000 }).toBeGreaterThan(0);

    const second = await context.newPage();
    await second.goto('./?backend=wasm');
    await expect(second.getByTestId('search-elsewhere')).toContainText('running in another tab');
    await expect(second.getByTestId('resume-search')).toBeDisabled();
    await expect(second.getByTestId('discard-search')).toBeDisabled();

    await first.close();
    await expect(second.getByTestId('search-elsewhere')).toHaveCount(0);
    await expect(second.getByTestId('resume-search')).toBeEnabled();
    await second.getByTestId('resume-search').click();
    for (const id of ['t0001', 't0002']) await expect(second.getByTestId(`trial-status-${id}`)).toHaveText('TERMINATED', { timeout: 120_000 });
  });
});

test('a WebGPU device lost for real (destroyed in the trial Worker) offers Resume on CPU, which finishes on the wasm backend', async ({ page }) => {
  const { breakAfterFirstEpoch } = await openStudio(page, 'webgpu');
  const lose = breakAfterFirstEpoch('t0001', 'lose-device');
  const lost: AutomationResult = await page.evaluate(() =>
    window.digitStudio!.runSearch({
      backend: 'webgpu',
      overrides: ['num_trials=2', 'max_num_epochs=6', 'max_concurrent_trials=1', 'batch_size=16', 'max_failures=0', 'lr=choice(0.01)'],
      trainLimit: 256,
      valLimit: 64,
    }),
  );
  expect(await lose).toBe(true);
  expect(lost.results.trials.map((t) => [t.status, t.backend])).toEqual([
    ['PENDING', 'webgpu'],
    ['PENDING', null],
  ]);
  await expect(page.getByTestId('gpu-lost')).toContainText('the GPU device was lost (destroyed');
  const kept = lost.results.trials[0]!.history;
  expect(kept.length).toBeGreaterThan(0);

  await page.getByTestId('resume-on-cpu').click();
  for (const id of ['t0001', 't0002']) await expect(page.getByTestId(`trial-status-${id}`)).toHaveText('TERMINATED', { timeout: 120_000 });
  await expect.poll(async () => (await savedSearch(page)).trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED']);
  const after = await savedSearch(page);
  expect(after.backend).toBe('wasm');
  expect(after.trials[0]!.history.slice(0, kept.length).map(({ epoch, time_s }) => ({ epoch, time_s }))).toEqual(
    kept.map(({ epoch, time_s }) => ({ epoch, time_s })),
  );
  expect(after.trials[0]!.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
});
