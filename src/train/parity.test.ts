import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { torchFixture, type TorchFixture } from '../../scripts/torch/fixtures';
import { toTorchTensors } from '../../scripts/torch/jsonTensors';
import { classifier } from '../model/classifier';
import { Network } from '../model/network';
import { fromTorchStateDict, joinParameters, splitParameters, toTorchStateDict } from '../model/stateDict';
import { Adam } from './adam';
import { lossAndGradient, trainStep } from './step';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

function numbers(data: Float32Array | BigInt64Array | undefined): number[] {
  return data ? Array.from(data as ArrayLike<number | bigint>, Number) : [];
}

describe('parity with the PyTorch Classifier (tfjs CPU backend)', () => {
  let fx: TorchFixture;
  let network: Network;
  const spec = classifier.spec({ f1: 8, f2: 6 });
  const batchOf = (i: number) => {
    const px = 28 * 28;
    const n = fx.batch;
    const x = tf.tensor4d(fx.images.slice(i * n * px, (i + 1) * n * px), [n, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(fx.labels.slice(i * n, (i + 1) * n), 'int32'), 10).toFloat() as tf.Tensor2D;
    return { x, y };
  };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    fx = torchFixture();
    network = new Network(classifier, { f1: fx.f1, f2: fx.f2 }, fromTorchStateDict(spec, toTorchTensors(fx.initial_state)));
  }, 120_000);

  it('has the same parameters, in the same order', () => {
    expect(network.totalParams).toBe(fx.total_params);
    expect(spec.entries.filter((e) => e.trainable).map((e) => e.key)).toEqual(fx.parameter_keys);
    expect(spec.entries.map((e) => e.key)).toEqual(fx.initial_state.map((t) => t.key));
  });

  it('round-trips the state dict', () => {
    const back = toTorchStateDict(spec, network.readValues());
    for (const [i, t] of toTorchTensors(fx.initial_state).entries()) {
      expect(back[i]?.key).toBe(t.key);
      expect(back[i]?.shape).toEqual(t.shape);
      expect(numbers(back[i]?.data)).toEqual(numbers(t.data));
    }
  });

  it('matches eval logits, train logits, loss, gradients and running stats', () => {
    const { x, y } = batchOf(0);
    const evalLogits = tf.tidy(() => network.logits(x, 'eval'));
    const evalErr = maxAbsDiff(evalLogits.dataSync(), fx.eval_logits);
    const { loss, grad, logits } = lossAndGradient(network, x, y);
    const trainErr = maxAbsDiff(logits.dataSync(), fx.train_logits);
    const lossErr = Math.abs(loss.dataSync()[0]! - fx.loss);
    let gradErr = 0;
    for (const [i, g] of splitParameters(spec, grad.dataSync() as Float32Array).entries()) {
      expect(g.key).toBe(fx.grads[i]?.key);
      gradErr = Math.max(gradErr, maxAbsDiff(g.data, fx.grads[i]?.data ?? []));
    }
    let statsErr = 0;
    const state = toTorchStateDict(spec, network.readValues());
    for (const [i, t] of toTorchTensors(fx.state_after_forward).entries()) {
      statsErr = Math.max(statsErr, maxAbsDiff(numbers(state[i]?.data), numbers(t.data)));
    }
    console.log(`max |tfjs - torch|: eval logits ${evalErr.toExponential(2)}, train logits ${trainErr.toExponential(2)}, loss ${lossErr.toExponential(2)}, grads ${gradErr.toExponential(2)}, state after forward ${statsErr.toExponential(2)}`);
    expect(evalErr).toBeLessThan(1e-5);
    expect(trainErr).toBeLessThan(1e-5);
    expect(lossErr).toBeLessThan(1e-5);
    expect(gradErr).toBeLessThan(1e-4);
    expect(statsErr).toBeLessThan(1e-5);
    tf.dispose([x, y, evalLogits, loss, grad, logits]);
  });

  it('matches parameters, running stats and Adam state over 3 Adam steps', () => {
    // Below this, a PyTorch gradient is rounding noise around an exact zero (see make_fixtures.py).
    const noiseFloor = 1e-5;
    const errors = { loss: 0, grads: 0, stepParams: 0, stats: 0, noise: 0, adamParams: 0, expAvg: 0, expAvgSq: 0 };
    for (const step of fx.steps) {
      const network = new Network(classifier, { f1: fx.f1, f2: fx.f2 }, fromTorchStateDict(spec, toTorchTensors(step.before.state)));
      const adam = new Adam(network.totalParams, { lr: fx.lr, beta1: fx.betas[0], beta2: fx.betas[1] });
      adam.writeState({
        step: step.before.adam[0]?.step ?? 0,
        expAvg: joinParameters(spec, step.before.adam.map((s) => Float32Array.from(s.exp_avg))),
        expAvgSq: joinParameters(spec, step.before.adam.map((s) => Float32Array.from(s.exp_avg_sq))),
      });
      const { x, y } = batchOf(step.batch_index);
      const probe = new Network(classifier, { f1: fx.f1, f2: fx.f2 }, network.readValues());
      const { grad, loss: probeLoss, logits } = lossAndGradient(probe, x, y);
      const grads = splitParameters(spec, grad.dataSync() as Float32Array);
      const loss = trainStep(network, adam, x, y);
      errors.loss = Math.max(errors.loss, Math.abs(loss.dataSync()[0]! - step.loss));

      const noisy = step.grads.map((g) => g.map((v) => Math.abs(v) < noiseFloor));
      const masked = (i: number, a: ArrayLike<number>, b: ArrayLike<number>) =>
        maxAbsDiff(Array.from(a, (v, j) => (noisy[i]?.[j] ? 0 : Number(v))), Array.from(b, (v, j) => (noisy[i]?.[j] ? 0 : Number(v))));
      grads.forEach((g, i) => {
        errors.grads = Math.max(errors.grads, maxAbsDiff(g.data, step.grads[i] ?? []));
        g.data.forEach((v, j) => {
          if (noisy[i]?.[j]) errors.noise = Math.max(errors.noise, Math.abs(v));
        });
      });

      const state = toTorchStateDict(spec, network.readValues());
      let param = 0;
      for (const [k, t] of toTorchTensors(step.after.state).entries()) {
        const got = state[k];
        expect(got?.key).toBe(t.key);
        if (spec.entries[k]?.trainable) errors.stepParams = Math.max(errors.stepParams, masked(param++, numbers(got?.data), numbers(t.data)));
        else errors.stats = Math.max(errors.stats, maxAbsDiff(numbers(got?.data), numbers(t.data)));
      }
      // Adam alone, from PyTorch's parameters, moments and gradients: no rounding noise to amplify.
      const before = fromTorchStateDict(spec, toTorchTensors(step.before.state)).params;
      const torchAdam = new Adam(before.length, { lr: fx.lr, beta1: fx.betas[0], beta2: fx.betas[1] });
      torchAdam.writeState({
        step: step.before.adam[0]?.step ?? 0,
        expAvg: joinParameters(spec, step.before.adam.map((s) => Float32Array.from(s.exp_avg))),
        expAvgSq: joinParameters(spec, step.before.adam.map((s) => Float32Array.from(s.exp_avg_sq))),
      });
      const flat = tf.variable<tf.Rank.R1>(tf.tensor1d(before));
      tf.tidy(() => torchAdam.apply(flat, tf.tensor1d(joinParameters(spec, step.grads.map((g) => Float32Array.from(g))))));
      const updated = splitParameters(spec, Float32Array.from(flat.dataSync()));
      const afterParams = toTorchTensors(step.after.state).filter((_, k) => spec.entries[k]?.trainable);
      updated.forEach((p, i) => (errors.adamParams = Math.max(errors.adamParams, maxAbsDiff(p.data, numbers(afterParams[i]?.data)))));
      const moments = torchAdam.readState();
      const expAvg = splitParameters(spec, moments.expAvg);
      const expAvgSq = splitParameters(spec, moments.expAvgSq);
      step.after.adam.forEach((s, i) => {
        expect(moments.step).toBe(s.step);
        errors.expAvg = Math.max(errors.expAvg, maxAbsDiff(expAvg[i]?.data ?? [], s.exp_avg));
        errors.expAvgSq = Math.max(errors.expAvgSq, maxAbsDiff(expAvgSq[i]?.data ?? [], s.exp_avg_sq));
      });
      flat.dispose();
      torchAdam.dispose();
      tf.dispose([x, y, loss, grad, probeLoss, logits]);
      adam.dispose();
      network.dispose();
      probe.dispose();
    }
    const summary = Object.entries(errors).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ');
    console.log(`over 3 Adam steps, max |tfjs - torch| (stepParams: whole tfjs step, elements whose PyTorch gradient is >= ${noiseFloor}; noise: largest tfjs gradient where PyTorch's is below; adam*: Adam from PyTorch's gradients): ${summary}`);
    expect(errors.loss).toBeLessThan(1e-5);
    expect(errors.grads).toBeLessThan(1e-4);
    expect(errors.noise).toBeLessThan(1e-5);
    expect(errors.stepParams).toBeLessThan(1e-4);
    expect(errors.adamParams).toBeLessThan(1e-5);
    expect(errors.stats).toBeLessThan(1e-5);
    expect(errors.expAvg).toBeLessThan(1e-5);
    expect(errors.expAvgSq).toBeLessThan(1e-6);
  });
});
