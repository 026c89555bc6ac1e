import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { NotFoundError, RequestValidationError } from '../core/errors.js';
import { logger } from '../shared/logger.js';
import { PREDICT_METRICS } from '../shared/metric-names.js';
import { metrics } from '../shared/metrics.js';
import { annotateTrace } from '../shared/tracer.js';

export type JsonEvent = Omit<APIGatewayProxyEventV2, 'body'> & { body: unknown };

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The model of the request in every log line and on the trace of the invocation. */
export function correlateModel(): MiddlewareObj<JsonEvent, APIGatewayProxyStructuredResultV2> {
  return {
    before: (request) => {
      const model = request.event.pathParameters?.model;
      if (model === undefined) return;
      logger.appendKeys({ model });
      annotateTrace({ model });
    },
  };
}

/** Parses the JSON body; a missing or non-JSON body is the caller's mistake (400), never a 500. */
export function jsonBody(): MiddlewareObj<JsonEvent, APIGatewayProxyStructuredResultV2> {
  return {
    before: (request) => {
      const raw = request.event.body;
      if (typeof raw !== 'string' || raw.trim() === '') {
        throw new RequestValidationError('the request has no body; send JSON like {"instances": [{...}]}');
      }
      const text = request.event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      try {
        request.event.body = JSON.parse(text) as unknown;
      } catch (error) {
        throw new RequestValidationError(`the body is not valid JSON: ${(error as Error).message}`);
      }
    },
  };
}

/** Maps errors to HTTP answers: the caller's mistakes to 4xx with the message, anything else to a logged 500. */
export function errorResponses(): MiddlewareObj<JsonEvent, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof RequestValidationError) {
        request.response = jsonResponse(400, { error: 'BadRequest', message: error.message });
      } else if (error instanceof NotFoundError) {
        request.response = jsonResponse(404, { error: 'NotFound', message: error.message });
      } else {
        logger.error('predict failed', { error: error as Error });
        request.response = jsonResponse(500, { error: 'InternalError', message: 'the prediction failed; see the function logs' });
      }
    },
  };
}

/**
 * Per-request metrics of a model that has a production version (a 404, an unknown model or none in production, is
 * not counted: callers must not be able to create metrics by naming models): requests, 5xx answers (0 or 1, so the
 * Average is the error rate), latency and instances scored, with the model as dimension, as one embedded-format line.
 */
export function requestMetrics(now: () => number = () => performance.now()): MiddlewareObj<JsonEvent, APIGatewayProxyStructuredResultV2> {
  let started = 0;
  const publish = (request: { event: JsonEvent; response: APIGatewayProxyStructuredResultV2 | undefined | null }) => {
    const model = request.event.pathParameters?.model;
    const status = request.response?.statusCode ?? 500;
    if (model === undefined || status === 404) return;
    metrics.addDimension('model', model);
    metrics.addMetric(PREDICT_METRICS.requests, 'Count', 1);
    metrics.addMetric(PREDICT_METRICS.serverErrors, 'Count', status >= 500 ? 1 : 0);
    metrics.addMetric(PREDICT_METRICS.latency, 'Milliseconds', now() - started);
    // A 200 scores every instance of the request (already parsed by jsonBody): no need to read the answer again.
    if (status === 200) metrics.addMetric(PREDICT_METRICS.predictions, 'Count', instancesIn(request.event.body));
    metrics.publishStoredMetrics();
  };
  return {
    before: () => {
      started = now();
    },
    after: publish,
    // Registered first, it runs after errorResponses has turned the error into an answer.
    onError: publish,
  };
}

function instancesIn(body: unknown): number {
  const instances = body !== null && typeof body === 'object' ? (body as { instances?: unknown }).instances : undefined;
  return Array.isArray(instances) ? instances.length : 0;
}
