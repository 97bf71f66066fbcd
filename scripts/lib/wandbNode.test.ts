import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AutomationEvent } from '../../src/automation';
import { NodeWandbMirror, wandbSettingsFromEnv } from './wandbNode';
import { startWandbStandIn, type WandbStandIn } from './wandbStandIn';

const started = (trial: string, lr: number): AutomationEvent => ({
  kind: 'trial-started',
  trial_id: trial,
  backend: 'cpu',
  engine: 'tfjs',
  adapter: null,
  total_params: 9994,
  experiment_id: 'exp-node',
  config: { lr, beta1: 0.9, beta2: 0.999, f1: 8, f2: 6, batch_size: 64, max_num_epochs: 2 },
});
const epoch = (trial: string, n: number, acc: number): AutomationEvent => ({
  kind: 'epoch',
  trial_id: trial,
  epoch: n,
  train_loss: 1 / n,
  val_loss: 2 / n,
  val_acc: acc,
  total_params: 9994,
  time_s: 1.5,
  samples_per_s: 400,
});

describe('W&B from Node (npm run tune -- --wandb)', () => {
  let standIn: WandbStandIn | null = null;
  afterEach(async () => {
    await standIn?.close();
    standIn = null;
  });

  it("logs the page's trials through the studio's logger with Node's fetch", async () => {
    standIn = await startWandbStandIn();
    const mirror = new NodeWandbMirror(wandbSettingsFromEnv({ WANDB_API_KEY: 'k'.repeat(40), WANDB_BASE_URL: standIn.url }, 'mnist'));
    for (const event of [
      started('t0001', 0.001),
      epoch('t0001', 1, 0.9),
      started('t0002', 0.01),
      epoch('t0001', 2, 0.95),
      { kind: 'trial-ended', trial_id: 't0001', status: 'TERMINATED', error: null } as const,
      epoch('t0002', 1, 0.5),
      { kind: 'trial-ended', trial_id: 't0002', status: 'ERROR', error: 'lost the GPU' } as const,
    ]) {
      mirror.onEvent(event);
    }
    const { activity, problem } = await mirror.finish();
    expect(problem).toBeNull();
    expect(activity).toEqual({ runs: 2, entries: 3, finished: 2 });
    const runs = [...standIn.runs.values()].sort((a, b) => a.name.localeCompare(b.name));
    expect(runs.map((r) => [r.project, r.name, r.group, r.exitcode, r.complete])).toEqual([
      ['mnist', 'exp-node-t0001', 'exp-node', 0, true],
      ['mnist', 'exp-node-t0002', 'exp-node', 1, true],
    ]);
    expect(runs[0]!.config).toMatchObject({ lr: 0.001, max_num_epochs: 2, trial_id: 't0001', experiment_id: 'exp-node' });
    expect(runs[0]!.history.map((h) => h.val_acc)).toEqual([0.9, 0.95]);
    expect(runs[1]!.summary).toMatchObject({ trial_status: 'ERROR', error: 'lost the GPU' });
  });

  it('needs an API key', () => {
    expect(() => wandbSettingsFromEnv({})).toThrow(/WANDB_API_KEY/);
  });

  it('reports a server that refuses every request, once', async () => {
    standIn = await startWandbStandIn('fail');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const mirror = new NodeWandbMirror({ apiKey: 'x', project: 'p', baseUrl: standIn.url });
    mirror.onEvent(started('t0001', 0.001));
    mirror.onEvent(epoch('t0001', 1, 0.9));
    const { problem } = await mirror.finish();
    errors.mockRestore();
    expect(problem).toMatch(/W&B logging stopped/);
  }, 30_000);
});
