import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createHash, randomBytes } from 'node:crypto';
import type { Hyperparameters } from './hyperparameters.js';
import type { TaskKind } from './model-config.js';

/** Rows per call to the backend when predicting: large batches are ~50x faster than tfjs's default of 32. */
export const PREDICT_BATCH_SIZE = 8192;

/** The trained network in a form that fits in JSON. */
export interface SerializedNetwork {
  readonly modelTopology: object;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightsBase64: string;
}

/**
 * Adam whose step size the training loop can change between epochs (the plateau schedule) without losing the moment
 * estimates, which a new optimizer would reset.
 */
export class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.999);
  }

  get rate(): number {
    return this.learningRate;
  }

  set rate(value: number) {
    this.learningRate = value;
  }
}

/** Number of network outputs for a task. */
export function outputUnits(task: TaskKind, classes: number): number {
  return task === 'multiclass' ? classes : 1;
}

/** A multi-layer perceptron with seeded initializers, so the same seed gives the same starting weights. */
export function buildNetwork(
  inputWidth: number,
  task: TaskKind,
  classes: number,
  hp: Hyperparameters,
  optimizer: tf.Optimizer,
): tfl.Sequential {
  // Layer names are left to tfjs, which keeps them unique in the process (variables are registered by name, so two
  // live models must not share names); serializeNetwork writes canonical names instead.
  const model = tfl.sequential();
  const regularizer = hp.l2 > 0 ? tfl.regularizers.l2({ l2: hp.l2 }) : undefined;
  hp.hiddenUnits.forEach((units, i) => {
    model.add(
      tfl.layers.dense({
        units,
        activation: 'relu',
        ...(i === 0 ? { inputShape: [inputWidth] } : {}),
        kernelInitializer: tfl.initializers.heNormal({ seed: hp.seed + i }),
        biasInitializer: 'zeros',
        ...(regularizer ? { kernelRegularizer: regularizer } : {}),
      }),
    );
  });
  model.add(
    tfl.layers.dense({
      units: outputUnits(task, classes),
      activation: task === 'binary' ? 'sigmoid' : task === 'multiclass' ? 'softmax' : 'linear',
      ...(hp.hiddenUnits.length === 0 ? { inputShape: [inputWidth] } : {}),
      kernelInitializer: tfl.initializers.glorotUniform({ seed: hp.seed + hp.hiddenUnits.length }),
      biasInitializer: 'zeros',
      // On the output layer too: a network with no hidden layer (the linear baseline) would otherwise ignore l2.
      ...(regularizer ? { kernelRegularizer: regularizer } : {}),
    }),
  );
  model.compile({
    optimizer,
    loss:
      task === 'binary'
        ? 'binaryCrossentropy'
        : task === 'multiclass'
          ? 'sparseCategoricalCrossentropy'
          : 'meanSquaredError',
  });
  return model;
}

/**
 * Runs the network on encoded rows and returns the raw outputs, row-major (`outputs` wide). The batch size is
 * explicit: tfjs's default of 32 makes batch prediction dozens of times slower.
 */
export function predictRaw(model: tfl.LayersModel, x: Float32Array, rows: number, width: number): Float32Array {
  return tf.tidy(() => {
    const input = tf.tensor2d(x, [rows, width]);
    const output = model.predict(input, { batchSize: Math.min(Math.max(rows, 1), PREDICT_BATCH_SIZE) }) as tf.Tensor;
    return output.dataSync() as Float32Array;
  });
}

/** Captures topology and weights through an in-memory IO handler. */
export async function serializeNetwork(model: tfl.LayersModel): Promise<SerializedNetwork> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (
    artifacts?.modelTopology === undefined ||
    artifacts.weightSpecs === undefined ||
    artifacts.weightData === undefined
  ) {
    throw new Error('tfjs did not return the model topology and weights');
  }
  const weights = weightBytes(artifacts.weightData);
  // Canonical names (layer_1, layer_2, …) so identical trainings serialize to identical bytes.
  return renameLayers(
    {
      modelTopology: artifacts.modelTopology as object,
      weightSpecs: artifacts.weightSpecs,
      weightsBase64: Buffer.from(weights).toString('base64'),
    },
    (_, index) => `layer_${index + 1}`,
    'mlp',
  );
}

let loadedModels = 0;

interface TopologyJson {
  config: { name?: string; layers: { config: { name: string } }[] };
}

/** Renames the layers (and the weights that belong to them) of a serialized sequential network. */
function renameLayers(
  network: SerializedNetwork,
  rename: (name: string, index: number) => string,
  modelName: string,
): SerializedNetwork {
  const topology = structuredClone(network.modelTopology) as TopologyJson;
  const names = new Map<string, string>();
  topology.config.layers.forEach((layer, index) => {
    const renamed = rename(layer.config.name, index);
    names.set(layer.config.name, renamed);
    layer.config.name = renamed;
  });
  topology.config.name = modelName;
  const weightSpecs = network.weightSpecs.map((spec) => {
    const slash = spec.name.indexOf('/');
    const layer = names.get(spec.name.slice(0, slash));
    if (layer === undefined) throw new Error(`weight ${spec.name} belongs to no layer of the network`);
    return { ...spec, name: `${layer}${spec.name.slice(slash)}` };
  });
  return { modelTopology: topology, weightSpecs, weightsBase64: network.weightsBase64 };
}

function weightBytes(data: tf.io.WeightData): Uint8Array {
  const buffers = Array.isArray(data) ? data : [data];
  return Buffer.concat(buffers.map((b) => new Uint8Array(b)));
}

export async function deserializeNetwork(serialized: SerializedNetwork): Promise<tfl.LayersModel> {
  // Names unique in this process: a warm container may hold the serving model while it loads the next one, and the
  // engine's variable registry is global (shared even by two bundled copies of tfjs), hence the random part.
  loadedModels += 1;
  const suffix = `m${loadedModels}_${randomBytes(4).toString('hex')}`;
  const network = renameLayers(serialized, (name) => `${name}_${suffix}`, `mlp_${suffix}`);
  const bytes = Buffer.from(network.weightsBase64, 'base64');
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: network.modelTopology, weightSpecs: network.weightSpecs, weightData }),
  );
}

/** sha256 of the weight bytes: equal hashes mean bit-for-bit equal weights. */
export function weightsSha256(network: SerializedNetwork): string {
  return createHash('sha256').update(Buffer.from(network.weightsBase64, 'base64')).digest('hex');
}
