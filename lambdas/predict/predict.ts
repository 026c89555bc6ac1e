import { RequestValidationError } from '../core/errors.js';
import type { Prediction, Predictor } from '../core/artifact.js';
import { unknownCategories, validateInstances, type InstanceWarning } from '../core/instances.js';
import { MODEL_NAME_PATTERN } from '../core/model-name.js';
import type { ProductionModelCache } from './model-cache.js';

export interface PredictResponse {
  readonly model: string;
  readonly version: number;
  readonly predictions: Prediction[];
  /** Values the model could not use as sent (unknown categories), per instance; absent when there are none. */
  readonly warnings?: InstanceWarning[];
}


/** Validates the request against the served version's features and predicts. */
export async function predict(cache: ProductionModelCache<Predictor>, model: string | undefined, body: unknown): Promise<PredictResponse> {
  if (model === undefined || !MODEL_NAME_PATTERN.test(model)) {
    throw new RequestValidationError(`"${model ?? ''}" is not a model name (lower-case letters, digits and dashes)`);
  }
  const served = await cache.get(model);
  const pre = served.predictor.artifact.preprocessor;
  const instances = validateInstances(pre, body);
  const warnings = unknownCategories(pre, instances);
  return { model, version: served.version, predictions: served.predictor.predictInstances(instances), ...(warnings.length > 0 ? { warnings } : {}) };
}
