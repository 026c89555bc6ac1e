import type { S3Client } from '@aws-sdk/client-s3';
import { NotFoundError } from '../../core/errors.js';
import type { ModelConfig } from '../../core/model-config.js';
import { renderModelCard } from '../../core/report/html.js';
import { cardFacts } from '../adapters/card-facts.js';
import type { StepDeps } from '../adapters/step-deps.js';
import { EVALUATION_FILE, runPrefix } from '../contracts/layout.js';
import { getObjectBytes } from '../adapters/objects.js';
import { PreparedData } from '../adapters/prepared.js';
import type { Registry } from '../adapters/registry.js';
import { readEvaluation } from '../adapters/stored-documents.js';

/**
 * Renders a run's model card from what its validate step stored (evaluation.json) and the registry's facts, with the
 * gate thresholds of the model file as the run saw it: passed on by the pipeline, else read from the run's copy.
 * The Report step stores it; `mlops report` renders it again when a run has no stored card.
 */
export async function renderRunCard(
  s3: S3Client,
  registry: Registry,
  artifactsBucket: string,
  model: string,
  runId: string,
  config?: ModelConfig,
): Promise<string> {
  const prefix = runPrefix(model, runId);
  const [runConfig, evaluation, facts] = await Promise.all([
    config ?? new PreparedData(s3, { bucket: artifactsBucket, prefix }).config(),
    readEvaluation(s3, { bucket: artifactsBucket, key: `${prefix}${EVALUATION_FILE}` }),
    cardFacts(registry, s3, artifactsBucket, model, runId),
  ]);
  return renderModelCard(evaluation, facts, {
    maxFeatureShare: runConfig.gate.maxFeatureShare,
    maxSingleFeatureScore: runConfig.gate.maxSingleFeatureScore,
  });
}

/**
 * The model card of a version (default: production, else the latest): the stored card when the pipeline made one,
 * else rendered now from the stored evaluation with the same code.
 */
export async function versionCard(
  deps: StepDeps,
  model: string,
  requested?: number,
): Promise<{ readonly version: number; readonly html: string }> {
  const { registry, s3 } = deps;
  const version = requested ?? (await registry.aliases.get(model))?.version ?? (await registry.versions.latest(model));
  if (version === 0)
    throw new NotFoundError(`model "${model}" has no versions yet: upload data under incoming/${model}/ first`);
  const record = await registry.versions.get(model, version);
  if (record === undefined)
    throw new NotFoundError(
      `model "${model}" has no version ${version} (latest is ${await registry.versions.latest(model)})`,
    );
  const run = await registry.runs.get(model, record.runId);
  const html =
    run?.report !== undefined
      ? (await getObjectBytes(s3, run.report)).toString('utf8')
      : await renderRunCard(s3, registry, deps.artifactsBucket, model, record.runId);
  return { version, html };
}
