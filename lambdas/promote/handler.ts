import { LIFECYCLE_METRICS } from '../shared/contracts/metric-names.js';
import { artifactCheck } from '../shared/adapters/artifacts.js';
import { createDocumentClient, createS3Client } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { promoteInputSchema } from '../shared/contracts/pipeline-state.js';
import { Registry } from '../shared/adapters/registry.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { promoteRun } from './promote.js';

const env = readEnv(['REGISTRY_TABLE', 'AWS_LAMBDA_FUNCTION_NAME']);
const moves = {
  registry: new Registry(createDocumentClient(), env.REGISTRY_TABLE),
  checkArtifact: artifactCheck(createS3Client()),
};
/** Audit actor of automatic promotions: the pipeline's promote function. */
const actor = `pipeline (${env.AWS_LAMBDA_FUNCTION_NAME})`;

export const handler = stepHandler({
  input: promoteInputSchema,
  correlate: ({ run }) => run,
  run: ({ run, validation, releaseMode }) => promoteRun(moves, run, validation, actor, releaseMode),
  done: (result) => ({
    message: result.promoted
      ? 'version promoted to production'
      : result.release
        ? 'version handed to a release'
        : result.superseded
          ? 'production changed after the gate compared with it: run superseded'
          : 'version awaits approval',
    fields: { ...result },
    counts: {
      [result.promoted
        ? LIFECYCLE_METRICS.promotions
        : result.release
          ? 'ReleasesStarted'
          : result.superseded
            ? 'RunsSuperseded'
            : 'AwaitingApproval']: 1,
    },
  }),
});
