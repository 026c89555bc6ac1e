import { RequestValidationError } from '../core/errors.js';
import type { Prediction, Predictor } from '../core/artifact.js';
import { predictionId } from '../core/capture-record.js';
import { unknownCategories, validateInstances, type InstanceWarning } from '../core/instances.js';
import { MODEL_NAME_PATTERN } from '../core/model-name.js';
import type { InputValue } from '../core/preprocess.js';
import { parseBody, predictRequestSchema } from '../shared/api-contracts.js';
import type { ProductionModelCache } from './model-cache.js';

/** A prediction with the id that ground truth sent as feedback refers to. */
export type IdentifiedPrediction = Prediction & { readonly id: string };

export interface PredictResponse {
  readonly model: string;
  readonly version: number;
  /** Which release variant answered: `production`, or `candidate` during a canary. */
  readonly variant: string;
  readonly predictions: IdentifiedPrediction[];
  /** Values the model could not use as sent (unknown categories), per instance; absent when there are none. */
  readonly warnings?: InstanceWarning[];
}

export interface PredictOutcome {
  readonly answer: PredictResponse;
  /** The request's instances as validated (for capture). */
  readonly instances: Record<string, InputValue>[];
}

/** Validates the request against the served version's features and predicts; each prediction gets its id. */
export async function predict(cache: ProductionModelCache<Predictor>, model: string | undefined, body: unknown, requestId: string): Promise<PredictOutcome> {
  if (model === undefined || !MODEL_NAME_PATTERN.test(model)) {
    throw new RequestValidationError(`"${model ?? ''}" is not a model name (lower-case letters, digits and dashes)`);
  }
  const request = parseBody(predictRequestSchema, body);
  const served = request.version === undefined ? await cache.get(model) : await cache.getPinned(model, request.version);
  const pre = served.predictor.artifact.preprocessor;
  const instances = validateInstances(pre, request);
  const warnings = unknownCategories(pre, instances);
  // A large batch runs on TF.js, loaded by the first request that needs it.
  await served.predictor.prepare(instances.length);
  const predictions = served.predictor.predictInstances(instances).map((p, i) => ({ id: predictionId(requestId, i), ...p }));
  return {
    answer: { model, version: served.version, variant: 'production', predictions, ...(warnings.length > 0 ? { warnings } : {}) },
    instances,
  };
}
