import { stepDepsFromEnv } from '../shared/runtime/clients.js';
import { trainInputSchema } from '../shared/contracts/pipeline-state.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { runTraining } from './train.js';

const deps = stepDepsFromEnv();

export const handler = stepHandler({
  input: trainInputSchema,
  correlate: ({ run }) => run,
  run: ({ run, etl, trial }, context) => runTraining(deps, run, etl, trial, context.getRemainingTimeInMillis()),
  done: (result) => ({
    message: 'trial trained',
    fields: {
      trial: result.id,
      role: result.role,
      validationLoss: result.validationLoss,
      epochsRun: result.epochsRun,
      stoppedBy: result.stoppedBy,
    },
    counts: { EpochsRun: result.epochsRun },
    seconds: { TrainingSeconds: result.seconds },
  }),
});
