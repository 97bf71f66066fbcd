import type { Page } from '@playwright/test';
import type { AutomationEvent, AutomationResult } from '../src/automation';
import { STORAGE_AREAS, storageKey } from '../src/data/storage';
import { expect, storedValues, test } from './fixtures';

type EpochEvent = Extract<AutomationEvent, { kind: 'epoch' }>;

/** One epoch of a trial's saved history: its number and how long it took (which tells records apart). */
interface SavedEpoch {
  epoch: number;
  time_s: number;
}

/**
 * The epochs a trial's last checkpoint in IndexedDB holds (none when it has no checkpoint): a resume
 * skips them. The experiment record may list an epoch whose checkpoint the reload cut off; that one
 * is trained again. The checkpoint may also hold an epoch the record had not listed yet; a resume
 * restores that one from the checkpoint (and reports it) without training it again.
 */
async function savedEpochs(page: Page, trialId: string): Promise<SavedEpoch[]> {
  // Each test's browser holds one experiment, so its checkpoints are the only ones stored.
  const checkpoints = await storedValues(page, storageKey(STORAGE_AREAS.checkpoints, ''), ['state', 'history']);
  const last = checkpoints.find((entry) => entry.key.endsWith(`/${trialId}/last`));
  return ((last?.value ?? []) as SavedEpoch[]).map(({ epoch, time_s }) => ({ epoch, time_s }));
}

const lastEpoch = (saved: readonly SavedEpoch[]): number => saved.at(-1)?.epoch ?? 0;

// Enough epochs that the trial which has just saved its first is still mid-way when the tab reloads.
const EPOCHS = 5;
const ALL_EPOCHS = Array.from({ length: EPOCHS }, (_, i) => i + 1);

test('a reload in the middle of a search resumes it: no trial restarts from epoch 0 and every trial finishes', async ({ page, automation }) => {
  const { events } = automation;
  await automation.open('wasm');

  await test.step(`start a 3-trial, ${EPOCHS}-epoch search and reload after the second trial has saved an epoch`, async () => {
    void page
      .evaluate(
        (epochs) =>
          window.digitStudio!.runSearch({
            overrides: ['num_trials=3', `max_num_epochs=${epochs}`, 'max_concurrent_trials=2', 'lr=choice(0.01)'],
            // Epochs of a few seconds even on the fused CPU step, so that a trial is mid-way at the reload.
            trainLimit: 8000,
            valLimit: 200,
          }),
        EPOCHS,
      )
      .catch(() => undefined); // the reload below ends this call
    await expect
      .poll(() => events.filter((e) => e.kind === 'epoch' && e.trial_id === 't0002').length, { timeout: 180_000 })
      .toBeGreaterThan(0);
    // The epoch is in IndexedDB (the experiment and the trial's last checkpoint) before the tab goes away.
    await expect.poll(async () => lastEpoch(await savedEpochs(page, 't0002')), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.reload();
    await automation.ready();
  });

  // What IndexedDB holds is what a resume may skip; every other epoch must be trained after the reload.
  const savedBefore = new Map<string, SavedEpoch[]>();
  for (const trialId of ['t0001', 't0002', 't0003']) savedBefore.set(trialId, await savedEpochs(page, trialId));
  events.length = 0;

  const result: AutomationResult = await test.step('resume it', () => page.evaluate(() => window.digitStudio!.resumeSearch()));

  const after = events.filter((e): e is EpochEvent => e.kind === 'epoch');
  expect(result.results.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED']);
  for (const trial of result.results.trials) {
    expect(trial.history.map((h) => h.epoch)).toEqual(ALL_EPOCHS);
    const saved = savedBefore.get(trial.trial_id) ?? [];
    // An epoch restored from the checkpoint is reported with the record it was saved with; a trained one is new.
    const restored = (e: EpochEvent) => saved.some((s) => s.epoch === e.epoch && s.time_s === e.time_s);
    const trainedEpochs = after.filter((e) => e.trial_id === trial.trial_id && !restored(e)).map((e) => e.epoch);
    // Each trial trains exactly the epochs it had not finished before the reload.
    expect(trainedEpochs).toEqual(ALL_EPOCHS.filter((epoch) => epoch > lastEpoch(saved)));
  }
  expect([...savedBefore.values()].some((saved) => lastEpoch(saved) > 0 && lastEpoch(saved) < EPOCHS)).toBe(true);
});
