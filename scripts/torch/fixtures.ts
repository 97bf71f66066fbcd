import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineState } from '../../src/engine/stepEngine';
import { readCheckpoint } from '../../src/export/ptReader';
import { adamStateFromCheckpoint } from '../../src/export/trialCheckpoint';
import type { ModelSpec } from '../../src/model/spec';
import { fromTorchStateDict } from '../../src/model/stateDict';
import { mnistDataDir } from '../lib/nodeMnist';
import type { JsonTensor, TorchState } from './jsonTensors';

/** Debian's PyTorch (python3-torch) lives under this interpreter, not the python3 first on PATH. */
export const TORCH_PYTHON = '/usr/bin/python3';

/**
 * The studio's exported architecture.py (src/export/rayProject/architecture.ts), committed under the
 * name the PyTorch scripts import (`from pt_classifier import Classifier`); written by
 * writeArchitecture.ts and checked against the emitter by src/export/rayProject/emittedArchitecture.test.ts.
 */
export const EMITTED_ARCHITECTURE_PATH = join(dirname(fileURLToPath(import.meta.url)), 'pt_classifier.py');

/** The fixture `make_fixtures.py` writes, as JSON. */
export interface TorchFixture {
  torch_version: string;
  /** The registry's name of the model, and its hyperparameters (also spread at the top level). */
  model: string;
  hyperparameters: Record<string, number>;
  f1: number;
  f2: number;
  batch: number;
  lr: number;
  betas: [number, number];
  total_params: number;
  parameter_keys: string[];
  initial_state: JsonTensor[];
  images: number[];
  labels: number[];
  eval_logits: number[];
  train_logits: number[];
  loss: number;
  grads: { key: string; data: number[] }[];
  state_after_forward: JsonTensor[];
  steps: TorchStep[];
}

/** One Adam step of the reference run: PyTorch's state before and after, its loss and gradients. */
export interface TorchStep {
  batch_index: number;
  before: TorchState;
  loss: number;
  grads: number[][];
  /** Smallest |input| of any nn.ReLU module in this step's forward pass (null for a model without one). */
  relu_margin: number | null;
  after: TorchState;
}

const cached = new Map<string, TorchFixture>();

/** Throws, with the install command, when Debian's python3-torch is missing: tests against PyTorch are never skipped. */
export function requireTorch(): void {
  const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `Tests against PyTorch need PyTorch under ${TORCH_PYTHON} (apt-get install -y python3-torch): ` +
        (probe.error?.message ?? probe.stderr.trim()),
    );
  }
}

/**
 * Runs a reference PyTorch model (scripts/torch/make_fixtures.py: the Classifier at f1=8, f2=6 by
 * default, or `gapnet` at its defaults) and returns its fixture.
 */
export function torchFixture(model = 'Classifier'): TorchFixture {
  const known = cached.get(model);
  if (known) return known;
  requireTorch();
  const out = join(mkdtempSync(join(tmpdir(), 'torch-fixture-')), 'fixture.json');
  const script = join(dirname(fileURLToPath(import.meta.url)), 'make_fixtures.py');
  execFileSync(TORCH_PYTHON, [script, mnistDataDir(), out, model], { stdio: ['ignore', 'inherit', 'inherit'] });
  const fixture = JSON.parse(readFileSync(out, 'utf8')) as TorchFixture;
  cached.set(model, fixture);
  return fixture;
}

/**
 * A `.pt` PyTorch saved as `(model.state_dict(), optimizer.state_dict())`, read through the
 * studio's own checkpoint reader, as a step engine's state (a fresh epoch: no loss summed yet).
 */
export function engineStateFromCheckpoint(spec: ModelSpec, bytes: Uint8Array): EngineState {
  const read = readCheckpoint(bytes);
  return { network: fromTorchStateDict(spec, read.model), adam: adamStateFromCheckpoint(spec, read.optimizer), epochLossSum: 0 };
}
