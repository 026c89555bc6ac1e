import { stepDepsFromEnv } from '../shared/deps.js';
import { readEnv } from '../shared/env.js';
import { logger } from '../shared/logger.js';
import { validateInputSchema, type ValidationResult } from '../shared/pipeline-state.js';
import { runValidation } from './validate.js';

const deps = { ...stepDepsFromEnv(), codeVersion: readEnv(['CODE_VERSION']).CODE_VERSION };

export async function handler(event: unknown): Promise<ValidationResult> {
  const { run, etl, tuning } = validateInputSchema.parse(event);
  const result = await runValidation(deps, run, etl, tuning);
  logger.info('candidate validated', { runId: run.runId, ...result });
  return result;
}
