import { createDocumentClient } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { logger } from '../shared/logger.js';
import { finishInputSchema } from '../shared/pipeline-state.js';
import { Registry } from '../shared/registry.js';
import { finishRun, type FinishResult } from './finish-run.js';

const env = readEnv(['REGISTRY_TABLE']);
const registry = new Registry(createDocumentClient(), env.REGISTRY_TABLE);

export async function handler(event: unknown): Promise<FinishResult> {
  const input = finishInputSchema.parse(event);
  const result = await finishRun(registry, input);
  logger.info(`run ${result.status.toLowerCase()}`, { ...result });
  return result;
}
