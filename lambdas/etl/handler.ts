import { stepDepsFromEnv } from '../shared/runtime/clients.js';
import { etlInputSchema } from '../shared/contracts/pipeline-state.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { runEtl } from './etl.js';

const deps = stepDepsFromEnv();

export const handler = stepHandler({
  input: etlInputSchema,
  correlate: ({ run }) => run,
  run: ({ run }) => runEtl(deps, run),
  done: (result) => ({
    message: 'data prepared',
    fields: { rows: result.rows, trials: result.tuning.trials.length },
    counts: {
      RowsRead: result.rows.read,
      RowsKept: result.rows.kept,
      RowsDropped: result.rows.read - result.rows.kept,
    },
  }),
});
