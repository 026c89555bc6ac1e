import * as z from 'zod';
import { stepDepsFromEnv } from '../shared/runtime/clients.js';
import {
  refitInputSchema,
  trainInputSchema,
  type RefitResult,
  type TrainResult,
} from '../shared/contracts/pipeline-state.js';
import { stepHandler, type StepOutcome } from '../shared/runtime/step-handler.js';
import { runRefit } from './refit.js';
import { runTraining } from './train.js';

const deps = stepDepsFromEnv();

/** The Train function trains the Tune stage's items (a trial, or a trial with one fold held out) and the Refit step. */
const input = z.union([trainInputSchema, refitInputSchema]);

function outcome(result: TrainResult | RefitResult): StepOutcome {
  if ('chosen' in result) {
    const { chosen } = result;
    return {
      message: 'cross-validated trial refit',
      fields: { chosen: chosen.id, epochsRun: chosen.epochsRun, trials: result.trials.length },
      counts: { EpochsRun: chosen.epochsRun },
      seconds: { TrainingSeconds: chosen.seconds },
    };
  }
  return {
    message: 'trial trained',
    fields: {
      trial: result.id,
      fold: result.fold,
      role: result.role,
      validationLoss: result.validationLoss,
      epochsRun: result.epochsRun,
      stoppedBy: result.stoppedBy,
    },
    counts: { EpochsRun: result.epochsRun },
    seconds: { TrainingSeconds: result.seconds },
  };
}

export const handler = stepHandler({
  input,
  correlate: ({ run }) => run,
  run: (event, context): Promise<TrainResult | RefitResult> =>
    'training' in event
      ? runTraining(deps, event.run, event.etl, event.training, context.getRemainingTimeInMillis())
      : runRefit(deps, event.run, event.etl, event.tuning, context.getRemainingTimeInMillis()),
  done: outcome,
});
