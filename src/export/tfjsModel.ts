import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_EPSILON } from '../model/batchNorm';
import { layerPlan, outputLayerName, plannedWeights, torchToTfjs, type PlannedLayer } from './tfjsTopology';
import { recogniseStateDict } from '../model/recognise';
import type { TorchTensor } from '../model/stateDict';

/** The file name model.json's weight manifest points at. */
export const TFJS_WEIGHTS_FILE = 'weights.bin';

/** A saved tfjs LayersModel: model.json's text and the bytes of the one weights file it names. */
export interface TfjsModelFiles {
  modelJson: string;
  weightsFileName: string;
  weights: Uint8Array<ArrayBuffer>;
}

function layerFor(layer: PlannedLayer): tf.layers.Layer {
  const { name } = layer;
  switch (layer.kind) {
    case 'input':
      throw new Error('the input is not a layer to apply');
    case 'conv':
      return tf.layers.conv2d({
        name,
        filters: layer.filters,
        kernelSize: layer.kernel,
        strides: layer.stride,
        padding: 'valid',
        useBias: layer.bias,
        dataFormat: 'channelsLast',
      });
    case 'pad':
      return tf.layers.zeroPadding2d({ name, padding: [[layer.padding, layer.padding], [layer.padding, layer.padding]] });
    case 'relu6':
      return tf.layers.reLU({ name, maxValue: 6 });
    case 'relu':
      return tf.layers.reLU({ name });
    case 'maxPool':
      return tf.layers.maxPooling2d({ name, poolSize: layer.size, strides: layer.size, padding: 'valid', dataFormat: 'channelsLast' });
    case 'avgPool':
      return tf.layers.averagePooling2d({ name, poolSize: layer.size, strides: layer.size, padding: 'valid', dataFormat: 'channelsLast' });
    case 'batchNorm':
      return tf.layers.batchNormalization({ name, axis: -1, epsilon: BATCH_NORM_EPSILON });
    case 'add':
      return tf.layers.add({ name });
    case 'permute':
      return tf.layers.permute({ name, dims: layer.dims });
    case 'flatten':
      return tf.layers.flatten({ name });
    case 'dense':
      return tf.layers.dense({ name, units: layer.units, useBias: true });
  }
}

/**
 * Builds the state dict's model (any registered architecture, recognised from its shapes) as a
 * functional `tf.LayersModel` of stock layers (ZeroPadding2D, Conv2D 'valid', ReLU, MaxPooling2D,
 * AveragePooling2D, BatchNormalization eps 1e-5, Add, Permute, Flatten, Dense) holding the state dict's
 * weights and BatchNorm running statistics. The caller disposes the model.
 */
export function layersModel(stateDict: readonly TorchTensor[]): tf.LayersModel {
  const { architecture, hyperparameters } = recogniseStateDict(stateDict);
  const byKey = new Map(stateDict.map((entry) => [entry.key, entry]));
  const plan = layerPlan(architecture, hyperparameters);
  const outputs = new Map<string, tf.SymbolicTensor>();
  const built: { layer: tf.layers.Layer; planned: PlannedLayer }[] = [];
  let input: tf.SymbolicTensor | undefined;
  for (const planned of plan) {
    if (planned.kind === 'input') {
      input = tf.input({ name: planned.name, shape: [...planned.shape] });
      outputs.set(planned.name, input);
      continue;
    }
    const inputs = planned.inputs.map((name) => {
      const tensor = outputs.get(name);
      if (!tensor) throw new Error(`layer ${planned.name} reads ${name}, which comes later`);
      return tensor;
    });
    const layer = layerFor(planned);
    const [only] = inputs;
    outputs.set(planned.name, layer.apply(only && inputs.length === 1 ? only : inputs) as tf.SymbolicTensor);
    built.push({ layer, planned });
  }
  const output = outputs.get(outputLayerName(plan));
  if (!input || !output) throw new Error('the layer plan has no input or no output');
  const model = tf.model({ name: [architecture.name, ...Object.values(hyperparameters)].join('_'), inputs: input, outputs: output });
  for (const { layer, planned } of built) {
    const weights = plannedWeights(planned);
    if (weights.length === 0) continue;
    const tensors = weights.map((w) => {
      const entry = byKey.get(w.torchKey);
      if (!entry || entry.dtype !== 'float32') throw new Error(`${w.torchKey} is missing or not float32`);
      const { shape, data } = torchToTfjs(w.layout, entry.shape, entry.data);
      return tf.tensor(data, shape, 'float32');
    });
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
  return model;
}

/** Saves a LayersModel as model.json plus one weights file, in memory (tfjs's own save path). */
export async function saveLayersModel(model: tf.LayersModel, weightsFileName = TFJS_WEIGHTS_FILE): Promise<TfjsModelFiles> {
  let files: TfjsModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      const weightSpecs = artifacts.weightSpecs ?? [];
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${weightsFileName}`], weights: weightSpecs }],
      };
      files = { modelJson: JSON.stringify(modelJson), weightsFileName, weights };
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
    }),
  );
  if (!files) throw new Error('tfjs saved nothing');
  return files;
}

/** Exports a state dict of any registered architecture as a standard tfjs LayersModel (model.json + weights.bin). */
export async function exportTfjsModel(stateDict: readonly TorchTensor[]): Promise<TfjsModelFiles> {
  // The page may still be starting its backend (the wasm backend loads its binary first): building
  // layers before it is ready throws "Backend ... has not yet been initialized".
  await tf.ready();
  const model = layersModel(stateDict);
  try {
    return await saveLayersModel(model);
  } finally {
    model.dispose();
  }
}
