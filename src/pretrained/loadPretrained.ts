import { readTfjsModel } from '../export/tfjsImport';
import { hyperparameter } from '../model/architecture';
import { classifier } from '../model/classifier';
import type { TorchStateDict } from '../model/stateDict';
import { PRETRAINED_FILES, type PretrainedProvenance } from './provenance';

/** The shipped Classifier, read into a PyTorch-layout state dict, with its provenance. */
export interface PretrainedModel {
  f1: number;
  f2: number;
  stateDict: TorchStateDict;
  provenance: PretrainedProvenance;
}

async function fetchOk(url: URL): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname} answered ${response.status}`);
  return response;
}

/**
 * Fetches the pretrained model from `baseUrl` (the page's folder) and reads it with the same
 * parser as an imported tfjs model: about 40 KB, no tfjs and no MNIST needed.
 */
export async function loadPretrained(baseUrl: string): Promise<PretrainedModel> {
  const folder = new URL(`${PRETRAINED_FILES.folder}/`, baseUrl);
  const [modelJson, provenance] = await Promise.all([
    fetchOk(new URL(PRETRAINED_FILES.model, folder)).then((r) => r.text()),
    fetchOk(new URL(PRETRAINED_FILES.provenance, folder)).then((r) => r.json() as Promise<PretrainedProvenance>),
  ]);
  const manifest = JSON.parse(modelJson) as { weightsManifest?: { paths?: string[] }[] };
  const paths = (manifest.weightsManifest ?? []).flatMap((group) => group.paths ?? []);
  const files = new Map(
    await Promise.all(
      paths.map(async (path) => [path, new Uint8Array(await (await fetchOk(new URL(path, folder))).arrayBuffer())] as const),
    ),
  );
  const read = readTfjsModel(modelJson, files);
  if (read.architecture !== classifier) throw new Error(`the pretrained model is a ${read.architecture.name}, not a Classifier`);
  const f1 = hyperparameter(classifier, read.hyperparameters, 'f1');
  const f2 = hyperparameter(classifier, read.hyperparameters, 'f2');
  return { f1, f2, stateDict: read.stateDict, provenance };
}
