import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { Predictor } from '../core/artifact.js';
import { ROUTING_KEY_HEADER, VARIANT_HEADER } from '../shared/contracts/api-contracts.js';
import { jsonResponse, publishVariantMetrics, type JsonEvent, type ServedVariant } from '../shared/runtime/http.js';
import { logger } from '../shared/runtime/logger.js';
import { listModelNames } from '../shared/contracts/model-files.js';
import { openApiDocument } from '../shared/contracts/openapi.js';
import type { Registry } from '../shared/adapters/registry.js';
import type { ReleaseStore } from '../shared/adapters/release-store.js';
import { answerBody } from './answer-body.js';
import { captureAnswer, captureSettings } from './capture.js';
import { describeModel } from './describe.js';
import type { ProductionModelCache } from './model-cache.js';
import { predict, type RoutingInput } from './predict.js';
import { servingHealth, servingOf } from './serving-status.js';

/** A route answers the event; the predict route also records which variant answered in `served`. */
type Route = (event: JsonEvent, served: ServedVariant) => Promise<APIGatewayProxyStructuredResultV2>;

export interface RouteDeps {
  readonly cache: ProductionModelCache<Predictor>;
  readonly registry: Registry;
  readonly releases: ReleaseStore;
}

let openApi: string | undefined;

/** The sticky key of a request (its header, else the signed caller, else the source address) and a forced variant. */
function routingOf(event: JsonEvent): RoutingInput {
  const headers = event.headers ?? {};
  const context = event.requestContext as
    | { authorizer?: { iam?: { userArn?: string }; jwt?: { claims?: { sub?: string } } }; http?: { sourceIp?: string } }
    | undefined;
  const key =
    headers[ROUTING_KEY_HEADER] ??
    context?.authorizer?.iam?.userArn ??
    context?.authorizer?.jwt?.claims?.sub ??
    context?.http?.sourceIp ??
    randomUUID();
  const forced = headers[VARIANT_HEADER];
  return { key, ...(forced !== undefined ? { forced } : {}) };
}

/** The serving function's routes (the API's routes to it; feedback has a function of its own). */
export function predictRoutes(deps: RouteDeps): Record<string, Route> {
  const { cache, registry, releases } = deps;
  return {
    'POST /v1/models/{model}/predict': (event, served) => answerPredict(cache, event, served),
    'GET /v1/models/{model}': async (event) => {
      const description = await describeModel(registry, releases, event.pathParameters?.model);
      return jsonResponse(200, { ...description, serving: await servingOf(cache, description.model) });
    },
    'GET /v1/health': async () => {
      const health = await servingHealth(cache, listModelNames(), new Date());
      return jsonResponse(health.status === 'unavailable' ? 503 : 200, health);
    },
    'GET /v1/openapi.json': async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: (openApi ??= JSON.stringify(openApiDocument())),
    }),
  };
}

/**
 * `POST /v1/models/{model}/predict`: the answer of the variant the caller meets, captured (and a shadow's beside it,
 * measured as the candidate's), with its own time in `server-timing`.
 */
async function answerPredict(
  cache: ProductionModelCache<Predictor>,
  event: JsonEvent,
  served: ServedVariant,
): Promise<APIGatewayProxyStructuredResultV2> {
  const started = performance.now();
  const requestId = randomUUID();
  const routing = { ...routingOf(event), onRoute: (variant: string) => (served.variant = variant) };
  const { answer, instances, shadow, summary } = await predict(
    cache,
    event.pathParameters?.model,
    event.body,
    requestId,
    routing,
  );
  served.summary = summary;
  const settings = captureSettings(answer.model);
  // Date.now(): locally the runtime's clock (which tests move) drives Date.now() only; in AWS both are the same.
  const time = new Date(Date.now());
  const { body, predictions } = answerBody(answer);
  captureAnswer(
    settings,
    {
      requestId,
      instances,
      time,
      ...(event.rawBody !== undefined ? { bodies: { request: event.rawBody, response: body, predictions } } : {}),
    },
    answer,
  );
  if (shadow !== undefined) {
    // The shadow's answer is captured beside production's (same prediction ids) and measured as the candidate's.
    if (shadow.answer !== undefined)
      captureAnswer(settings, { requestId, instances, time }, { ...shadow.answer, variant: 'candidate-shadow' });
    else
      logger.warn('the shadow candidate failed a request production answered', {
        requestId,
        reason: shadow.failure,
      });
    publishVariantMetrics(answer.model, 'candidate', {
      serverError: shadow.answer === undefined,
      latencyMs: shadow.latencyMs,
      predictions: shadow.answer?.predictions.length ?? 0,
      ...(shadow.summary ? { summary: shadow.summary } : {}),
    });
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/json',
      'server-timing': `predict;dur=${(performance.now() - started).toFixed(2)}`,
    },
    body,
  };
}
