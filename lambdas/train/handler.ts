import { createDocumentClient, createS3Client } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { logger } from '../shared/logger.js';
import { trainInputSchema, type TrainResult } from '../shared/pipeline-state.js';
import { Registry } from '../shared/registry.js';
import { runTraining } from './train.js';

const env = readEnv(['REGISTRY_TABLE', 'ARTIFACTS_BUCKET']);
const deps = {
  s3: createS3Client(),
  registry: new Registry(createDocumentClient(), env.REGISTRY_TABLE),
  artifactsBucket: env.ARTIFACTS_BUCKET,
};

export async function handler(event: unknown): Promise<TrainResult> {
  const { run, etl } = trainInputSchema.parse(event);
  const result = await runTraining(deps, run, etl);
  logger.info('model trained', { runId: run.runId, ...result });
  return result;
}
