import { describe, expect, it } from 'vitest';
import { createExperiment, experimentReducer, reportEpoch } from './experiment';
import { progressCsv, searchResults } from './results';
import { sampleTrials } from './sampler';
import { DEFAULT_SETTINGS, defaultSpace } from './space';

describe('search results', () => {
  const settings = { ...DEFAULT_SETTINGS, numTrials: 2, maxNumEpochs: 2 };
  let state = createExperiment(defaultSpace(), settings, sampleTrials(defaultSpace(), settings, { countParams: () => 9994 }));
  for (const [id, accs] of [['t0001', [0.5, 0.7]], ['t0002', [0.8, 0.75]]] as const) {
    state = experimentReducer(state, { kind: 'trial-started', trialId: id });
    accs.forEach((val_acc, i) => (state = reportEpoch(state, id, { epoch: i + 1, val_acc, train_loss: 1 / (i + 1) }).state));
  }

  it('names the best trial by its best epoch and lists every trial with its history', () => {
    const results = searchResults(state, { t0001: 'wasm' });
    expect(results.metric).toBe('val_acc');
    expect(results.best_trial_id).toBe('t0002');
    expect(results.trials.map((t) => [t.trial_id, t.status, t.backend, t.best_epoch, t.best_val_acc])).toEqual([
      ['t0001', 'TERMINATED', 'wasm', 2, 0.7],
      ['t0002', 'TERMINATED', null, 1, 0.8],
    ]);
    expect(results.trials[0]!.config).toMatchObject({ f1: 8, f2: 6, lr: 0.001, max_num_epochs: 2 });
    expect(results.trials[1]!.history.map((h) => h.val_acc)).toEqual([0.8, 0.75]);
  });

  it('writes one progress.csv row per trial epoch', () => {
    const lines = progressCsv(state).trim().split('\n');
    expect(lines[0]).toBe('trial_id,status,lr,beta1,beta2,f1,f2,batch_size,optimizer,weight_decay,lr_schedule,pct_start,step_size,gamma,label_smoothing,augment_translate,augment_degrees,augment_scale,epoch,train_loss,val_loss,val_acc,total_params,time_s,samples_per_s');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('t0002,TERMINATED,0.001,0.9,0.999,8,6,64,adam,0,constant,0.3,938,0.1,0,0,0,0,2,0.5,,0.75,,,');
  });
});
