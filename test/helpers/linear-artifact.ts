import * as tf from '@tensorflow/tfjs-core';
import { ARTIFACT_FORMAT, type ModelArtifact } from '../../lambdas/core/artifact.js';
import { resolveHyperparameters } from '../../lambdas/core/hyperparameters.js';
import type { TaskKind } from '../../lambdas/core/model-config.js';
import { buildNetwork, ScheduledAdam, serializeNetwork } from '../../lambdas/core/network.js';
import type { LabelEncoder } from '../../lambdas/core/preprocess.js';

/**
 * A one-weight network on one numeric input `x` (median 0, mean 0, spread 1: encoded as itself) whose outputs are known
 * exactly: the network's output is kernel · x + bias before the task's activation. Reference tests need no TF.js then.
 */
export async function linearArtifact(
  trainingRows: number,
  task: TaskKind,
  label: LabelEncoder,
  kernel: number[],
  bias: number[],
): Promise<ModelArtifact> {
  const classes = label.task === 'multiclass' ? label.classes.length : 2;
  const hp = { ...resolveHyperparameters({}, { trainingRows, task }), hiddenUnits: [] };
  const model = buildNetwork(1, task, classes, hp, new ScheduledAdam(0.01));
  model.setWeights([tf.tensor2d(kernel, [1, kernel.length]), tf.tensor1d(bias)]);
  const network = await serializeNetwork(model);
  model.dispose();
  return {
    format: ARTIFACT_FORMAT,
    model: 'ref',
    task,
    labelColumn: 'y',
    preprocessor: { features: [{ name: 'x', type: 'numeric', median: 0, mean: 0, std: 1 }], label, width: 1 },
    network,
    training: { hyperparameters: hp, epochsRun: 0, bestEpoch: 0, backend: 'wasm', tfjsVersion: 'test' },
  };
}
