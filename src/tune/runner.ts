/**
 * Runs a search: a pool of trial engines (one Worker per running trial in the page), fed from the
 * experiment's pending trials, with every epoch passed through the scheduler. The experiment state
 * changes only through `experimentReducer`, and each change is published, so the store, the
 * command line and persistence all see the same sequence.
 */
import type { EpochReport, StepProgress, TrainConfig } from '../engine/trainer';
import { hungWorkerMessage, WORKER_SILENCE_TIMEOUT_MS } from './heartbeat';
import { DeviceLostError, type TrialEngine, type TrialFault, type TrialRun, type TrialSnapshot, type TrialStarted } from './trial';
import {
  TRIAL_STATUS,
  experimentReducer,
  isSearchFinished,
  nextPendingTrial,
  reportEpoch,
  type ExperimentEvent,
  type ExperimentState,
  type TrialRecord,
} from './experiment';
import { trialSeed } from './space';
import { messageOf } from '../studioError';

/** What the page (or the command line) hears from a running search. */
export interface SearchListener {
  /** The experiment after every change. */
  onState?: (state: ExperimentState) => void;
  onTrialStarted?: (trialId: string, started: TrialStarted) => void;
  onProgress?: (trialId: string, progress: StepProgress) => void;
  onEpoch?: (trialId: string, report: EpochReport) => void;
  /** A checkpoint at an epoch's end; `best` when it is now the trial's best epoch. */
  onCheckpoint?: (trialId: string, snapshot: TrialSnapshot, best: boolean) => void | Promise<void>;
}

export interface SearchRunnerOptions {
  experiment: ExperimentState;
  /** A fresh engine for one trial (a Worker in the page); disposed when the trial ends. */
  createEngine: () => TrialEngine;
  /** The parts of a trial's work order that do not come from its config. */
  runBase: Pick<TrialRun, 'backend' | 'manifestUrl' | 'trainLimit' | 'valLimit' | 'progressEvery'>;
  /** Trials training at once. */
  concurrency: number;
  /** The last checkpoint of each unfinished trial, to resume from (after a reload, or a retry). */
  resumeFrom?: ReadonlyMap<string, TrialSnapshot>;
  listener?: SearchListener;
  /**
   * Silence (no heartbeat, progress or epoch) after which a trial's engine counts as hung, is
   * ended and its trial failed; WORKER_SILENCE_TIMEOUT_MS unless a test needs it short.
   */
  silenceTimeoutMs?: number;
}

/**
 * Fails when an engine falls silent: `alive()` restarts the wait on every sign of life, and
 * `silence` rejects once none came for `timeoutMs`. `clear()` ends the watch.
 */
function watchdog(timeoutMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let fire: (error: Error) => void = () => undefined;
  const silence = new Promise<never>((_, reject) => {
    fire = reject;
  });
  const alive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => fire(new Error(hungWorkerMessage(timeoutMs))), timeoutMs);
  };
  alive();
  return { silence, alive, clear: () => clearTimeout(timer) };
}

/** The trial's training settings: its sampled hyperparameters, the run's epochs and a per-trial seed. */
function trainConfigOf(trial: TrialRecord, state: ExperimentState): TrainConfig {
  const index = state.trials.findIndex((t) => t.id === trial.id);
  return {
    ...trial.config,
    model: state.settings.model,
    seed: trialSeed(state.settings.seed, index),
    max_num_epochs: state.settings.maxNumEpochs,
  };
}

/** A search in progress; `done` settles when no trial is pending or running. */
export class SearchRunner {
  private state: ExperimentState;
  private readonly engines = new Map<string, TrialEngine>();
  private readonly lastCheckpoint = new Map<string, TrialSnapshot>();
  readonly done: Promise<ExperimentState>;

  constructor(private readonly options: SearchRunnerOptions) {
    this.state = options.experiment;
    for (const [id, snapshot] of options.resumeFrom ?? []) this.lastCheckpoint.set(id, snapshot);
    this.done = this.drive();
  }

  /** The experiment as it stands. */
  get experiment(): ExperimentState {
    return this.state;
  }

  /** Stops one trial (pending or running); the others go on. */
  stopTrial(trialId: string): void {
    this.apply({ kind: 'trial-stop-requested', trialId });
    void this.engines.get(trialId)?.stop();
  }

  /** Breaks a running trial's engine on purpose (the studio's failure tests); false when it cannot be. */
  injectFault(trialId: string, fault: TrialFault): boolean {
    const engine = this.engines.get(trialId);
    if (!engine?.injectFault) return false;
    engine.injectFault(fault);
    return true;
  }

  /** Stops every trial and starts no more. */
  stopAll(): void {
    this.apply({ kind: 'search-stop-requested' });
    for (const engine of this.engines.values()) void engine.stop();
  }

  private apply(event: ExperimentEvent): void {
    const next = experimentReducer(this.state, event);
    if (next !== this.state) this.publish(next);
  }

  private publish(next: ExperimentState): void {
    this.state = next;
    this.options.listener?.onState?.(next);
  }

  private async drive(): Promise<ExperimentState> {
    const slots = Math.max(1, Math.floor(this.options.concurrency));
    const running = new Set<Promise<void>>();
    for (;;) {
      let trial = nextPendingTrial(this.state);
      while (trial && running.size < slots) {
        const task = this.runTrial(trial).finally(() => running.delete(task));
        running.add(task);
        trial = nextPendingTrial(this.state);
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
    // A lost GPU leaves trials pending on purpose: they wait for the search to resume on another device.
    if (!isSearchFinished(this.state) && !this.state.deviceLost) throw new Error('search ended with trials still pending');
    return this.state;
  }

  /**
   * A checkpoint can be saved ahead of the experiment record that lists its epoch (both are
   * written after every epoch, and a closed tab may cut between them): its own history fills
   * the gap, through the scheduler, so no epoch is lost or trained twice.
   */
  private replaySavedEpochs(trialId: string, resume: TrialSnapshot): 'CONTINUE' | 'STOP' {
    const recorded = this.state.trials.find((t) => t.id === trialId)?.history.at(-1)?.epoch ?? 0;
    for (const report of resume.state.history.filter((h) => h.epoch > recorded)) {
      const { state, decision } = reportEpoch(this.state, trialId, report);
      this.publish(state);
      if (decision === 'STOP') return 'STOP';
    }
    return 'CONTINUE';
  }

  /** Disposes an engine, ending it outright when it does not answer within the silence timeout. */
  private async disposeWithin(engine: TrialEngine): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const silence = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.silenceTimeoutMs ?? WORKER_SILENCE_TIMEOUT_MS);
    });
    await Promise.race([engine.dispose().catch(() => undefined), silence]);
    clearTimeout(timer);
    engine.terminate?.();
  }

  private async runTrial(trial: TrialRecord): Promise<void> {
    this.apply({ kind: 'trial-started', trialId: trial.id });
    const engine = this.options.createEngine();
    this.engines.set(trial.id, engine);
    const listener = this.options.listener ?? {};
    const config = trainConfigOf(trial, this.state);
    const resume = this.lastCheckpoint.get(trial.id);
    let checkpointWrites: Promise<void> = Promise.resolve();
    const watch = watchdog(this.options.silenceTimeoutMs ?? WORKER_SILENCE_TIMEOUT_MS);
    let hung = false;
    try {
      if (resume && this.replaySavedEpochs(trial.id, resume) === 'STOP') return;
      const training = engine.train(
        { ...this.options.runBase, trialId: trial.id, config, resume: resume?.state },
        {
          onStarted: (started) => {
            watch.alive();
            listener.onTrialStarted?.(trial.id, started);
          },
          onProgress: (progress) => {
            watch.alive();
            listener.onProgress?.(trial.id, progress);
          },
          onHeartbeat: () => watch.alive(),
          onEpoch: (report, snapshot) => {
            watch.alive();
            const before = this.state.trials.find((t) => t.id === trial.id)?.best ?? null;
            const { state, decision } = reportEpoch(this.state, trial.id, report);
            this.publish(state);
            this.lastCheckpoint.set(trial.id, snapshot);
            listener.onEpoch?.(trial.id, report);
            const after = state.trials.find((t) => t.id === trial.id)?.best ?? null;
            const best = after !== null && after !== before && after.epoch === report.epoch;
            checkpointWrites = checkpointWrites.then(() => listener.onCheckpoint?.(trial.id, snapshot, best));
            if (decision === 'STOP') void engine.stop();
          },
        },
      );
      // A hung engine never settles `training`: the watchdog ends it and fails the trial instead.
      training.catch(() => undefined);
      await Promise.race([
        training,
        watch.silence.catch((error: unknown) => {
          hung = true;
          engine.terminate?.();
          throw error;
        }),
      ]);
      watch.clear();
      await checkpointWrites;
      const record = this.state.trials.find((t) => t.id === trial.id);
      if (record?.status === TRIAL_STATUS.running) {
        // The engine ended without reaching max_num_epochs and nobody asked it to stop.
        this.apply({ kind: 'trial-failed', trialId: trial.id, message: 'training ended early without a reason' });
      }
    } catch (error) {
      await checkpointWrites.catch(() => undefined);
      // A lost GPU is not the trial's failure: it waits, with its last checkpoint, for another device.
      if (error instanceof DeviceLostError) this.apply({ kind: 'trial-device-lost', trialId: trial.id, message: error.message });
      else this.apply({ kind: 'trial-failed', trialId: trial.id, message: messageOf(error) });
    } finally {
      watch.clear();
      this.engines.delete(trial.id);
      // An ended engine has no Worker left to answer; asking it to dispose would only wait. A Worker
      // that ended itself after its last reply would not answer either: it gets the silence timeout.
      if (!hung) await this.disposeWithin(engine);
    }
  }
}
