import { createDocumentClient } from '../shared/clients.js';
import { PIPELINE_METRICS } from '../shared/metric-names.js';
import { readEnv } from '../shared/env.js';
import { finishInputSchema } from '../shared/pipeline-state.js';
import { Registry } from '../shared/registry.js';
import { stepHandler } from '../shared/step-handler.js';
import { correlationOfState, finishRun } from './finish-run.js';

const env = readEnv(['REGISTRY_TABLE']);
const registry = new Registry(createDocumentClient(), env.REGISTRY_TABLE);

export const handler = stepHandler({
  input: finishInputSchema,
  correlate: ({ state }) => correlationOfState(state),
  run: (input) => finishRun(registry, input),
  done: (result) => ({
    message: `run ${result.status.toLowerCase()}`,
    fields: { ...result },
    counts: { [result.status === 'FAILED' ? PIPELINE_METRICS.runsFailed : PIPELINE_METRICS.runsRejected]: 1 },
  }),
});
