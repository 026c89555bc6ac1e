import { stepDepsFromEnv } from '../shared/runtime/clients.js';
import { reportInputSchema } from '../shared/contracts/pipeline-state.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { runReport } from './report.js';

const deps = stepDepsFromEnv();

export const handler = stepHandler({
  input: reportInputSchema,
  correlate: ({ run }) => run,
  run: ({ run, etl }) => runReport(deps, run, etl),
  done: (result) => ({ message: 'model card written', fields: { ...result.report } }),
});
