import { NotFoundError } from '../core/errors.js';
import { requestModelName } from '../core/model-name.js';
import type * as z from 'zod';
import type { modelResponseSchema } from '../shared/contracts/api-contracts.js';
import type { Registry } from '../shared/adapters/registry.js';
import type { VersionRecord } from '../shared/contracts/registry-records.js';
import { isActive, type ReleaseStore } from '../shared/adapters/release-store.js';
import { CANDIDATE_ALIAS, PRODUCTION_ALIAS } from '../shared/contracts/registry-keys.js';

export type ModelDescription = Omit<z.infer<typeof modelResponseSchema>, 'serving'>;

const metricsOf = (record: VersionRecord | undefined) =>
  record?.metrics !== undefined ? { metrics: record.metrics } : {};

/**
 * `GET /v1/models/{model}`: the version in production and the candidate, each with its test metrics, and the share
 * of traffic the candidate answers (0 outside a release).
 */
export async function describeModel(
  registry: Registry,
  releases: ReleaseStore,
  name: string | undefined,
): Promise<ModelDescription> {
  const model = requestModelName(name);
  const [production, candidateAlias, release] = await Promise.all([
    registry.aliases.get(model, PRODUCTION_ALIAS),
    registry.aliases.get(model, CANDIDATE_ALIAS),
    releases.get(model),
  ]);
  // During a release its candidate is the one that answers a share; otherwise the newest version that passed its gate.
  const active = isActive(release) ? release : undefined;
  const candidate = active ? { version: active.candidateVersion, updatedAt: active.updatedAt } : candidateAlias;
  if (production === undefined && candidate === undefined) {
    throw new NotFoundError(
      `model "${model}" has no version yet: upload training data to incoming/${model}/ and wait for a run to pass its gate`,
    );
  }
  const [productionVersion, candidateVersion] = await Promise.all([
    production ? registry.versions.get(model, production.version) : undefined,
    candidate ? registry.versions.get(model, candidate.version) : undefined,
  ]);
  return {
    model,
    production: production
      ? { version: production.version, since: production.updatedAt, ...metricsOf(productionVersion) }
      : null,
    candidate: candidate
      ? {
          version: candidate.version,
          since: candidate.updatedAt,
          ...metricsOf(candidateVersion),
          share: active?.state === 'running' ? active.share : 0,
          mode: active?.mode ?? 'none',
        }
      : null,
  };
}
