/**
 * `npm run tune -- --wandb`: the studio's W&B logger (src/tracking) run in Node, fed by the
 * headless page's events. Node's fetch has no CORS, so this reaches W&B (or a self-hosted
 * server) even where the page's own requests are refused. Settings come from W&B's usual
 * environment variables: WANDB_API_KEY (required), WANDB_PROJECT, WANDB_ENTITY, WANDB_BASE_URL.
 */
import type { AutomationEvent } from '../../src/automation';
import { WandbLogger, type WandbActivity } from '../../src/tracking/wandbLogger';
import { WANDB_CLOUD_URL, httpTransport } from '../../src/tracking/wandbTransport';
import { TRIAL_STATUS, type ExperimentState, type TrialRecord, type TrialStatus } from '../../src/tune/experiment';
import { createSchedulerState } from '../../src/tune/scheduler';
import { DEFAULT_SETTINGS, DEFAULT_TRIAL_CONFIG, HYPERPARAMETERS, defaultSpace, type TrialConfig } from '../../src/tune/space';

/** Where and as whom the command line logs. */
export interface NodeWandbSettings {
  apiKey: string;
  project: string;
  entity?: string;
  baseUrl: string;
}

/** The settings from the environment, or a message naming what is missing. */
export function wandbSettingsFromEnv(env: NodeJS.ProcessEnv, project?: string): NodeWandbSettings {
  const apiKey = env.WANDB_API_KEY?.trim();
  if (!apiKey) throw new Error('--wandb needs WANDB_API_KEY in the environment (from wandb.ai/authorize, or your server)');
  return {
    apiKey,
    project: project ?? env.WANDB_PROJECT ?? 'digit-studio',
    entity: env.WANDB_ENTITY || undefined,
    baseUrl: env.WANDB_BASE_URL || WANDB_CLOUD_URL,
  };
}

const STATUSES = new Set<string>(Object.values(TRIAL_STATUS));

/** Mirrors the page's search from its events and hands each new state to a WandbLogger. */
export class NodeWandbMirror {
  private logger: WandbLogger | null = null;
  private state: ExperimentState | null = null;
  private problem: string | null = null;

  constructor(
    private readonly settings: NodeWandbSettings,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  /** Takes one event of the page; never waits on the network. */
  onEvent(event: AutomationEvent): void {
    if (event.kind === 'trial-started') this.start(event);
    const state = this.state;
    if (!state || !this.logger) return;
    const trial = state.trials.find((t) => t.id === event.trial_id);
    if (!trial) return;
    if (event.kind === 'epoch') {
      const metrics = {
        epoch: event.epoch,
        val_acc: event.val_acc,
        val_loss: event.val_loss,
        train_loss: event.train_loss,
        total_params: event.total_params,
        time_s: event.time_s,
        samples_per_s: event.samples_per_s,
      };
      trial.history = [...trial.history.filter((m) => m.epoch < metrics.epoch), metrics];
    } else if (event.kind === 'trial-ended' && STATUSES.has(event.status)) {
      trial.status = event.status as TrialStatus;
      trial.error = event.error;
    }
    this.logger.observe(state);
  }

  /** Waits for every queued request; returns what reached W&B and the problem that stopped it, if any. */
  async finish(): Promise<{ activity: WandbActivity | null; problem: string | null }> {
    await this.logger?.flushed();
    return { activity: this.logger ? { ...this.logger.activity } : null, problem: this.problem };
  }

  private start(event: Extract<AutomationEvent, { kind: 'trial-started' }>): void {
    if (!this.state || !this.logger) {
      this.state = {
        version: 1,
        space: defaultSpace(),
        settings: { ...DEFAULT_SETTINGS, maxNumEpochs: event.config.max_num_epochs ?? DEFAULT_SETTINGS.maxNumEpochs },
        trials: [],
        scheduler: createSchedulerState(DEFAULT_SETTINGS),
        stopped: false,
      };
      this.logger = new WandbLogger({
        transport: httpTransport(this.settings.baseUrl, this.settings.apiKey, this.fetchImpl),
        project: this.settings.project,
        entity: this.settings.entity,
        experimentId: event.experiment_id,
        onProblem: (message) => {
          this.problem = message;
          console.error(`wandb: ${message}`);
        },
      });
    }
    if (this.state.trials.some((t) => t.id === event.trial_id)) {
      const trial = this.state.trials.find((t) => t.id === event.trial_id)!;
      trial.status = TRIAL_STATUS.running;
      return;
    }
    const config: TrialConfig = { ...DEFAULT_TRIAL_CONFIG };
    for (const name of HYPERPARAMETERS) if (typeof event.config[name] === 'number') config[name] = event.config[name];
    const trial: TrialRecord = {
      id: event.trial_id,
      config,
      totalParams: event.total_params,
      status: TRIAL_STATUS.running,
      history: [],
      best: null,
      failures: 0,
      error: null,
      stopReason: null,
    };
    this.state.trials.push(trial);
  }
}
