import type { Frame } from '../../lambdas/core/dataset.js';
import { resolveHyperparameters } from '../../lambdas/core/hyperparameters.js';
import type { ModelConfig } from '../../lambdas/core/model-config.js';
import type { Preprocessor } from '../../lambdas/core/preprocess.js';
import { trainModel, type TrainedModel } from '../../lambdas/core/training.js';

/** Trains as the pipeline's default candidate would: the model file's hyper-parameters, the rest fitted to the data. */
export function trainDefault(
  config: ModelConfig,
  pre: Preprocessor,
  train: Frame,
  validation: Frame,
): Promise<TrainedModel> {
  const hp = resolveHyperparameters(config.hyperparameters, { trainingRows: train.origins.length, task: config.task });
  return trainModel(config, pre, train, validation, hp);
}
