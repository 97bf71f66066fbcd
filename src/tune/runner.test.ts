import { describe, expect, it } from 'vitest';
import type { EpochReport, TrainingState } from '../engine/trainer';
import type { TrialEngine, TrialEvents, TrialRun, TrialSnapshot } from './trial';
import { createExperiment, experimentReducer, reportEpoch, type ExperimentState } from './experiment';
import { SearchRunner } from './runner';
import { sampleTrials } from './sampler';
import { DEFAULT_SETTINGS, defaultSpace, type RunSettings } from './space';

/** How a scripted trial behaves: val_acc per epoch, or a failure at an epoch. */
interface Script {
  acc: (epoch: number) => number;
  failAt?: number;
}

/** A fake engine that "trains" by emitting scripted epochs, honouring stop and resume like the real one. */
function scriptedEngines(scripts: Record<string, Script>, log: string[]) {
  let running = 0;
  let peak = 0;
  const create = (): TrialEngine => {
    let stopped = false;
    return {
      async train(run: TrialRun, events: TrialEvents = {}) {
        const script = scripts[run.trialId]!;
        running += 1;
        peak = Math.max(peak, running);
        const firstEpoch = (run.resume?.epoch ?? 0) + 1;
        log.push(`${run.trialId} start@${firstEpoch}`);
        const history: EpochReport[] = [];
        try {
          for (let epoch = firstEpoch; epoch <= run.config.max_num_epochs; epoch++) {
            await new Promise((resolve) => setTimeout(resolve, 1));
            if (stopped) return { status: 'stopped' as const, history };
            if (script.failAt === epoch) {
              script.failAt = undefined;
              throw new Error(`device lost in ${run.trialId}`);
            }
            const report: EpochReport = {
              epoch, train_loss: 1, val_loss: 1, val_acc: script.acc(epoch), total_params: 9994, time_s: 1, samples_per_s: 1,
            };
            history.push(report);
            const snapshot: TrialSnapshot = { config: run.config, state: { epoch, history: [...history] } as TrainingState, stateDict: [] };
            events.onEpoch?.(report, snapshot);
          }
          return { status: 'completed' as const, history };
        } finally {
          running -= 1;
        }
      },
      stop() {
        stopped = true;
        return Promise.resolve();
      },
      snapshot: () => Promise.reject(new Error('unused')),
      predict: () => Promise.reject(new Error('unused')),
      dispose: () => Promise.resolve(),
    };
  };
  return { create, peak: () => peak };
}

function experiment(settings: Partial<RunSettings>): ExperimentState {
  const full = { ...DEFAULT_SETTINGS, ...settings };
  return createExperiment(defaultSpace(), full, sampleTrials(defaultSpace(), full));
}

const runBase = { backend: 'cpu' as const, manifestUrl: 'http://studio.test/manifest.json' };

describe('SearchRunner', () => {
  it('runs every trial to max_num_epochs under FIFO, never more at once than the concurrency', async () => {
    const log: string[] = [];
    const scripts = { t0001: { acc: (e: number) => 0.5 + e / 100 }, t0002: { acc: () => 0.9 }, t0003: { acc: () => 0.7 } };
    const engines = scriptedEngines(scripts, log);
    const states: ExperimentState[] = [];
    const runner = new SearchRunner({
      experiment: experiment({ numTrials: 3, maxNumEpochs: 4 }),
      createEngine: engines.create,
      runBase,
      concurrency: 2,
      listener: { onState: (s) => states.push(s) },
    });
    const final = await runner.done;
    expect(final.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED']);
    expect(final.trials.map((t) => t.history.length)).toEqual([4, 4, 4]);
    expect(engines.peak()).toBe(2);
    expect(states.length).toBeGreaterThan(12);
  });

  it('stops weak trials early under ASHA and keeps the strong one', async () => {
    const log: string[] = [];
    const scripts = {
      t0001: { acc: () => 0.9 },
      t0002: { acc: () => 0.5 },
      t0003: { acc: () => 0.95 },
      t0004: { acc: () => 0.4 },
    };
    const runner = new SearchRunner({
      experiment: experiment({ numTrials: 4, maxNumEpochs: 8, scheduler: 'asha', gracePeriod: 1, reductionFactor: 2 }),
      createEngine: scriptedEngines(scripts, log).create,
      runBase,
      concurrency: 1,
    });
    const final = await runner.done;
    const byId = Object.fromEntries(final.trials.map((t) => [t.id, t]));
    expect(byId.t0001!.status).toBe('TERMINATED');
    expect(byId.t0002!.status).toBe('STOPPED');
    expect(byId.t0002!.stopReason).toBe('scheduler');
    expect(byId.t0002!.history.length).toBeLessThan(8);
    expect(byId.t0004!.status).toBe('STOPPED');
    expect(byId.t0003!.history.length).toBe(8);
  });

  it('retries a failed trial from its last checkpoint, and one trial’s error does not stop the others', async () => {
    const log: string[] = [];
    const scripts = { t0001: { acc: () => 0.8, failAt: 3 }, t0002: { acc: () => 0.7, failAt: 2 } };
    const checkpoints: string[] = [];
    const runner = new SearchRunner({
      experiment: experiment({ numTrials: 2, maxNumEpochs: 4, maxFailures: 1 }),
      createEngine: scriptedEngines(scripts, log).create,
      runBase,
      concurrency: 1,
      listener: { onCheckpoint: (id, snapshot, best) => void checkpoints.push(`${id}@${snapshot.state.epoch}${best ? '*' : ''}`) },
    });
    const final = await runner.done;
    expect(final.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED']);
    expect(log).toEqual(['t0001 start@1', 't0001 start@3', 't0002 start@1', 't0002 start@2']);
    expect(final.trials[0]!.failures).toBe(1);
    expect(final.trials[0]!.error).toMatch(/device lost/);
    expect(checkpoints.slice(0, 2)).toEqual(['t0001@1*', 't0001@2']);

    const noRetry = new SearchRunner({
      experiment: experiment({ numTrials: 2, maxNumEpochs: 3, maxFailures: 0 }),
      createEngine: scriptedEngines({ t0001: { acc: () => 0.8, failAt: 2 }, t0002: { acc: () => 0.7 } }, []).create,
      runBase,
      concurrency: 2,
    });
    const after = await noRetry.done;
    expect(after.trials.map((t) => t.status)).toEqual(['ERROR', 'TERMINATED']);
    expect(after.trials[0]!.error).toBe('device lost in t0001');
  });

  it('stops one trial, or the whole search, on request', async () => {
    const scripts = { t0001: { acc: () => 0.8 }, t0002: { acc: () => 0.7 }, t0003: { acc: () => 0.6 } };
    const runner = new SearchRunner({
      experiment: experiment({ numTrials: 3, maxNumEpochs: 50 }),
      createEngine: scriptedEngines(scripts, []).create,
      runBase,
      concurrency: 2,
      listener: {
        onEpoch: (id, report) => {
          if (id === 't0001' && report.epoch === 2) runner.stopTrial('t0001');
          if (id === 't0002' && report.epoch === 5) runner.stopAll();
        },
      },
    });
    const final = await runner.done;
    expect(final.trials.map((t) => [t.status, t.stopReason])).toEqual([
      ['STOPPED', 'user'],
      ['STOPPED', 'user'],
      ['STOPPED', 'user'],
    ]);
    expect(final.trials[0]!.history.length).toBe(2);
    expect(final.stopped).toBe(true);
  });

  it('resumes from a checkpoint saved ahead of the experiment record, filling the missing epochs from it', async () => {
    const log: string[] = [];
    let state = experiment({ numTrials: 1, maxNumEpochs: 4 });
    state = experimentReducer(state, { kind: 'trial-started', trialId: 't0001' });
    const epoch = (n: number): EpochReport => ({
      epoch: n, train_loss: 1, val_loss: 1, val_acc: 0.5 + n / 100, total_params: 9994, time_s: 1, samples_per_s: 1,
    });
    state = reportEpoch(state, 't0001', epoch(1)).state;
    state = experimentReducer(state, { kind: 'resumed' });
    const ahead: TrialSnapshot = {
      config: {} as TrialSnapshot['config'],
      state: { epoch: 2, history: [epoch(1), epoch(2)] } as TrainingState,
      stateDict: [],
    };
    const runner = new SearchRunner({
      experiment: state,
      createEngine: scriptedEngines({ t0001: { acc: (e) => 0.5 + e / 100 } }, log).create,
      runBase,
      concurrency: 1,
      resumeFrom: new Map([['t0001', ahead]]),
    });
    const final = await runner.done;
    expect(log).toEqual(['t0001 start@3']);
    expect(final.trials[0]!.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(final.trials[0]!.status).toBe('TERMINATED');
  });
});
