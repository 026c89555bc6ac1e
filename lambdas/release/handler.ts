import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { artifactCheck } from '../shared/adapters/artifacts.js';
import { createDocumentClient, createS3Client } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { candidateAlarmNames, PIPELINE_METRICS } from '../shared/contracts/metric-names.js';
import { countForModel } from '../shared/runtime/metrics.js';
import { Registry } from '../shared/adapters/registry.js';
import { ReleaseStore } from '../shared/adapters/release-store.js';
import { releaseStepInputSchema } from '../shared/contracts/release-steps.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { tracer } from '../shared/runtime/tracer.js';
import { runReleaseStep, type ReleaseStepDeps } from './release-steps.js';

const env = readEnv(['REGISTRY_TABLE', 'ARTIFACTS_BUCKET', 'STACK_NAME', 'AWS_LAMBDA_FUNCTION_NAME']);
const documents = createDocumentClient();
const s3 = createS3Client();
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient({}));

const deps: ReleaseStepDeps = {
  registry: new Registry(documents, env.REGISTRY_TABLE),
  s3,
  artifactsBucket: env.ARTIFACTS_BUCKET,
  checkArtifact: artifactCheck(s3),
  releases: new ReleaseStore(documents, env.REGISTRY_TABLE),
  // Named from the stack's name, so the function needs no list of models.
  candidateAlarms: (model) => Object.values(candidateAlarmNames(env.STACK_NAME, model)),
  alarmsInAlarm: async (names) => {
    if (names.length === 0) return [];
    const answer = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names], StateValue: 'ALARM' }));
    return (answer.MetricAlarms ?? []).map((a) => a.AlarmName ?? '');
  },
  now: () => new Date(),
  actor: `release (${env.AWS_LAMBDA_FUNCTION_NAME})`,
  signalInProgress: (model, running) => countForModel(PIPELINE_METRICS.releaseInProgress, model, running ? 1 : 0),
};

/** The release state machine's steps: begin, the release check, a minute of bake at a time, abort on failure. */
export const handler = stepHandler({
  input: releaseStepInputSchema,
  correlate: (input) => ({ model: input.model }),
  run: (input) => runReleaseStep(deps, input),
  done: (result, input) => ({
    message: `release ${input.action}`,
    fields: { ...result, expected: undefined, event: undefined },
  }),
});
