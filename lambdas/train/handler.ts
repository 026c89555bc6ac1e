import { stepDepsFromEnv } from '../shared/deps.js';
import { logger } from '../shared/logger.js';
import { trainInputSchema, type TrainResult } from '../shared/pipeline-state.js';
import { runTraining } from './train.js';

const deps = stepDepsFromEnv();

export async function handler(event: unknown): Promise<TrainResult> {
  const { run, etl } = trainInputSchema.parse(event);
  const result = await runTraining(deps, run, etl);
  logger.info('model trained', { runId: run.runId, ...result });
  return result;
}
