import { stepDepsFromEnv } from '../shared/deps.js';
import { logger } from '../shared/logger.js';
import { etlInputSchema, type EtlResult } from '../shared/pipeline-state.js';
import { runEtl } from './etl.js';

const deps = stepDepsFromEnv();

export async function handler(event: unknown): Promise<EtlResult> {
  const { run } = etlInputSchema.parse(event);
  const result = await runEtl(deps, run);
  logger.info('data prepared', { runId: run.runId, rows: result.rows });
  return result;
}
