import type { S3Client } from '@aws-sdk/client-s3';
import { renderModelCard } from '../core/report/html.js';
import { cardFacts } from './card-facts.js';
import { EVALUATION_FILE, runPrefix } from './layout.js';
import { PreparedData } from './prepared.js';
import type { Registry } from './registry.js';
import { readEvaluation } from './stored-documents.js';

/**
 * Renders a run's model card from what its validate step stored (evaluation.json, the model file as the run saw it)
 * and the registry's facts. The Report step stores it; the CLI renders it again when a run has no stored card.
 */
export async function renderRunCard(s3: S3Client, registry: Registry, artifactsBucket: string, model: string, runId: string): Promise<string> {
  const prefix = runPrefix(model, runId);
  const [config, evaluation, facts] = await Promise.all([
    new PreparedData(s3, { bucket: artifactsBucket, prefix }).config(),
    readEvaluation(s3, { bucket: artifactsBucket, key: `${prefix}${EVALUATION_FILE}` }),
    cardFacts(registry, s3, artifactsBucket, model, runId),
  ]);
  return renderModelCard(evaluation, facts, { maxFeatureShare: config.gate.maxFeatureShare, maxSingleFeatureScore: config.gate.maxSingleFeatureScore });
}
