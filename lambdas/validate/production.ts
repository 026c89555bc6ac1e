import { Predictor } from '../core/artifact.js';
import type { Frame } from '../core/dataset.js';
import { compareProfiles, type DriftReport } from '../core/drift/compare.js';
import { evaluate } from '../core/evaluation.js';
import { storableMetrics } from '../core/metrics.js';
import { permutationImportance } from '../core/importance.js';
import type { ModelConfig } from '../core/model-config.js';
import { missingFeatures } from '../core/preprocess.js';
import type { EvaluationReport } from '../core/report/types.js';
import { fetchArtifact } from '../shared/adapters/artifacts.js';
import type { StepDeps } from '../shared/adapters/step-deps.js';
import { readProfile } from '../shared/adapters/stored-documents.js';
import type { EtlResult } from '../shared/contracts/pipeline-state.js';
import type { AliasRecord } from '../shared/contracts/registry-records.js';

/**
 * The production model re-scored on the candidate's test split (a fair comparison), its feature influence on the
 * rows the candidate's was measured on (for the dominance-growth check), and the drift between the two training sets.
 */
export async function compareWithProduction(
  deps: StepDeps,
  model: string,
  production: AliasRecord,
  etl: EtlResult,
  test: Frame,
  influenceRows: Frame,
  seed: number,
  config: ModelConfig,
): Promise<{ champion: NonNullable<EvaluationReport['production']>; drift: DriftReport | null }> {
  let drift: DriftReport | null = null;
  const productionVersion = await deps.registry.versions.get(model, production.version);
  if (productionVersion !== undefined) {
    const [reference, current] = await Promise.all([
      readProfile(deps.s3, productionVersion.profile),
      readProfile(deps.s3, etl.profile),
    ]);
    drift = compareProfiles(reference, current, config.drift.thresholds, config.drift.features);
  }
  const productionModel = await Predictor.load(await fetchArtifact(deps.s3, production.artifact));
  try {
    const champion = {
      version: production.version,
      metrics: storableMetrics(evaluate(productionModel, test).metrics),
      importance: permutationImportance(productionModel, influenceRows, seed),
      missingFeatures: missingFeatures(productionModel.artifact.preprocessor, test),
    };
    return { champion, drift };
  } finally {
    productionModel.dispose();
  }
}
