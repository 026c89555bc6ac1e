import { stepDepsFromEnv } from '../shared/deps.js';
import { reportInputSchema } from '../shared/pipeline-state.js';
import { stepHandler } from '../shared/step-handler.js';
import { runReport } from './report.js';

const deps = stepDepsFromEnv();

export const handler = stepHandler({
  input: reportInputSchema,
  correlate: ({ run }) => run,
  run: ({ run, etl }) => runReport(deps, run, etl),
  done: (result) => ({ message: 'model card written', fields: { ...result.report } }),
});
