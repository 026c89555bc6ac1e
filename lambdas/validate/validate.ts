import { Predictor } from '../core/artifact.js';
import type { Frame } from '../core/dataset.js';
import { compareProfiles, type DriftReport } from '../core/drift/compare.js';
import type { DatasetProfile } from '../core/drift/profile.js';
import { evaluate, evaluateFull, scoreSplit, type ScoredSplit } from '../core/evaluation.js';
import { attributeFairness, type AttributeFairness } from '../core/fairness.js';
import { evaluateGate } from '../core/gate.js';
import { permutationImportance } from '../core/importance.js';
import type { Metrics } from '../core/metrics.js';
import type { ModelConfig } from '../core/model-config.js';
import { missingFeatures } from '../core/preprocess.js';
import { fetchArtifact } from '../shared/artifacts.js';
import type { StepDeps } from '../shared/deps.js';
import { getObjectBytes, putObject } from '../shared/objects.js';
import type { EtlResult, RunRef, TrainResult, ValidationResult } from '../shared/pipeline-state.js';
import { PreparedData } from '../shared/prepared.js';
import { EVALUATION_FILE } from '../report/report.js';
import type { EvaluationReport } from '../core/report/types.js';
import type { StoredMetrics } from '../shared/registry.js';
import { PRODUCTION_ALIAS } from '../shared/registry-keys.js';


/** DynamoDB cannot store NaN (e.g. ROC AUC of a single-class test split): such metrics are recorded as null. */
export function storableMetrics(metrics: Metrics): StoredMetrics {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
}

async function readJson<T>(deps: StepDeps, location: { bucket: string; key: string }): Promise<T> {
  return JSON.parse((await getObjectBytes(deps.s3, location)).toString('utf8')) as T;
}

function fairnessOf(scored: ScoredSplit, test: Frame, config: ModelConfig): AttributeFairness[] {
  if (config.task !== 'binary') return [];
  const truth = Float32Array.from(scored.truth);
  const predicted = Float32Array.from(scored.rows, (_, i) => ((scored.scores[i * 2 + 1] as number) >= 0.5 ? 1 : 0));
  return test.sensitive.map((attribute) =>
    attributeFairness({ ...attribute, values: scored.rows.map((r) => attribute.values[r] ?? null) }, truth, predicted, config.minGroupSize),
  );
}

/**
 * Scores the candidate on the held-out test split; re-scores the production model on the same split for a fair
 * comparison; measures fairness by sensitive group and each feature's influence; applies the gate; registers the
 * candidate as a new version (rejected ones too: the registry keeps every trained model and why it was not served).
 */
export async function runValidation(
  deps: StepDeps & { codeVersion: string },
  run: RunRef,
  etl: EtlResult,
  train: TrainResult,
): Promise<ValidationResult> {
  const existing = await deps.registry.getRun(run.model, run.runId);
  if (existing?.version !== undefined && existing.metrics !== undefined && existing.gate !== undefined) {
    // A retry of this step after the version was registered: answer with what was recorded.
    const version = await deps.registry.getVersion(run.model, existing.version);
    return { version: existing.version, metrics: existing.metrics, gate: existing.gate, comparedWith: version?.comparedWith ?? null };
  }
  await deps.registry.updateRun(run.model, run.runId, { step: 'Validate' });
  const prepared = new PreparedData(deps.s3, etl);
  const [config, test, validation, artifact, production] = await Promise.all([
    prepared.config(),
    prepared.split('test'),
    prepared.split('validation'),
    fetchArtifact(deps.s3, train.artifact),
    deps.registry.getAlias(run.model, PRODUCTION_ALIAS),
  ]);
  const candidate = await Predictor.load(artifact);
  const sliceColumns = [...test.sensitive, ...test.features.filter((c) => config.slices.includes(c.name))];
  const scored = scoreSplit(candidate, test);
  const evaluation = evaluateFull(scored, test, sliceColumns, config.minGroupSize);
  const fairness = fairnessOf(scored, test, config);
  const importance = permutationImportance(candidate, validation, config.hyperparameters.seed);
  candidate.dispose();

  let champion: EvaluationReport['production'] = null;
  let drift: DriftReport | null = null;
  if (production !== undefined) {
    // Skew between what production was trained on and what the candidate was trained on.
    const productionVersion = await deps.registry.getVersion(run.model, production.version);
    if (productionVersion !== undefined) {
      const [reference, current] = await Promise.all([readJson<DatasetProfile>(deps, productionVersion.profile), readJson<DatasetProfile>(deps, etl.profile)]);
      drift = compareProfiles(reference, current, config.drift.thresholds, config.drift.features);
    }
    const productionModel = await Predictor.load(await fetchArtifact(deps.s3, production.artifact));
    champion = {
      version: production.version,
      metrics: storableMetrics(evaluate(productionModel, test).metrics),
      importance: permutationImportance(productionModel, validation, config.hyperparameters.seed),
      missingFeatures: missingFeatures(productionModel.artifact.preprocessor, test),
    };
    productionModel.dispose();
  }

  const metrics = storableMetrics(evaluation.metrics);
  const gate = evaluateGate({
    metrics,
    gate: config.gate,
    production: champion === null ? undefined : { version: champion.version, metrics: champion.metrics },
    fairness,
    importance,
  });
  const report: EvaluationReport = { model: run.model, runId: run.runId, candidate: evaluation, fairness, importance, production: champion, drift, gate };
  const reportLocation = { bucket: deps.artifactsBucket, key: `${etl.prefix}${EVALUATION_FILE}` };
  await putObject(deps.s3, reportLocation, JSON.stringify(report), 'application/json');

  const version = await deps.registry.registerVersion({
    model: run.model,
    runId: run.runId,
    status: gate.passed ? (config.requireApproval ? 'pending' : 'approved') : 'rejected',
    artifact: train.artifact,
    weightsSha256: train.weightsSha256,
    data: etl.data,
    modelConfigSha256: etl.modelConfigSha256,
    hyperparameters: config.hyperparameters,
    metrics,
    gate,
    comparedWith: champion?.version ?? null,
    evaluation: reportLocation,
    profile: etl.profile,
    rows: etl.rows,
    schemaVersion: etl.schemaVersion,
    backend: train.backend,
    tfjsVersion: train.tfjsVersion,
    codeVersion: deps.codeVersion,
    createdAt: new Date().toISOString(),
  });
  await deps.registry.updateRun(run.model, run.runId, { version: version.version, metrics, gate, ...(drift ? { driftedFeatures: drift.driftedFeatures } : {}) });
  return { version: version.version, metrics, gate: { passed: gate.passed, summary: gate.summary }, comparedWith: champion?.version ?? null };
}
