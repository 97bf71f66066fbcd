/** The trial engine that actually trains: used inside each Worker, and directly by tests. */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendReport } from '../backend/init';
import type { BackendChoice } from '../backend/choice';
import { loadMnist, type MnistLoadResult } from '../data/loadMnist';
import { createTrainer, precompileTraining, type Trainer } from '../engine/trainer';
import { HEARTBEAT_INTERVAL_MS } from '../tune/heartbeat';
import { DeviceLostError, type TrialEngine, type TrialEvents, type TrialFault, type TrialRun, type TrialSnapshot } from '../tune/trial';

/** What a local engine needs from its surroundings; tests replace the data source and backend start. */
export interface LocalEngineDeps {
  startBackend: (choice: BackendChoice) => Promise<BackendReport>;
  loadData: (manifestUrl: string) => Promise<Pick<MnistLoadResult, 'train' | 'test' | 'source'>>;
}

const browserDeps: LocalEngineDeps = {
  startBackend: (choice) => initBackend(choice),
  loadData: (manifestUrl) => loadMnist({ manifestUrl }),
};

async function snapshotOf(trainer: Trainer, config: TrialRun['config']): Promise<TrialSnapshot> {
  const state = await trainer.readState();
  return { config, state, stateDict: trainer.torchStateDictOf(state.network) };
}

/** How long a failed step on WebGPU waits for the device to say it was lost before the failure counts as the trial's. */
const LOST_GRACE_MS = 1000;

/** The GPU device tfjs's WebGPU backend trains on (the fused step uses the same one), or null off WebGPU. */
function webGpuDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GPUDevice }).device ?? null;
}

/**
 * Heartbeats of one `train` call: during start-up (backend, data, kernels) on a timer, since no
 * loop runs yet; then only from the training loop, between chunks of steps (at most five a
 * heartbeat interval) and after every epoch, so a loop stuck on a GPU that stopped answering
 * falls silent.
 */
function heartbeats(events: TrialEvents) {
  let last = 0;
  const beat = (force = false) => {
    const now = performance.now();
    if (!force && now - last < HEARTBEAT_INTERVAL_MS / 5) return;
    last = now;
    events.onHeartbeat?.();
  };
  beat(true);
  const startUp = setInterval(() => beat(true), HEARTBEAT_INTERVAL_MS);
  return { beat, started: () => clearInterval(startUp) };
}

/** Creates an engine that trains on this thread's tfjs instance; the backend starts once per engine. */
export function createLocalEngine(deps: LocalEngineDeps = browserDeps): TrialEngine {
  let backend: Promise<BackendReport> | null = null;
  let trainer: Trainer | null = null;
  let trainerConfig: TrialRun['config'] | null = null;
  let abort: AbortController | null = null;
  /** Why the GPU device is gone, once it is: this engine's backend can train no more. */
  let deviceLost: string | null = null;
  let watching: GPUDevice | null = null;

  const loseDevice = (reason: string) => {
    deviceLost ??= reason;
    abort?.abort();
  };
  /** Listens for the loss of the backend's GPU device, and for running out of GPU memory. */
  const watchDevice = () => {
    const device = webGpuDevice();
    if (!device || device === watching) return;
    watching = device;
    void device.lost.then((info) => {
      loseDevice(`the GPU device was lost (${info.reason || 'unknown reason'}${info.message ? `: ${info.message}` : ''})`);
    });
    device.addEventListener('uncapturederror', (event) => {
      if (typeof GPUOutOfMemoryError !== 'undefined' && event.error instanceof GPUOutOfMemoryError) loseDevice('the GPU ran out of memory');
    });
  };

  const requireTrainer = (): Trainer => {
    if (!trainer) throw new Error('No model yet: start a trial first');
    return trainer;
  };

  return {
    async train(run: TrialRun, events: TrialEvents = {}) {
      if (abort) throw new Error(`Trial ${run.trialId}: this engine is already training`);
      if (deviceLost) throw new DeviceLostError(deviceLost);
      abort = new AbortController();
      const alive = heartbeats(events);
      try {
        backend ??= deps.startBackend(run.backend);
        const report = await backend;
        watchDevice();
        precompileTraining(run.config);
        const data = await deps.loadData(run.manifestUrl);
        trainer?.dispose();
        trainer = null;
        const created = await createTrainer({
          config: run.config,
          data,
          trainLimit: run.trainLimit,
          valLimit: run.valLimit,
          progressEvery: run.progressEvery,
          signal: abort.signal,
          onProgress: (progress) => {
            alive.beat();
            events.onProgress?.(progress);
          },
          onEpoch: async (report) => {
            alive.beat(true);
            if (!events.onEpoch || !trainer) return;
            events.onEpoch(report, await snapshotOf(trainer, run.config));
          },
        });
        trainer = created;
        trainerConfig = run.config;
        if (run.resume) created.restoreState(run.resume);
        events.onStarted?.({
          trialId: run.trialId,
          backend: report,
          engine: created.engine,
          dataSource: data.source,
          trainCount: Math.min(run.trainLimit ?? data.train.count, data.train.count),
          valCount: Math.min(run.valLimit ?? data.test.count, data.test.count),
          totalParams: created.totalParams,
        });
        alive.started();
        const result = await created.run();
        if (deviceLost) throw new DeviceLostError(deviceLost);
        return result;
      } catch (error) {
        // A GPU read can fail before the device's `lost` promise settles: give it a moment to say so.
        if (!deviceLost && watching) await Promise.race([watching.lost, new Promise((resolve) => setTimeout(resolve, LOST_GRACE_MS))]);
        // Whatever failed after the device went (a rejected read, a stopped loop) failed because of it.
        throw deviceLost ? new DeviceLostError(deviceLost) : error;
      } finally {
        alive.started();
        abort = null;
      }
    },
    stop() {
      abort?.abort();
      return Promise.resolve();
    },
    snapshot(): Promise<TrialSnapshot> {
      const current = requireTrainer();
      if (!trainerConfig) throw new Error('No model yet: start a trial first');
      return snapshotOf(current, trainerConfig);
    },
    predict(pixels) {
      return requireTrainer().predict(pixels);
    },
    dispose() {
      abort?.abort();
      trainer?.dispose();
      trainer = null;
      return Promise.resolve();
    },
    terminate() {
      abort?.abort();
      trainer?.dispose();
      trainer = null;
    },
    injectFault(fault: TrialFault) {
      if (fault !== 'lose-device') return;
      // A real loss where there is a GPU (its `lost` promise says so); the same path simulated off one.
      const device = webGpuDevice();
      if (device) device.destroy();
      else loseDevice('the GPU device was lost (simulated)');
    },
  };
}
