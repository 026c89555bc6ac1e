import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  correlateModel,
  errorResponses,
  jsonBody,
  requestMetrics,
  servedVariant,
  type ApiContext,
  type JsonEvent,
} from './http.js';
import { logger } from './logger.js';
import { metrics } from './metrics.js';
import { tracer } from './tracer.js';

export type ApiResult = APIGatewayProxyStructuredResultV2;

/**
 * The HTTP API functions' handler shape: the Powertools logger context (the model on every line) and tracer, the JSON
 * body (400/413), errors mapped to 4xx answers or a logged 500; with `measured`, the per-request metrics of the
 * model's traffic (predict's, which its alarms watch).
 */
export function apiHandler(
  handle: (event: JsonEvent, context: ApiContext) => Promise<ApiResult>,
  options: { readonly measured?: boolean } = {},
) {
  const chain = middy<JsonEvent, ApiResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    // Registered before the metrics middleware: its `after`/`onError` run last, flushing what the request counted.
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(correlateModel())
    .use(servedVariant());
  // Registered before errorResponses, so it sees the answer the error became.
  if (options.measured === true) chain.use(requestMetrics());
  // servedVariant (above) put the request's ServedVariant on the context.
  return chain
    .use(jsonBody())
    .use(errorResponses())
    .handler((event, context) => handle(event, context as ApiContext));
}
