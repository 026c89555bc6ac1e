import { NotFoundError, RequestValidationError } from '../core/errors.js';
import { MODEL_NAME_PATTERN } from '../core/model-name.js';
import type { z } from 'zod';
import type { modelResponseSchema } from '../shared/api-contracts.js';
import type { Registry, VersionRecord } from '../shared/registry.js';
import { CANDIDATE_ALIAS, PRODUCTION_ALIAS } from '../shared/registry-keys.js';

export type ModelDescription = z.infer<typeof modelResponseSchema>;

const metricsOf = (record: VersionRecord | undefined) => (record?.metrics !== undefined ? { metrics: record.metrics } : {});

/**
 * `GET /v1/models/{model}`: the version in production and the candidate, each with its test metrics, and the share
 * of traffic the candidate answers (0 outside a release).
 */
export async function describeModel(registry: Registry, model: string | undefined): Promise<ModelDescription> {
  if (model === undefined || !MODEL_NAME_PATTERN.test(model)) throw new RequestValidationError(`"${model ?? ''}" is not a model name (lower-case letters, digits and dashes)`);
  const [production, candidate] = await Promise.all([registry.getAlias(model, PRODUCTION_ALIAS), registry.getAlias(model, CANDIDATE_ALIAS)]);
  if (production === undefined && candidate === undefined) {
    throw new NotFoundError(`model "${model}" has no version yet: upload training data to incoming/${model}/ and wait for a run to pass its gate`);
  }
  const [productionVersion, candidateVersion] = await Promise.all([
    production ? registry.getVersion(model, production.version) : undefined,
    candidate ? registry.getVersion(model, candidate.version) : undefined,
  ]);
  return {
    model,
    production: production ? { version: production.version, since: production.updatedAt, ...metricsOf(productionVersion) } : null,
    candidate: candidate ? { version: candidate.version, since: candidate.updatedAt, ...metricsOf(candidateVersion), share: 0, mode: 'none' } : null,
  };
}
