/**
 * Model names: also S3 key segments and registry key parts, so kept to a safe alphabet. In a module of its own so
 * the predict bundle can check names without pulling in the model-file schema (and zod).
 */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
