/**
 * The warm floor of the serving benchmark: the handler shape every function shares (middy with the Powertools logger
 * context, tracer and request metrics, the model correlation, the JSON body and error mapping), answering a constant
 * without scoring anything. The predict handler's time above this floor is the serving code's own; the floor is what
 * the project's observability costs on every request. Bundled by bench/serving.ts as the functions are.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { correlateModel, errorResponses, jsonBody, requestMetrics, type JsonEvent } from '../lambdas/shared/http.js';
import { logger } from '../lambdas/shared/logger.js';
import { tracer } from '../lambdas/shared/tracer.js';

export const handler = middy<JsonEvent, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(correlateModel())
  .use(requestMetrics())
  .use(jsonBody())
  .use(errorResponses())
  .handler(async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"predictions":[]}' }));
