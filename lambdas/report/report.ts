import type { S3Client } from '@aws-sdk/client-s3';
import { renderModelCard } from '../core/report/html.js';
import type { EvaluationReport } from '../core/report/types.js';
import { cardFacts } from '../shared/card-facts.js';
import type { StepDeps } from '../shared/deps.js';
import { EVALUATION_FILE, REPORT_FILE, runPrefix } from '../shared/layout.js';
import { getObjectBytes, putObject, type ObjectLocation } from '../shared/objects.js';
import type { EtlResult, RunRef } from '../shared/pipeline-state.js';
import { PreparedData } from '../shared/prepared.js';
import type { Registry } from '../shared/registry.js';

export { EVALUATION_FILE, REPORT_FILE } from '../shared/layout.js';

/**
 * Renders a run's model card from what its validate step stored (evaluation.json, the model file as the run saw it)
 * and the registry's facts. The Report step stores it; the CLI renders it again when a run has no stored card.
 */
export async function renderRunCard(s3: S3Client, registry: Registry, artifactsBucket: string, model: string, runId: string): Promise<string> {
  const prefix = runPrefix(model, runId);
  const [config, evaluationBytes, facts] = await Promise.all([
    new PreparedData(s3, { bucket: artifactsBucket, prefix }).config(),
    getObjectBytes(s3, { bucket: artifactsBucket, key: `${prefix}${EVALUATION_FILE}` }),
    cardFacts(registry, s3, artifactsBucket, model, runId),
  ]);
  // Runs validated before the search existed have no trials, baseline or single-feature scores: shown as absent.
  const stored = JSON.parse(evaluationBytes.toString('utf8')) as Partial<EvaluationReport> & Omit<EvaluationReport, 'tuning' | 'baseline' | 'singleFeatureScores'>;
  const evaluation: EvaluationReport = { tuning: [], baseline: null, singleFeatureScores: [], ...stored };
  return renderModelCard(evaluation, facts, { maxFeatureShare: config.gate.maxFeatureShare, maxSingleFeatureScore: config.gate.maxSingleFeatureScore });
}

/** Writes the run's model card next to its data and records where it is. */
export async function runReport(deps: StepDeps, run: RunRef, etl: Pick<EtlResult, 'prefix'>): Promise<{ report: ObjectLocation }> {
  const html = await renderRunCard(deps.s3, deps.registry, deps.artifactsBucket, run.model, run.runId);
  const report = { bucket: deps.artifactsBucket, key: `${etl.prefix}${REPORT_FILE}` };
  await putObject(deps.s3, report, html, 'text/html; charset=utf-8');
  // The run has its outcome by now (the card is written after the decision): annotate, do not update its state.
  await deps.registry.annotateRun(run.model, run.runId, { report });
  return { report };
}
