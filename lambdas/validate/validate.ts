import { Predictor } from '../core/artifact.js';
import { evaluate } from '../core/evaluation.js';
import { evaluateGate } from '../core/gate.js';
import type { Metrics } from '../core/metrics.js';
import { fetchArtifact } from '../shared/artifacts.js';
import type { StepDeps } from '../shared/deps.js';
import type { EtlResult, RunRef, TrainResult, ValidationResult } from '../shared/pipeline-state.js';
import { PreparedData } from '../shared/prepared.js';
import type { StoredMetrics } from '../shared/registry.js';

/** DynamoDB cannot store NaN (e.g. ROC AUC of a single-class test split): such metrics are recorded as null. */
export function storableMetrics(metrics: Metrics): StoredMetrics {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
}

/**
 * Scores the candidate on the held-out test split, applies the gate, and registers the candidate as a new version
 * (rejected candidates get a version too: the registry keeps every trained model and why it was not served).
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
    return { version: existing.version, metrics: existing.metrics, gate: existing.gate };
  }
  await deps.registry.updateRun(run.model, run.runId, { step: 'Validate' });
  const prepared = new PreparedData(deps.s3, etl);
  const [config, test, artifact] = await Promise.all([
    prepared.config(),
    prepared.split('test'),
    fetchArtifact(deps.s3, train.artifact),
  ]);
  const predictor = await Predictor.load(artifact);
  const evaluation = evaluate(predictor, test);
  predictor.dispose();
  const gate = evaluateGate(evaluation.metrics, config.gate);
  const metrics = storableMetrics(evaluation.metrics);
  const version = await deps.registry.registerVersion({
    model: run.model,
    runId: run.runId,
    status: gate.passed ? 'CANDIDATE' : 'REJECTED',
    artifact: train.artifact,
    weightsSha256: train.weightsSha256,
    data: etl.data,
    modelConfigSha256: etl.modelConfigSha256,
    hyperparameters: config.hyperparameters,
    metrics,
    gate,
    backend: train.backend,
    tfjsVersion: train.tfjsVersion,
    codeVersion: deps.codeVersion,
    createdAt: new Date().toISOString(),
  });
  await deps.registry.updateRun(run.model, run.runId, { version: version.version, metrics, gate });
  return { version: version.version, metrics, gate: { passed: gate.passed, summary: gate.summary } };
}
