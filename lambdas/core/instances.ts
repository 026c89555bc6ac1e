import { RequestValidationError } from './errors.js';
import type { InputValue, Preprocessor } from './preprocess.js';

export const MAX_INSTANCES = 1000;

/**
 * Checks request instances against the features the model was trained on. Every feature must be present; numeric
 * features take a finite number or null (null means missing and is imputed like a missing value in training);
 * categorical features take a string or null. Other keys are ignored.
 * @throws RequestValidationError naming the first offending field, e.g. `instances[3].age`.
 */
export function validateInstances(pre: Preprocessor, body: unknown): Record<string, InputValue>[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestValidationError('the body must be a JSON object like {"instances": [{...}]}');
  }
  const instances = (body as { instances?: unknown }).instances;
  if (!Array.isArray(instances)) {
    throw new RequestValidationError('"instances" is required and must be an array of objects');
  }
  if (instances.length === 0 || instances.length > MAX_INSTANCES) {
    throw new RequestValidationError(
      `"instances" has ${instances.length} items; send between 1 and ${MAX_INSTANCES} per request`,
    );
  }
  instances.forEach((instance: unknown, i) => {
    if (typeof instance !== 'object' || instance === null || Array.isArray(instance)) {
      throw new RequestValidationError(`instances[${i}] must be an object of feature values`);
    }
    const record = instance as Record<string, unknown>;
    // Hot path of every request: messages are only built when a check fails.
    for (const feature of pre.features) {
      const value = record[feature.name];
      if (value === null) continue;
      if (value === undefined) {
        if (!(feature.name in record)) {
          throw new RequestValidationError(`instances[${i}].${feature.name} is missing (send null for an unknown value)`);
        }
      } else if (feature.type === 'numeric' ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string') {
        continue;
      }
      const expected = feature.type === 'numeric' ? 'a finite number' : 'a string';
      throw new RequestValidationError(`instances[${i}].${feature.name} must be ${expected} or null, got ${JSON.stringify(value) ?? 'undefined'}`);
    }
  });
  return instances as Record<string, InputValue>[];
}
