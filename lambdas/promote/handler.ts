import { createDocumentClient } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { logger } from '../shared/logger.js';
import { promoteInputSchema } from '../shared/pipeline-state.js';
import { Registry } from '../shared/registry.js';
import { promoteRun, type PromotionResult } from './promote.js';

const env = readEnv(['REGISTRY_TABLE']);
const registry = new Registry(createDocumentClient(), env.REGISTRY_TABLE);

export async function handler(event: unknown): Promise<PromotionResult> {
  const { run, validation } = promoteInputSchema.parse(event);
  const result = await promoteRun(registry, run, validation);
  logger.info('version promoted to production', { runId: run.runId, ...result });
  return result;
}
