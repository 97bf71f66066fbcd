import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMnistSplit } from '../../scripts/lib/nodeMnist';
import type { BackendReport } from '../backend/init';
import type { MnistSplit } from '../data/idx';
import { inProcessPort } from './inProcessPort';
import { TRIAL_HOST_OPTIONS, trialHandlers } from './trialHost';
import { createLocalEngine, type LocalEngineDeps } from './localEngine';
import { crashedWorkerMessage } from '../tune/heartbeat';
import { DeviceLostError, type TrialEngine, type TrialRun } from '../tune/trial';
import { createWorkerEngine } from './workerEngine';

const WASM_REPORT: BackendReport = {
  requested: 'wasm',
  chosen: 'wasm',
  reason: 'requested',
  webgpuAvailable: false,
  crossOriginIsolated: false,
  wasmSimd: false,
};

function head(split: MnistSplit, count: number): MnistSplit {
  return { count, images: split.images.slice(0, count * 784), labels: split.labels.slice(0, count) };
}

/** A Worker stand-in: requests go through the real trial host, replies come back structured-cloned. */
const trialPort = (engine: TrialEngine) => inProcessPort(trialHandlers(engine), TRIAL_HOST_OPTIONS);

describe('trial engine over the worker protocol (tfjs wasm in Node)', () => {
  let deps: LocalEngineDeps;
  const run = (overrides: Partial<TrialRun> = {}): TrialRun => ({
    trialId: 't0001',
    config: { f1: 8, f2: 6, lr: 1e-2, beta1: 0.9, beta2: 0.999, batch_size: 32, seed: 1, max_num_epochs: 2 },
    backend: 'wasm',
    manifestUrl: 'http://studio.test/data/mnist/manifest.json',
    trainLimit: 160,
    valLimit: 100,
    progressEvery: 5,
    ...overrides,
  });

  beforeAll(async () => {
    await tf.setBackend('wasm');
    const train = head(readMnistSplit('train'), 160);
    const test = head(readMnistSplit('test'), 100);
    deps = {
      startBackend: () => Promise.resolve(WASM_REPORT),
      loadData: () => Promise.resolve({ train, test, source: 'indexeddb' }),
    };
  });

  it('trains a trial: one started event, progress, one epoch event per epoch, then one reply', async () => {
    const port = trialPort(createLocalEngine(deps));
    const engine = createWorkerEngine(port);
    const started: string[] = [];
    const epochs: number[] = [];
    let progressEvents = 0;
    let heartbeats = 0;
    const result = await engine.train(run(), {
      onStarted: (s) => started.push(`${s.trialId}:${s.backend.chosen}:${s.trainCount}:${s.totalParams}`),
      onProgress: () => (progressEvents += 1),
      onHeartbeat: () => (heartbeats += 1),
      onEpoch: (r, snapshot) => {
        epochs.push(r.epoch);
        expect(snapshot.state.epoch).toBe(r.epoch);
        expect(snapshot.state.stepInEpoch).toBe(0);
        expect(snapshot.stateDict.map((t) => t.key)).toContain('fc.weight');
      },
    });
    expect(started).toEqual(['t0001:wasm:160:9994']);
    expect(epochs).toEqual([1, 2]);
    expect(progressEvents).toBe(2); // 5 steps per epoch, one event every 5 steps
    expect(result.status).toBe('completed');
    expect(result.history[1]!.total_params).toBe(9994);
    const replies = port.posted.filter((r) => !['started', 'progress', 'epoch', 'heartbeat'].includes(r.kind));
    expect(replies.map((r) => r.kind)).toEqual(['finished']);
    // A heartbeat opens the run, and another comes in every epoch before its report.
    const kinds = port.posted.map((r) => r.kind);
    expect(kinds[0]).toBe('heartbeat');
    const epochAt = kinds.flatMap((kind, i) => (kind === 'epoch' ? [i] : []));
    expect(epochAt).toHaveLength(2);
    for (const [n, at] of epochAt.entries()) expect(kinds.slice(n === 0 ? 1 : epochAt[n - 1]! + 1, at)).toContain('heartbeat');
    expect(heartbeats).toBe(kinds.filter((kind) => kind === 'heartbeat').length);

    const logits = await engine.predict(new Float32Array(3 * 784));
    expect(logits.length).toBe(30);
    const snapshot = await engine.snapshot();
    expect(snapshot.stateDict[0]!.key).toBe('CL1.weight');
    expect(snapshot.state.epoch).toBe(2);
    await engine.dispose();
  });

  it('stops a running trial between steps, and the saved state resumes it', async () => {
    const engine = createWorkerEngine(trialPort(createLocalEngine(deps)));
    let stopAsked = false;
    const result = await engine.train(run({ config: { ...run().config, max_num_epochs: 3 }, progressEvery: 2 }), {
      onProgress: (p) => {
        if (p.epoch === 2 && !stopAsked) {
          stopAsked = true;
          void engine.stop();
        }
      },
    });
    expect(result.status).toBe('stopped');
    expect(result.history.map((h) => h.epoch)).toEqual([1]);
    const { state } = await engine.snapshot();
    expect(state.stepInEpoch).toBeGreaterThan(0);

    const resumed = await engine.train(run({ config: { ...run().config, max_num_epochs: 3 }, resume: state }));
    expect(resumed.status).toBe('completed');
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    await engine.dispose();
  });

  it('answers a bad request with one error reply naming the problem', async () => {
    const port = trialPort(createLocalEngine(deps));
    const engine = createWorkerEngine(port);
    await expect(engine.train(run({ config: { ...run().config, batch_size: 0 } }))).rejects.toThrow(/batch_size/);
    await expect(engine.predict(new Float32Array(784))).rejects.toThrow(/start a trial/);
    expect(port.posted.filter((r) => r.kind !== 'heartbeat').map((r) => r.kind)).toEqual(['error', 'error']);
  });

  it('says a lost GPU is one: the trial rejects with a DeviceLostError, and the engine trains no more', async () => {
    const local = createLocalEngine(deps);
    const port = trialPort(local);
    const engine = createWorkerEngine(port);
    const epochs: number[] = [];
    const training = engine.train(run({ config: { ...run().config, max_num_epochs: 3 }, progressEvery: 2 }), {
      onEpoch: (report) => {
        epochs.push(report.epoch);
        // Off a GPU the fault takes the same path a real loss does, with its own reason.
        if (report.epoch === 1) local.injectFault?.('lose-device');
      },
    });
    const error: unknown = await training.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceLostError);
    expect((error as Error).message).toBe('the GPU device was lost (simulated)');
    expect(epochs).toEqual([1]);
    expect(port.posted.find((r) => r.kind === 'error')).toMatchObject({ deviceLost: true });
    await expect(engine.train(run())).rejects.toBeInstanceOf(DeviceLostError);
    await engine.dispose();
  });

  it('fails every waiting request of a crashed Worker with the crash, and every later one at once', async () => {
    const crash: ((event: ErrorEvent) => void)[] = [];
    let terminated = false;
    const port = {
      postMessage: () => undefined,
      addEventListener(type: string, listener: unknown) {
        if (type === 'error') crash.push(listener as (event: ErrorEvent) => void);
      },
      terminate: () => (terminated = true),
    };
    const engine = createWorkerEngine(port);
    const training = engine.train(run());
    for (const listener of crash) listener({ message: 'out of memory' } as ErrorEvent);
    await expect(training).rejects.toThrow(crashedWorkerMessage('out of memory'));
    await expect(engine.snapshot()).rejects.toThrow(crashedWorkerMessage('out of memory'));
    await engine.dispose().catch(() => undefined);
    expect(terminated).toBe(true);
  });

  it('treats a message from the Worker that cannot be read (messageerror) as a crash', async () => {
    const unreadable: (() => void)[] = [];
    const engine = createWorkerEngine({
      postMessage: () => undefined,
      addEventListener(type: string, listener: unknown) {
        if (type === 'messageerror') unreadable.push(listener as () => void);
      },
      terminate: () => undefined,
    });
    const training = engine.train(run());
    for (const listener of unreadable) listener();
    await expect(training).rejects.toThrow(crashedWorkerMessage('a message from it could not be read'));
  });
});
