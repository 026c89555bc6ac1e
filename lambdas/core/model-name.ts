import { RequestValidationError } from './errors.js';

/**
 * Model names: also S3 key segments and registry key parts, so kept to a safe alphabet. In a module of its own so
 * the predict bundle can check names without pulling in the model-file schema (and zod).
 */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The rule in words, for the messages that refuse a name. */
export const MODEL_NAME_RULE = '1 to 63 lower-case letters, digits and dashes, starting with a letter or digit';

/** The model name from a request path, or a 400-class error that names the rule it breaks. */
export function requestModelName(model: string | undefined): string {
  if (model === undefined || !MODEL_NAME_PATTERN.test(model)) {
    throw new RequestValidationError(
      `${JSON.stringify(model ?? '')} is not a model name (${MODEL_NAME_RULE}); use the name of the model's file, models/<name>.json`,
    );
  }
  return model;
}
