import {
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
  InvalidToken,
} from '@aws-sdk/client-sfn';
import { IncidentResponses } from '../shared/adapters/incident-responses.js';
import { IncidentStore } from '../shared/adapters/incident-store.js';
import { publishToTopic } from '../shared/adapters/topic-publisher.js';
import { createDocumentClient } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { Registry } from '../shared/adapters/registry.js';
import { tracer } from '../shared/runtime/tracer.js';
import { registryChanges } from '../shared/use-cases/incidents.js';

const env = readEnv(['REGISTRY_TABLE', 'PAGE_TOPIC_ARNS', 'RESPONSE_STATE_MACHINE_ARN']);
const db = createDocumentClient();
const sfn = tracer.captureAWSv3Client(new SFNClient({}));
const topics = env.PAGE_TOPIC_ARNS.split(',').filter((arn) => arn !== '');
const responses = new IncidentResponses(db, env.REGISTRY_TABLE);
/** The incident function's dependencies from its environment: the registry, the page topics, Step Functions. */
export const deps = {
  incidents: new IncidentStore(db, env.REGISTRY_TABLE),
  changes: registryChanges(new Registry(db, env.REGISTRY_TABLE)),
  page: async (page: { subject: string; message: string }) => {
    for (const topicArn of topics) await publishToTopic({ topicArn, subject: page.subject, message: page.message });
  },
  startResponse: async (start: { incident: string; name: string }) => {
    try {
      await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: env.RESPONSE_STATE_MACHINE_ARN,
          name: start.name,
          input: JSON.stringify({ incident: start.incident }),
        }),
      );
    } catch (error) {
      // Started already, by an invocation whose removal from the outbox did not happen.
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  },
  resolved: async (incident: string) => {
    const response = await responses.get(incident);
    if (response?.token) {
      try {
        await sfn.send(
          new SendTaskSuccessCommand({ taskToken: response.token, output: JSON.stringify({ outcome: 'resolved' }) }),
        );
      } catch (error) {
        // The wait had ended (acknowledged, escalated or timed out): nothing to stop.
        if (!(error instanceof TaskTimedOut) && !(error instanceof InvalidToken)) throw error;
      }
    }
    const at = new Date(Date.now()).toISOString();
    await responses.update(
      incident,
      { at, actor: 'cloudwatch', what: 'resolved: its alarms cleared' },
      { token: null },
    );
  },
  record: async (incident: string, what: string) => {
    await responses.update(incident, { at: new Date(Date.now()).toISOString(), actor: 'step functions', what });
  },
};
