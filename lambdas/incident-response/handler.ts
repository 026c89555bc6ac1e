import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { IncidentResponses } from '../shared/adapters/incident-responses.js';
import { IncidentStore } from '../shared/adapters/incident-store.js';
import { publishToTopic } from '../shared/adapters/topic-publisher.js';
import { incidentStepSchema } from '../shared/contracts/incident-steps.js';
import { loadModelConfig } from '../shared/contracts/model-files.js';
import { createDocumentClient } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { stepHandler } from '../shared/runtime/step-handler.js';
import { tracer } from '../shared/runtime/tracer.js';
import { runIncidentStep, type ResponseDeps } from '../shared/use-cases/incident-response.js';

const env = readEnv(['REGISTRY_TABLE', 'PAGE_TOPIC_ARNS', 'TIER2_TOPIC_ARNS', 'TIER3_TOPIC_ARNS']);
const documents = createDocumentClient();
const sfn = tracer.captureAWSv3Client(new SFNClient({}));
const arns = (list: string) => list.split(',').filter((arn) => arn !== '');
const publishAll = async (topics: readonly string[], subject: string, message: string) => {
  for (const topicArn of topics) await publishToTopic({ topicArn, subject, message });
};

const deps: ResponseDeps = {
  store: new IncidentStore(documents, env.REGISTRY_TABLE),
  responses: new IncidentResponses(documents, env.REGISTRY_TABLE),
  settings: (model) => {
    try {
      return loadModelConfig(model).config.incidents;
    } catch {
      // A model without a file here (removed since): the defaults.
      return undefined;
    }
  },
  delivery: { page: (page) => publishAll(arns(env.PAGE_TOPIC_ARNS), page.subject, page.message) },
  notify: (tier, subject, message) =>
    publishAll(arns(tier === 2 ? env.TIER2_TOPIC_ARNS : env.TIER3_TOPIC_ARNS), subject, message),
  tokens: {
    succeed: async (token, output) => {
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
    },
  },
  now: () => new Date(Date.now()),
  actor: 'incident response',
};

/** The steps of an incident's response workflow: announce, check, notify tier 2, escalate to tier 3. */
export const handler = stepHandler({
  input: incidentStepSchema,
  correlate: () => ({ model: 'incidents' }),
  run: (step) => runIncidentStep(deps, step),
  done: (answer, step) => ({
    message: `incident ${step.incident}: ${step.action}`,
    fields: { incident: step.incident, ...answer },
  }),
});
