import { stepDepsFromEnv } from '../shared/deps.js';
import { readEnv } from '../shared/env.js';
import { validateInputSchema } from '../shared/pipeline-state.js';
import { stepHandler } from '../shared/step-handler.js';
import { runValidation } from './validate.js';

const deps = { ...stepDepsFromEnv(), codeVersion: readEnv(['CODE_VERSION']).CODE_VERSION };

export const handler = stepHandler({
  input: validateInputSchema,
  correlate: ({ run }) => run,
  run: ({ run, etl, tuning }) => runValidation(deps, run, etl, tuning),
  done: (result) => ({
    message: 'candidate validated',
    fields: { ...result },
    counts: { GatePassed: result.gate.passed ? 1 : 0, GateRejected: result.gate.passed ? 0 : 1 },
  }),
});
