import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  ConflictError,
  ModelUnavailableError,
  NotFoundError,
  PayloadTooLargeError,
  RequestValidationError,
} from '../../core/errors.js';
import type { PredictionSummary } from '../../core/prediction-summary.js';
import { logger } from './logger.js';
import { PREDICT_METRICS } from '../contracts/metric-names.js';
import { countForModel, metrics, variantMetrics } from './metrics.js';
import { isDeployedModel } from '../contracts/model-files.js';
import { annotateTrace } from './tracer.js';

/** An API event whose body the middleware has parsed (`rawBody` keeps its text, decoded). */
export type JsonEvent = Omit<APIGatewayProxyEventV2, 'body'> & { body: unknown; rawBody?: string };

/**
 * What the answering route tells the request's metrics: the release variant that answered, and what its predictions
 * add to the variant's distribution (per-variant metrics). Empty until the route knows them.
 */
export interface ServedVariant {
  variant?: string;
  summary?: PredictionSummary;
}

/** An API function's Lambda context, with the request's ServedVariant for the route to fill in (see servedVariant). */
export type ApiContext = Context & { readonly served: ServedVariant };

/**
 * A fresh ServedVariant per request: handed to the handler on its context (as middy's own middlewares hand values to
 * handlers) and to the later middlewares through `request.internal`, so the event stays the request as received.
 */
export function servedVariant(): MiddlewareObj<JsonEvent, APIGatewayProxyStructuredResultV2, Error, Context> {
  return {
    before: (request) => {
      const served: ServedVariant = {};
      Object.assign(request.internal, { served });
      Object.assign(request.context, { served });
    },
  };
}

function servedOf(internal: unknown): ServedVariant {
  const served = (internal as { served?: ServedVariant } | undefined)?.served;
  return served ?? {};
}

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

/** The largest request body the API takes (1,000 instances of a wide model fit well under it). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Parses the JSON body of a POST; a missing, oversized or non-JSON body is the caller's mistake (400 or 413), never a
 * 500. Other methods have no body to parse.
 */
export function jsonBody(maxBytes = MAX_BODY_BYTES): MiddlewareObj<JsonEvent, APIGatewayProxyStructuredResultV2> {
  return {
    before: (request) => {
      if (!request.event.routeKey.startsWith('POST ')) return;
      const raw = request.event.body;
      if (typeof raw !== 'string' || raw.trim() === '') {
        throw new RequestValidationError('the request has no body; send JSON like {"instances": [{...}]}');
      }
      const text = request.event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      if (Buffer.byteLength(text) > maxBytes) {
        throw new PayloadTooLargeError(
          `the body has ${Buffer.byteLength(text)} bytes; the API takes up to ${maxBytes} (send at most 1000 instances, without unused fields)`,
        );
      }
      try {
        request.event.body = JSON.parse(text) as unknown;
        request.event.rawBody = text;
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
      } else if (error instanceof PayloadTooLargeError) {
        request.response = jsonResponse(413, { error: 'PayloadTooLarge', message: error.message });
      } else if (error instanceof ConflictError) {
        request.response = jsonResponse(409, { error: 'Conflict', message: error.message });
      } else if (error instanceof ModelUnavailableError) {
        // The cause (where the artifact lives, the SDK's message) goes to the log, not to the caller.
        logger.error('model unavailable', { error });
        request.response = {
          ...jsonResponse(503, { error: 'ModelUnavailable', message: error.message }),
          headers: { 'content-type': 'application/json', 'retry-after': '15' },
        };
      } else {
        logger.error('request failed', { error: error as Error });
        request.response = jsonResponse(500, {
          error: 'InternalError',
          message: 'the request failed; see the function logs',
        });
      }
    },
  };
}

/**
 * Per-request metrics of a model that has a production version (a 404, an unknown model or none in production, is
 * not counted: callers must not be able to create metrics by naming models): requests, 5xx answers (0 or 1, so the
 * Average is the error rate), latency and instances scored, with the model as dimension, in the invocation's
 * embedded-format document (flushed by the handler factory's `logMetrics`, after this middleware's `after`/`onError`).
 * A 404 of a model whose file is deployed (callers asking for a model that serves nothing) is counted on its own,
 * PredictModelMissing: only deployed names, so callers still cannot create metrics.
 */
export function requestMetrics(
  now: () => number = () => performance.now(),
): MiddlewareObj<JsonEvent, APIGatewayProxyStructuredResultV2> {
  let started = 0;
  const publish = (request: {
    event: JsonEvent;
    response: APIGatewayProxyStructuredResultV2 | undefined | null;
    internal: unknown;
  }) => {
    const model = request.event.pathParameters?.model;
    const status = request.response?.statusCode ?? 500;
    // Predictions only: reading a model's description or the health check is not traffic of the model.
    if (model === undefined || !request.event.routeKey.endsWith('/predict')) return;
    if (status === 404) {
      if (isDeployedModel(model)) countForModel(PREDICT_METRICS.modelMissing, model);
      return;
    }
    // One reading: the model's latency and its variant's are the same request's.
    const latencyMs = now() - started;
    metrics.addDimension('model', model);
    metrics.addMetric(PREDICT_METRICS.requests, 'Count', 1);
    metrics.addMetric(PREDICT_METRICS.serverErrors, 'Count', status >= 500 ? 1 : 0);
    metrics.addMetric(PREDICT_METRICS.latency, 'Milliseconds', latencyMs);
    // A 200 scores every instance of the request (already parsed by jsonBody): no need to read the answer again.
    const predictions = status === 200 ? instancesIn(request.event.body) : 0;
    if (status === 200) metrics.addMetric(PREDICT_METRICS.predictions, 'Count', predictions);
    const served = servedOf(request.internal);
    const variant = served.variant;
    const summary = status === 200 ? served.summary : undefined;
    if (variant !== undefined)
      publishVariantMetrics(model, variant, {
        serverError: status >= 500,
        latencyMs,
        predictions,
        ...(summary ? { summary } : {}),
      });
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

/**
 * The same request metrics with the release variant as a dimension too (`model`, `variant`): what the release's
 * alarms watch for the candidate, and what compares it with production — including the prediction distribution (the
 * score sum and, for a binary model, the positives: their sums over the predictions' give the mean score and the
 * positive rate).
 */
export function publishVariantMetrics(
  model: string,
  variant: string,
  outcome: { serverError: boolean; latencyMs: number; predictions: number; summary?: PredictionSummary },
): void {
  variantMetrics.addDimensions({ model, variant });
  variantMetrics.addMetric(PREDICT_METRICS.requests, 'Count', 1);
  variantMetrics.addMetric(PREDICT_METRICS.serverErrors, 'Count', outcome.serverError ? 1 : 0);
  variantMetrics.addMetric(PREDICT_METRICS.latency, 'Milliseconds', outcome.latencyMs);
  variantMetrics.addMetric(PREDICT_METRICS.predictions, 'Count', outcome.predictions);
  if (outcome.summary !== undefined) {
    variantMetrics.addMetric(PREDICT_METRICS.scoreSum, 'None', outcome.summary.scoreSum);
    if (outcome.summary.positives !== undefined)
      variantMetrics.addMetric(PREDICT_METRICS.positives, 'Count', outcome.summary.positives);
  }
  variantMetrics.publishStoredMetrics();
}

function instancesIn(body: unknown): number {
  const instances = body !== null && typeof body === 'object' ? (body as { instances?: unknown }).instances : undefined;
  return Array.isArray(instances) ? instances.length : 0;
}
