import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createDocumentClient } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { FeedbackStore } from '../shared/feedback-store.js';
import { correlateModel, errorResponses, jsonBody, jsonResponse, type JsonEvent } from '../shared/http.js';
import { stdoutLines } from '../shared/log-lines.js';
import { logger } from '../shared/logger.js';
import { countForModel } from '../shared/metrics.js';
import { tracer } from '../shared/tracer.js';
import { recordFeedback } from './feedback.js';

const env = readEnv(['REGISTRY_TABLE']);
const store = new FeedbackStore(createDocumentClient(), env.REGISTRY_TABLE);

/** `POST /v1/models/{model}/feedback`: ground truth by prediction id. */
export const handler = middy<JsonEvent, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(correlateModel())
  .use(jsonBody())
  .use(errorResponses())
  .handler(async (event) => {
    const answer = await recordFeedback(store, event.pathParameters?.model, event.body, stdoutLines);
    const recorded = answer.results.filter((r) => r.status === 'recorded').length;
    countForModel('FeedbackRecorded', answer.model, recorded);
    return jsonResponse(200, answer);
  });
