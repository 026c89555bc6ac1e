import type { Context } from 'aws-lambda';
import { stepDepsFromEnv } from '../shared/deps.js';
import { logger } from '../shared/logger.js';
import { trainInputSchema, type TrainResult } from '../shared/pipeline-state.js';
import { runTraining } from './train.js';

const deps = stepDepsFromEnv();

export async function handler(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<TrainResult> {
  const { run, etl, trial } = trainInputSchema.parse(event);
  const result = await runTraining(deps, run, etl, trial, context.getRemainingTimeInMillis());
  logger.info('trial trained', { runId: run.runId, trial: trial.id, validationLoss: result.validationLoss, epochsRun: result.epochsRun, stoppedBy: result.stoppedBy });
  return result;
}
