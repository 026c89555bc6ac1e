import type { S3Client } from '@aws-sdk/client-s3';
import { renderModelCard } from '../core/report/html.js';
import type { EvaluationReport } from '../core/report/types.js';
import { cardFacts } from './card-facts.js';
import { EVALUATION_FILE, runPrefix } from './layout.js';
import { getObjectBytes } from './objects.js';
import { PreparedData } from './prepared.js';
import type { Registry } from './registry.js';

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
