import { createDocumentClient, createS3Client } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { logger } from '../shared/logger.js';
import { validateInputSchema, type ValidationResult } from '../shared/pipeline-state.js';
import { Registry } from '../shared/registry.js';
import { runValidation } from './validate.js';

const env = readEnv(['REGISTRY_TABLE', 'ARTIFACTS_BUCKET', 'CODE_VERSION']);
const deps = {
  s3: createS3Client(),
  registry: new Registry(createDocumentClient(), env.REGISTRY_TABLE),
  artifactsBucket: env.ARTIFACTS_BUCKET,
  codeVersion: env.CODE_VERSION,
};

export async function handler(event: unknown): Promise<ValidationResult> {
  const { run, etl, train } = validateInputSchema.parse(event);
  const result = await runValidation(deps, run, etl, train);
  logger.info('candidate validated', { runId: run.runId, ...result });
  return result;
}
