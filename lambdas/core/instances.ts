import { RequestValidationError } from './errors.js';
import { FLOAT32_MAX, isFloat32Finite } from './column-typing.js';
import { knownCategories, MISSING_CATEGORY, type InputValue, type Preprocessor } from './preprocess.js';

export const MAX_INSTANCES = 1000;

/** Why a value was refused: a number the model cannot compute with says so (JSON.stringify would print it as null). */
function badValueMessage(field: string, type: 'numeric' | 'categorical', value: unknown): string {
  if (typeof value === 'number' && type === 'numeric') {
    const shown = Number.isFinite(value) ? String(value) : 'a number too large to read (Infinity)';
    return `${field} is out of range: ${shown}; the model computes in float32, so numbers must be within ±${FLOAT32_MAX.toPrecision(3)}`;
  }
  const expected = type === 'numeric' ? 'a finite number' : 'a string';
  return `${field} must be ${expected} or null, got ${JSON.stringify(value) ?? 'undefined'}`;
}

/** A value the model has no slot for: scored like any category too rare to learn, and reported to the caller. */
export interface InstanceWarning {
  readonly instance: number;
  readonly feature: string;
  readonly value: string;
  readonly message: string;
}

/** Categories of validated instances the model never learned (unseen in training, or too rare to keep). */
export function unknownCategories(
  pre: Preprocessor,
  instances: readonly Readonly<Record<string, InputValue>>[],
): InstanceWarning[] {
  const warnings: InstanceWarning[] = [];
  for (const feature of pre.features) {
    if (feature.type !== 'categorical') continue;
    // Looked up once per feature: this runs over every value of a request (up to 1,000 instances).
    const known = knownCategories(feature);
    const name = feature.name;
    for (let i = 0; i < instances.length; i++) {
      const value = (instances[i] as Readonly<Record<string, InputValue>>)[name];
      if (value === null || value === undefined) continue;
      const text = String(value);
      if (!known.has(text) && text !== MISSING_CATEGORY) {
        warnings.push({
          instance: i,
          feature: name,
          value: text,
          message: 'not a category the model learned; scored as an unknown value',
        });
      }
    }
  }
  return warnings.sort((a, b) => a.instance - b.instance);
}

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
          throw new RequestValidationError(
            `instances[${i}].${feature.name} is missing (send null for an unknown value)`,
          );
        }
      } else if (
        feature.type === 'numeric' ? typeof value === 'number' && isFloat32Finite(value) : typeof value === 'string'
      ) {
        continue;
      }
      throw new RequestValidationError(badValueMessage(`instances[${i}].${feature.name}`, feature.type, value));
    }
  });
  return instances as Record<string, InputValue>[];
}
