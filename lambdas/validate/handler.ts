import { stepDepsFromEnv } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { validateInputSchema } from '../shared/contracts/pipeline-state.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { runValidation } from './validate.js';

const deps = { ...stepDepsFromEnv(), codeVersion: readEnv(['CODE_VERSION']).CODE_VERSION };

export const handler = stepHandler({
  input: validateInputSchema,
  correlate: ({ run }) => run,
  run: ({ run, etl, tuning, refit }) =>
    runValidation(deps, run, etl, tuning, refit !== undefined && 'chosen' in refit ? refit : undefined),
  done: (result) => ({
    message: 'candidate validated',
    fields: { ...result },
    counts: { GatePassed: result.gate.passed ? 1 : 0, GateRejected: result.gate.passed ? 0 : 1 },
  }),
});
