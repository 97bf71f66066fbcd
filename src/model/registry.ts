import type { Architecture, Hyperparameters } from './architecture';
import { classifier } from './classifier';
import { gapnet } from './gapnet';
import { countParameters } from './spec';

/**
 * The architectures the studio can tune and train, by the name a configuration uses
 * (`model: Classifier`). Adding one is a new file exporting an `Architecture` and one line here.
 */
export const ARCHITECTURES = {
  Classifier: classifier,
  gapnet,
} as const satisfies Record<string, Architecture>;

/** A registered architecture's name. */
export type ArchitectureName = keyof typeof ARCHITECTURES;

type BuiltIn = typeof ARCHITECTURES;

/** A built-in architecture's hyperparameter name: a configuration key (`f1`, `c1`, ...). */
export type ArchitectureHyperparameterName = { [A in ArchitectureName]: keyof BuiltIn[A]['hyperparameters'] & string }[ArchitectureName];

/** Every built-in architecture's hyperparameter names, each once, in registry order. */
export const ARCHITECTURE_HYPERPARAMETERS: readonly ArchitectureHyperparameterName[] = [
  ...new Set(Object.values(ARCHITECTURES).flatMap((arch) => Object.keys(arch.hyperparameters) as ArchitectureHyperparameterName[])),
];

/** The architecture a configuration uses when it names none. */
export const DEFAULT_ARCHITECTURE: ArchitectureName = 'Classifier';

/** Every architecture by name: the built-in ones, then any added with `registerArchitecture`. */
const registered = new Map<string, Architecture>(Object.entries(ARCHITECTURES));

/** Adds an architecture under its `name`, for the trainer, the engines and the checkpoint writer to find; each name once. */
export function registerArchitecture(architecture: Architecture): void {
  if (registered.has(architecture.name)) throw new Error(`model '${architecture.name}' is already registered`);
  registered.set(architecture.name, architecture);
}

/** Every registered architecture, the built-in ones first, then those added with `registerArchitecture` in order. */
export function registeredArchitectures(): Architecture[] {
  return [...registered.values()];
}

/** Looks an architecture up by name, with a message that lists the known ones. */
export function getArchitecture(name: string = DEFAULT_ARCHITECTURE): Architecture {
  const found = registered.get(name);
  if (!found) throw new Error(`unknown model '${name}'; known: ${[...registered.keys()].join(', ')}`);
  return found;
}

/** The architecture hyperparameters (f1, f2, ...) a trial's config sets: the numbers it holds under the architecture's keys. */
export function trialHyperparameters(config: { readonly model?: string }, architecture: Architecture = getArchitecture(config.model)): Hyperparameters {
  const values = config as Readonly<Record<string, unknown>>;
  return Object.fromEntries(
    Object.keys(architecture.hyperparameters).flatMap((name) => {
      const value = values[name];
      return typeof value === 'number' ? [[name, value]] : [];
    }),
  );
}

/** An architecture's default hyperparameters (e.g. `{ f1: 8, f2: 6 }`). */
export function defaultHyperparameters(arch: Architecture): Record<string, number> {
  return Object.fromEntries(Object.entries(arch.hyperparameters).map(([name, spec]) => [name, spec.default]));
}

/** How a model reads in messages and the import panel: "Classifier(f1=8, f2=6)", "gapnet(c1=10, c2=16, c3=10, c4=16)". */
export function architectureLabel(name: string, h: Hyperparameters): string {
  return `${name}(${Object.entries(h).map(([key, value]) => `${key}=${value}`).join(', ')})`;
}

/** Trainable parameters of an architecture at these hyperparameters; builds no tensors. */
export function totalParams(name: string, h: Hyperparameters): number {
  return countParameters(getArchitecture(name).spec(h));
}
