/**
 * Recognises which registered architecture a `state_dict` belongs to, and at which
 * hyperparameters, from the architectures' own `spec(h)`: nothing here names an architecture.
 */
import type { Architecture, HyperparameterSpec, Hyperparameters } from './architecture';
import { defaultHyperparameters, architectureLabel, registeredArchitectures } from './registry';
import type { ModelSpec } from './spec';
import { checkStateDict, type TorchTensor } from './stateDict';

/** A state dict's architecture and hyperparameters, checked strictly against `architecture.spec(hyperparameters)`. */
export interface RecognisedModel {
  architecture: Architecture;
  hyperparameters: Hyperparameters;
}

/**
 * A dimension of one entry's shape that moves with one hyperparameter and no other:
 * `size = base + slope * (value - default)`.
 */
interface TrackingDimension {
  key: string;
  axis: number;
  base: number;
  slope: number;
}

/**
 * Below this share of keys in common (of the two key sets together) a state dict is not taken for a
 * damaged copy of the closest architecture but for a model the studio does not know.
 */
const MIN_SHARED_KEYS = 0.5;

/** How many of a foreign state dict's keys a refusal quotes. */
const QUOTED_KEYS = 4;

function specOrNull(architecture: Architecture, h: Hyperparameters): ModelSpec | null {
  try {
    return architecture.spec(h);
  } catch {
    return null;
  }
}

/** The entries' shapes by key. */
const shapesOf = (spec: ModelSpec): Map<string, readonly number[]> => new Map(spec.entries.map((e) => [e.key, e.torchShape]));

/** A value one step from the default that the hyperparameter allows, or null when it allows only one. */
function probeValue(spec: HyperparameterSpec): number | null {
  if (spec.default + 1 <= spec.max) return spec.default + 1;
  if (spec.default - 1 >= spec.min) return spec.default - 1;
  return null;
}

/**
 * Every entry dimension that tracks each hyperparameter: compares spec(defaults) with spec(defaults
 * with that one hyperparameter moved a step), and keeps the dimensions that the step changes and no
 * other hyperparameter's step does.
 */
function trackingDimensions(architecture: Architecture): Map<string, TrackingDimension[]> {
  const defaults = defaultHyperparameters(architecture);
  const base = specOrNull(architecture, defaults);
  const specs = Object.entries(architecture.hyperparameters);
  const moved = new Map<string, { step: number; shapes: Map<string, readonly number[]> }>();
  for (const [name, spec] of specs) {
    const value = probeValue(spec);
    const probed = value === null ? null : specOrNull(architecture, { ...defaults, [name]: value });
    if (probed && value !== null) moved.set(name, { step: value - spec.default, shapes: shapesOf(probed) });
  }
  const tracking = new Map<string, TrackingDimension[]>();
  if (!base) return tracking;
  for (const [name, { step, shapes }] of moved) {
    const found: TrackingDimension[] = [];
    for (const entry of base.entries) {
      entry.torchShape.forEach((size, axis) => {
        const sizeMoved = shapes.get(entry.key)?.[axis];
        if (sizeMoved === undefined || sizeMoved === size) return;
        const alsoMovedByOther = [...moved].some(([other, probe]) => other !== name && probe.shapes.get(entry.key)?.[axis] !== size);
        if (!alsoMovedByOther) found.push({ key: entry.key, axis, base: size, slope: (sizeMoved - size) / step });
      });
    }
    tracking.set(name, found);
  }
  return tracking;
}

/**
 * Reads each hyperparameter from the state dict's shapes: every tracking dimension present votes
 * for the value its size implies, and the most common vote wins (the first on a tie), so one
 * damaged entry is reported as a wrong shape rather than moving the whole model. A hyperparameter
 * nothing in the file votes for keeps its default, and the strict check then names the missing key.
 */
function readHyperparameters(architecture: Architecture, byKey: ReadonlyMap<string, TorchTensor>): Record<string, number> {
  const defaults = defaultHyperparameters(architecture);
  const values = { ...defaults };
  for (const [name, dimensions] of trackingDimensions(architecture)) {
    const votes = new Map<number, number>();
    for (const { key, axis, base, slope } of dimensions) {
      const size = byKey.get(key)?.shape[axis];
      if (size === undefined) continue;
      const value = (defaults[name] ?? 0) + (size - base) / slope;
      if (Number.isInteger(value)) votes.set(value, (votes.get(value) ?? 0) + 1);
    }
    let best: [number, number] | null = null;
    for (const vote of votes) if (!best || vote[1] > best[1]) best = vote;
    if (best) values[name] = best[0];
  }
  return values;
}

/** The share of keys two key sets have in common, of both together. */
function sharedKeys(keys: ReadonlySet<string>, spec: ModelSpec): number {
  const expected = spec.entries.map((e) => e.key);
  const shared = expected.filter((key) => keys.has(key)).length;
  return shared / (keys.size + expected.length - shared);
}

/**
 * Finds the registered architecture a state dict belongs to and reads its hyperparameters from the
 * tensors' shapes, then checks every key, shape and dtype strictly against that model. Throws
 * naming the first missing, unexpected or wrong key; a hyperparameter outside its architecture's
 * range; or, for a state dict like none of them, the models the studio knows.
 */
export function recogniseStateDict(state: readonly TorchTensor[]): RecognisedModel {
  const architectures = registeredArchitectures();
  const keys = new Set(state.map((t) => t.key));
  let closest: { architecture: Architecture; share: number } | null = null;
  for (const architecture of architectures) {
    const spec = specOrNull(architecture, defaultHyperparameters(architecture));
    const share = spec ? sharedKeys(keys, spec) : 0;
    if (!closest || share > closest.share) closest = { architecture, share };
  }
  if (!closest || closest.share < MIN_SHARED_KEYS) {
    const quoted = state.slice(0, QUOTED_KEYS).map((t) => t.key);
    const more = state.length > QUOTED_KEYS ? `, ... (${state.length} keys)` : '';
    throw new Error(
      `not a state dict of a known model (${architectures.map((a) => a.name).join(', ')}): ` +
        (state.length === 0 ? 'it has no keys' : `its keys are ${quoted.join(', ')}${more}`),
    );
  }
  const { architecture } = closest;
  const hyperparameters = readHyperparameters(architecture, new Map(state.map((t) => [t.key, t])));
  for (const [name, spec] of Object.entries(architecture.hyperparameters)) {
    const value = hyperparameters[name] ?? spec.default;
    if (value < spec.min || value > spec.max) {
      throw new Error(`its shapes give ${architecture.name} ${name}=${value}, outside the ${spec.min}..${spec.max} the studio builds`);
    }
  }
  checkStateDict(architecture.spec(hyperparameters), state, architectureLabel(architecture.name, hyperparameters));
  return { architecture, hyperparameters };
}
