import type { S3Client } from '@aws-sdk/client-s3';
import { Predictor } from '../core/artifact.js';
import { fetchArtifact } from '../shared/adapters/artifacts.js';
import { logger } from '../shared/runtime/logger.js';
import { PREDICT_METRICS } from '../shared/contracts/metric-names.js';
import { countForModel } from '../shared/runtime/metrics.js';
import type { Registry } from '../shared/adapters/registry.js';
import type { ReleaseStore } from '../shared/adapters/release-store.js';
import { ProductionModelCache } from './model-cache.js';

/**
 * The container's cache of served versions, over the registry and the artifacts bucket, with what it reports: a
 * failed refresh (logged; counted as ModelRefreshFailures — the loaded version keeps answering), each pointer read
 * (ServedVersionMismatch, 0 or 1) and a release candidate that cannot load (CandidateLoadFailures).
 */
export function servingCache(
  registry: Registry,
  releases: ReleaseStore,
  s3: S3Client,
  refreshMs: number,
): ProductionModelCache<Predictor> {
  return new ProductionModelCache<Predictor>(
    {
      getAlias: (model, alias) => registry.aliases.get(model, alias),
      getVersion: (model, version) => registry.versions.get(model, version),
      getRelease: (model) => releases.get(model),
      // Serving loads TF.js only for a batch that needs it: small requests run on the compiled forward pass.
      load: async (artifact) => Predictor.load(await fetchArtifact(s3, artifact), { lazyTfjs: true }),
    },
    {
      refreshMs,
      // The loaded version keeps answering; the failure is logged and counted (ModelRefreshFailures per model).
      onRefreshFailure: ({ model, servedVersion, targetVersion, reason, failures, retryInMs, error }) => {
        const fields = { model, servedVersion, targetVersion, reason, failures, retryInMs, error: error as Error };
        if (servedVersion === null)
          logger.error('could not load the production model; the model is unavailable', fields);
        else logger.warn('could not refresh the production model; serving the loaded version', fields);
        countForModel(PREDICT_METRICS.refreshFailures, model);
      },
      onPointerRead: ({ model, served, production }) =>
        countForModel(PREDICT_METRICS.servedVersionMismatch, model, served === production ? 0 : 1),
      onCandidateFailure: ({ model, version, error }) => {
        logger.error('could not load the release candidate; production answers everything', {
          model,
          candidateVersion: version,
          error: error as Error,
        });
        countForModel(PREDICT_METRICS.candidateLoadFailures, model);
      },
    },
  );
}
