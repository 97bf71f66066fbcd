/**
 * What Ray's WandbLoggerCallback did, for the studio's searches: each trial that starts becomes a
 * W&B run (its config logged, grouped by experiment), each epoch one history entry with the same
 * metrics, and a finished trial ends its run with an exit code (0, or 1 for ERROR). The logger
 * only watches the experiment state: `observe` queues work and returns at once, so training
 * never waits on the network. Requests go out one at a time; a failed one is retried with
 * backoff a few times, then logging stops and the problem is reported once. The local history
 * keeps every metric either way.
 */
import { TRIAL_STATUS, type EpochMetrics, type ExperimentState, type TrialRecord } from '../tune/experiment';
import { trialParams } from '../tune/rayResults';
import { WandbRequestError, type WandbRunPath, type WandbTransport } from './wandbTransport';
import { messageOf } from '../studioError';

export interface WandbLoggerOptions {
  transport: WandbTransport;
  project: string;
  /** The user or team; when empty the API key's default entity is asked for. */
  entity?: string;
  experimentId: string;
  /** Told once, when logging stops for good. */
  onProblem: (message: string) => void;
  /** Told after every request that went through. */
  onSent?: (activity: WandbActivity) => void;
  /** Tries per request (first one included) and the first retry's delay, doubled each time. */
  attempts?: number;
  retryDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** What has reached W&B so far. */
export interface WandbActivity {
  runs: number;
  entries: number;
  finished: number;
}

interface RunState {
  path: Omit<WandbRunPath, 'entity'>;
  loggedEpochs: number;
  lastEpoch: number;
  finished: boolean;
  startedAt: number;
  summary: Record<string, unknown>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A W&B run id from the experiment and trial ids (letters, digits, `-`, `_`). */
export function wandbRunName(experimentId: string, trialId: string): string {
  return `${experimentId}-${trialId}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

const finishedStatus = (trial: TrialRecord) => trial.status !== TRIAL_STATUS.pending && trial.status !== TRIAL_STATUS.running;

/** The metrics a history entry carries: the epoch's own, named as in result.json. */
function epochEntry(epoch: EpochMetrics): Record<string, number> {
  const entry: Record<string, number> = { training_iteration: epoch.epoch, epoch: epoch.epoch, val_acc: epoch.val_acc };
  for (const key of ['val_loss', 'train_loss', 'total_params', 'samples_per_s', 'time_s'] as const) {
    const value = epoch[key];
    if (value !== undefined) entry[key] = value;
  }
  return entry;
}

/** Logs one search's trials to W&B; feed it every experiment state. */
export class WandbLogger {
  private readonly runs = new Map<string, RunState>();
  private queue: Promise<void> = Promise.resolve();
  private entity: string | null;
  private failed = false;
  readonly activity: WandbActivity = { runs: 0, entries: 0, finished: 0 };

  constructor(private readonly options: WandbLoggerOptions) {
    this.entity = options.entity?.trim() || null;
  }

  /** Queues whatever the new state adds (a started trial, new epochs, an end); never blocks. */
  observe(state: ExperimentState): void {
    if (this.failed) return;
    for (const trial of state.trials) {
      let run = this.runs.get(trial.id);
      if (!run) {
        if (trial.status !== TRIAL_STATUS.running && trial.history.length === 0) continue;
        run = {
          path: { project: this.options.project, name: wandbRunName(this.options.experimentId, trial.id) },
          loggedEpochs: 0,
          lastEpoch: 0,
          finished: false,
          startedAt: this.now(),
          summary: {},
        };
        this.runs.set(trial.id, run);
        const config = { ...trialParams(trial, state), trial_id: trial.id, experiment_id: this.options.experimentId };
        this.enqueue(async (entity) => {
          await this.options.transport.upsertRun({
            ...run!.path,
            entity,
            displayName: trial.id,
            groupName: this.options.experimentId,
            jobType: 'trial',
            config,
          });
          this.activity.runs += 1;
        });
      }
      for (const epoch of trial.history) {
        if (epoch.epoch <= run.lastEpoch) continue;
        run.lastEpoch = epoch.epoch;
        this.queueEpoch(run, epoch);
      }
      if (finishedStatus(trial) && !run.finished) {
        run.finished = true;
        this.queueFinish(run, trial);
      }
    }
  }

  /** Settles when every queued request has been sent or given up on. */
  flushed(): Promise<void> {
    return this.queue;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private queueEpoch(run: RunState, epoch: EpochMetrics): void {
    const runtime = (this.now() - run.startedAt) / 1000;
    const line = { ...epochEntry(epoch), _step: epoch.epoch - 1, _runtime: runtime, _timestamp: this.now() / 1000 };
    run.summary = { ...run.summary, ...line };
    const summary = run.summary;
    this.enqueue(async (entity) => {
      await this.options.transport.fileStream(
        { ...run.path, entity },
        {
          files: {
            'wandb-history.jsonl': { offset: run.loggedEpochs, content: [JSON.stringify(line)] },
            'wandb-summary.json': { offset: 0, content: [JSON.stringify(summary)] },
          },
        },
      );
      run.loggedEpochs += 1;
      this.activity.entries += 1;
    });
  }

  private queueFinish(run: RunState, trial: TrialRecord): void {
    const exitcode = trial.status === TRIAL_STATUS.error ? 1 : 0;
    const summary = { ...run.summary, trial_status: trial.status, ...(trial.error ? { error: trial.error } : {}) };
    this.enqueue(async (entity) => {
      await this.options.transport.fileStream(
        { ...run.path, entity },
        { files: { 'wandb-summary.json': { offset: 0, content: [JSON.stringify(summary)] } }, complete: true, exitcode },
      );
      this.activity.finished += 1;
    });
  }

  private enqueue(send: (entity: string) => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.failed) return;
      try {
        this.entity ??= await this.withRetry(() => this.options.transport.viewerEntity());
        await this.withRetry(() => send(this.entity!));
        this.options.onSent?.({ ...this.activity });
      } catch (error) {
        this.failed = true;
        const reason = messageOf(error);
        this.options.onProblem(
          `W&B logging stopped: ${reason}. Training goes on; every metric stays in the local history and the results download.`,
        );
      }
    });
  }

  private async withRetry<T>(request: () => Promise<T>): Promise<T> {
    const attempts = this.options.attempts ?? 4;
    let delay = this.options.retryDelayMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        const retryable = !(error instanceof WandbRequestError) || error.retryable;
        if (!retryable || attempt >= attempts) throw error;
        await (this.options.sleep ?? wait)(delay);
        delay *= 2;
      }
    }
  }
}
