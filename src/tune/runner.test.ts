import { describe, expect, it } from 'vitest';
import type { EpochReport, TrainingState } from '../engine/trainer';
import { hungWorkerMessage } from './heartbeat';
import { DeviceLostError, type TrialEngine, type TrialEvents, type TrialRun, type TrialSnapshot } from './trial';
import { createExperiment, experimentReducer, reportEpoch, type ExperimentState } from './experiment';
import { SearchRunner, type SearchRunnerOptions } from './runner';
import { sampleTrials } from './sampler';
import { DEFAULT_SETTINGS, defaultSpace, type RunSettings } from './space';

/**
 * How a scripted trial behaves: val_acc per epoch, a failure at an epoch, a Worker that falls silent
 * for good at an epoch (hangs), a GPU lost at an epoch, or epochs that take a while with a
 * heartbeat every few milliseconds.
 */
interface Script {
  acc: (epoch: number) => number;
  failAt?: number;
  hangAt?: number;
  loseDeviceAt?: number;
  epochMs?: number;
  /** The Worker closes itself after its last reply, so it never answers `dispose`. */
  closesAfterEnd?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fake engine that "trains" by emitting scripted epochs, honouring stop, resume and terminate like the real one. */
function scriptedEngines(scripts: Record<string, Script>, log: string[]) {
  let running = 0;
  let peak = 0;
  let terminated = 0;
  const create = (): TrialEngine => {
    let stopped = false;
    let ended: (() => void) | null = null;
    let closedAfterEnd = false;
    return {
      async train(run: TrialRun, events: TrialEvents = {}) {
        const script = scripts[run.trialId]!;
        closedAfterEnd = script.closesAfterEnd ?? false;
        running += 1;
        peak = Math.max(peak, running);
        const firstEpoch = (run.resume?.epoch ?? 0) + 1;
        log.push(`${run.trialId} start@${firstEpoch}${run.backend === 'cpu' ? '' : ` on ${run.backend}`}`);
        const history: EpochReport[] = [];
        try {
          for (let epoch = firstEpoch; epoch <= run.config.max_num_epochs; epoch++) {
            await sleep(1);
            for (let waited = 0; waited < (script.epochMs ?? 0); waited += 10) {
              events.onHeartbeat?.();
              await sleep(10);
            }
            if (stopped) return { status: 'stopped' as const, history };
            if (script.failAt === epoch) {
              script.failAt = undefined;
              throw new Error(`device lost in ${run.trialId}`);
            }
            if (script.hangAt === epoch) {
              script.hangAt = undefined;
              // Silent until terminated, as a Worker stuck in a loop; then every request fails.
              await new Promise<void>((resolve) => (ended = resolve));
              throw new Error('the trial Worker was ended');
            }
            if (script.loseDeviceAt === epoch) {
              script.loseDeviceAt = undefined;
              throw new DeviceLostError(`the GPU device was lost in ${run.trialId}`);
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
      // A Worker that closed itself never answers `dispose`.
      dispose: () => (closedAfterEnd ? new Promise<void>(() => undefined) : Promise.resolve()),
      terminate() {
        if (!ended) return;
        terminated += 1;
        ended();
        ended = null;
      },
    };
  };
  return { create, peak: () => peak, terminated: () => terminated };
}

function experiment(settings: Partial<RunSettings>): ExperimentState {
  const full = { ...DEFAULT_SETTINGS, ...settings };
  return createExperiment(defaultSpace(), full, sampleTrials(defaultSpace(), full));
}

const runBase = { backend: 'cpu' as const, manifestUrl: 'http://studio.test/manifest.json' };

/** The Worker silence, in ms, after which the watched runners below end a trial. */
const SILENCE_MS = 50;

/** A runner over `settings`' experiment whose Workers are ended after SILENCE_MS without a message. */
function watchedRunner(settings: Partial<RunSettings>, createEngine: SearchRunnerOptions['createEngine'], concurrency: number): SearchRunner {
  return new SearchRunner({ experiment: experiment(settings), createEngine, runBase, concurrency, silenceTimeoutMs: SILENCE_MS });
}

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
  it('ends a trial whose Worker falls silent, retries it from its last checkpoint, and keeps a slow one that heartbeats', async () => {
    const log: string[] = [];
    // t0001 hangs in its second epoch; t0002's epochs take 4 silence timeouts, with a heartbeat every 10 ms.
    const engines = scriptedEngines({ t0001: { acc: () => 0.8, hangAt: 2 }, t0002: { acc: () => 0.7, epochMs: 200 } }, log);
    const runner = watchedRunner({ numTrials: 2, maxNumEpochs: 3, maxFailures: 1 }, engines.create, 2);
    const final = await runner.done;
    expect(final.trials.map((t) => [t.status, t.failures])).toEqual([
      ['TERMINATED', 1],
      ['TERMINATED', 0],
    ]);
    expect(final.trials[0]!.error).toBe(hungWorkerMessage(SILENCE_MS));
    expect(log.filter((l) => l.startsWith('t0001'))).toEqual(['t0001 start@1', 't0001 start@2']);
    expect(final.trials.map((t) => t.history.map((h) => h.epoch))).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(engines.terminated()).toBe(1);
  });

  it('does not wait forever on a Worker that closed itself after its last reply', async () => {
    const log: string[] = [];
    const engines = scriptedEngines({ t0001: { acc: () => 0.8, closesAfterEnd: true }, t0002: { acc: () => 0.7 } }, log);
    const runner = watchedRunner({ numTrials: 2, maxNumEpochs: 2 }, engines.create, 1);
    const final = await runner.done;
    expect(final.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED']);
    expect(log).toEqual(['t0001 start@1', 't0002 start@1']);
  });

  it('marks a hung trial ERROR, with the reason, when max_failures allows no retry, and the search goes on', async () => {
    const log: string[] = [];
    const engines = scriptedEngines({ t0001: { acc: () => 0.8, hangAt: 2 }, t0002: { acc: () => 0.7 } }, log);
    const runner = watchedRunner({ numTrials: 2, maxNumEpochs: 3, maxFailures: 0 }, engines.create, 1);
    const final = await runner.done;
    expect(final.trials.map((t) => t.status)).toEqual(['ERROR', 'TERMINATED']);
    expect(final.trials[0]!.error).toBe("the trial's Worker stopped responding for 50 ms");
    expect(final.trials[0]!.history.map((h) => h.epoch)).toEqual([1]);
    expect(log).toEqual(['t0001 start@1', 't0002 start@1']);
  });

  it('keeps a trial whose GPU was lost pending at its last checkpoint, whatever max_failures says, and resumes it on the CPU', async () => {
    const log: string[] = [];
    const checkpoints = new Map<string, TrialSnapshot>();
    const engines = scriptedEngines({ t0001: { acc: () => 0.8, loseDeviceAt: 3 }, t0002: { acc: () => 0.7 }, t0003: { acc: () => 0.6 } }, log);
    const onGpu = new SearchRunner({
      experiment: experiment({ numTrials: 3, maxNumEpochs: 4, maxFailures: 0 }),
      createEngine: engines.create,
      runBase: { ...runBase, backend: 'webgpu' },
      concurrency: 2,
      listener: { onCheckpoint: (id, snapshot) => void checkpoints.set(id, snapshot) },
    });
    const lost = await onGpu.done;
    expect(lost.deviceLost).toBe('the GPU device was lost in t0001');
    expect(lost.trials.map((t) => t.status)).toEqual(['PENDING', 'TERMINATED', 'PENDING']);
    expect(lost.trials[0]!.failures).toBe(0);
    expect(lost.trials[0]!.error).toBe('the GPU device was lost in t0001');
    expect(lost.trials[0]!.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(checkpoints.get('t0001')?.state.epoch).toBe(2);
    // No trial starts on a lost GPU.
    expect(log).toEqual(['t0001 start@1 on webgpu', 't0002 start@1 on webgpu']);

    log.length = 0;
    const onCpu = new SearchRunner({
      experiment: experimentReducer(lost, { kind: 'device-restored' }),
      createEngine: engines.create,
      runBase,
      concurrency: 1,
      resumeFrom: new Map([['t0001', checkpoints.get('t0001')!]]),
    });
    const final = await onCpu.done;
    expect(log).toEqual(['t0001 start@3', 't0003 start@1']);
    expect(final.deviceLost).toBeNull();
    expect(final.trials.map((t) => t.status)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED']);
    expect(final.trials[0]!.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    // The trial that finished on the GPU is the same record: nothing it finished is lost or retrained.
    expect(final.trials[1]).toBe(lost.trials[1]);
  });
});
