import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import { artifactCheck } from '../shared/adapters/artifacts.js';
import { putObject } from '../shared/adapters/objects.js';
import { Registry } from '../shared/adapters/registry.js';
import { incidentPageKey } from '../shared/contracts/layout.js';
import { s3Uri } from '../shared/contracts/object-location.js';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { IncidentResponses } from '../shared/adapters/incident-responses.js';
import { IncidentStore } from '../shared/adapters/incident-store.js';
import { publishToTopic } from '../shared/adapters/topic-publisher.js';
import { loadModelConfig } from '../shared/contracts/model-files.js';
import { createDocumentClient, createS3Client } from '../shared/runtime/clients.js';
import { readEnv } from '../shared/runtime/env.js';
import { tracer } from '../shared/runtime/tracer.js';
import type { ResponseDeps } from '../shared/use-cases/incident-response.js';

const env = readEnv([
  'REGISTRY_TABLE',
  'PAGE_TOPIC_ARNS',
  'TIER2_TOPIC_ARNS',
  'TIER3_TOPIC_ARNS',
  'RETRAIN_FUNCTION_NAME',
  'ARTIFACTS_BUCKET',
]);
const documents = createDocumentClient();
const sfn = tracer.captureAWSv3Client(new SFNClient({}));
const s3 = createS3Client();
const lambda = tracer.captureAWSv3Client(new LambdaClient({}));
/** What the retrain function answers. */
const retrainAnswerSchema = z.union([
  z.object({ started: z.literal(true), executionArn: z.string() }),
  z.object({ started: z.literal(false), reason: z.string() }),
]);
const arns = (list: string) => list.split(',').filter((arn) => arn !== '');
const publishAll = async (topics: readonly string[], subject: string, message: string) => {
  for (const topicArn of topics) await publishToTopic({ topicArn, subject, message });
};

/** The response's dependencies from the function's environment: the registry, the topics, Step Functions, retrain. */
export const deps: ResponseDeps = {
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
  storePage: async (incident, html) => {
    const location = { bucket: env.ARTIFACTS_BUCKET, key: incidentPageKey(incident) };
    await putObject(s3, location, html, 'text/html; charset=utf-8');
    return s3Uri(location);
  },
  runbook: {
    registry: new Registry(documents, env.REGISTRY_TABLE),
    checkArtifact: artifactCheck(s3),
    retrain: async (model, alarm) => {
      // As the model's "needs retraining" rule asks: the alarm's episode is the dedup key, the cool-down applies.
      const payload = { model, trigger: 'alarm', alarmName: alarm.name, reason: alarm.reason, time: alarm.time };
      const answer = await lambda.send(
        new InvokeCommand({ FunctionName: env.RETRAIN_FUNCTION_NAME, Payload: JSON.stringify(payload) }),
      );
      const text = new TextDecoder().decode(answer.Payload ?? new Uint8Array());
      if (answer.FunctionError !== undefined) throw new Error(`the retrain function failed: ${text}`);
      const outcome = retrainAnswerSchema.parse(JSON.parse(text));
      return outcome.started ? `retraining started (${outcome.executionArn})` : `no retraining: ${outcome.reason}`;
    },
    actor: 'incident response (tier 1)',
  },
};
