import { createDocumentClient, createS3Client } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { logger } from '../shared/logger.js';
import { registerInputSchema, type RunRef } from '../shared/pipeline-state.js';
import { Registry } from '../shared/registry.js';
import { registerRun } from './register-run.js';

const env = readEnv(['REGISTRY_TABLE']);
const s3 = createS3Client();
const registry = new Registry(createDocumentClient(), env.REGISTRY_TABLE);

export async function handler(event: unknown): Promise<RunRef> {
  const { event: objectCreated, executionId } = registerInputSchema.parse(event);
  const run = await registerRun({ s3, registry }, objectCreated, executionId);
  logger.info(run.duplicate ? 'duplicate event: run already exists' : 'run registered', { ...run });
  return run;
}
