import { createDocumentClient, createS3Client } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { logger } from '../shared/logger.js';
import { etlInputSchema, type EtlResult } from '../shared/pipeline-state.js';
import { Registry } from '../shared/registry.js';
import { runEtl } from './etl.js';

const env = readEnv(['REGISTRY_TABLE', 'ARTIFACTS_BUCKET']);
const deps = {
  s3: createS3Client(),
  registry: new Registry(createDocumentClient(), env.REGISTRY_TABLE),
  artifactsBucket: env.ARTIFACTS_BUCKET,
};

export async function handler(event: unknown): Promise<EtlResult> {
  const { run } = etlInputSchema.parse(event);
  const result = await runEtl(deps, run);
  logger.info('data prepared', { runId: run.runId, rows: result.rows });
  return result;
}
