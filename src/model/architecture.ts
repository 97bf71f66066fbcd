import type { ModelSpec } from './spec';

/** Integer hyperparameter of an architecture, as the search-space editor offers it. */
export interface HyperparameterSpec {
  default: number;
  min: number;
  max: number;
  description: string;
}

/** Architecture hyperparameters by name (e.g. `{ f1: 8, f2: 6 }`). */
export type Hyperparameters = Readonly<Record<string, number>>;

/**
 * The layer operations an architecture's forward pass is written in. The trainer supplies them
 * (tfjs ops in training or evaluation mode); each reads its parameters by `state_dict` prefix.
 */
export interface LayerOps<T> {
  /**
   * Conv2d with the weight under `prefix`, and its bias where the layer has one (`bias=False`
   * layers have none in their `state_dict`); explicit symmetric zero padding.
   */
  conv2d(x: T, prefix: string, stride: number, padding: number): T;
  /** BatchNorm2d under `prefix` (batch statistics in training, running statistics in evaluation). */
  batchNorm2d(x: T, prefix: string): T;
  /** Linear under `prefix` on a [batch, features] input. */
  linear(x: T, prefix: string): T;
  /** min(max(x, 0), 6). */
  relu6(x: T): T;
  /** max(x, 0). */
  relu(x: T): T;
  /** MaxPool2d(size): windows of size x size with stride size, no padding, the remainder dropped. */
  maxPool2d(x: T, size: number): T;
  /** AdaptiveAvgPool2d(1): the mean of each channel over its whole plane, as a 1x1 plane. */
  globalAvgPool(x: T): T;
  add(a: T, b: T): T;
  /** [batch, ...] to [batch, features], in PyTorch's NCHW flattening order. */
  flatten(x: T): T;
}

/**
 * One entry of the architecture registry: everything needed to count, build and train a model.
 * `Name` is the union of its hyperparameters' names, so the built-in ones give the configuration
 * its keys (`f1`, `c1`, ...) as types.
 */
export interface Architecture<Name extends string = string> {
  name: string;
  description: string;
  hyperparameters: Readonly<Record<Name, HyperparameterSpec>>;
  /** The tensor-free `state_dict` description for these hyperparameters. */
  spec(h: Hyperparameters): ModelSpec;
  /** The forward pass from an input batch (tfjs NHWC) to logits. */
  forward<T>(h: Hyperparameters, x: T, ops: LayerOps<T>): T;
}

/** Reads a hyperparameter, falling back to the architecture's default, and checks its range. */
export function hyperparameter(arch: Architecture, h: Hyperparameters, name: string): number {
  const spec = (arch.hyperparameters as Readonly<Record<string, HyperparameterSpec | undefined>>)[name];
  if (!spec) throw new Error(`${arch.name} has no hyperparameter '${name}'`);
  const value = h[name] ?? spec.default;
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new Error(`${arch.name}: ${name} must be an integer in ${spec.min}..${spec.max}, got ${value}`);
  }
  return value;
}
