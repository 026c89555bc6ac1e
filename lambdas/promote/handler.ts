import { createDocumentClient } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { logger } from '../shared/logger.js';
import { promoteInputSchema } from '../shared/pipeline-state.js';
import { Registry } from '../shared/registry.js';
import { promoteRun, type PromotionResult } from './promote.js';

const env = readEnv(['REGISTRY_TABLE', 'AWS_LAMBDA_FUNCTION_NAME']);
const registry = new Registry(createDocumentClient(), env.REGISTRY_TABLE);
/** Audit actor of automatic promotions: the pipeline's promote function. */
const actor = `pipeline (${env.AWS_LAMBDA_FUNCTION_NAME})`;

export async function handler(event: unknown): Promise<PromotionResult> {
  const { run, validation } = promoteInputSchema.parse(event);
  const result = await promoteRun(registry, run, validation, actor);
  logger.info('version promoted to production', { runId: run.runId, ...result });
  return result;
}
