import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { Predictor } from '../core/artifact.js';
import { NotFoundError } from '../core/errors.js';
import { fetchArtifact } from '../shared/artifacts.js';
import { createDocumentClient, createS3Client } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { ROUTING_KEY_HEADER, VARIANT_HEADER } from '../shared/api-contracts.js';
import { apiHandler } from '../shared/api-handler.js';
import { jsonResponse, publishVariantMetrics, type JsonEvent } from '../shared/http.js';
import { logger } from '../shared/logger.js';
import { PREDICT_METRICS } from '../shared/metric-names.js';
import { countForModel } from '../shared/metrics.js';
import { listModelNames } from '../shared/model-files.js';
import { openApiDocument } from '../shared/openapi.js';
import { Registry } from '../shared/registry.js';
import { ReleaseStore } from '../shared/release-store.js';
import { answerBody } from './answer-body.js';
import { captureAnswer, captureSettings } from './capture.js';
import { describeModel } from './describe.js';
import { ProductionModelCache } from './model-cache.js';
import { servingHealth, servingOf } from './serving-status.js';
import { predict, type RoutingInput } from './predict.js';

const env = readEnv(['REGISTRY_TABLE', 'MODEL_REFRESH_SECONDS']);
const refreshSeconds = Number(env.MODEL_REFRESH_SECONDS);
if (!Number.isFinite(refreshSeconds) || refreshSeconds < 0) {
  throw new Error(`MODEL_REFRESH_SECONDS must be a number of seconds, got "${env.MODEL_REFRESH_SECONDS}"`);
}
const documents = createDocumentClient();
const registry = new Registry(documents, env.REGISTRY_TABLE);
const releases = new ReleaseStore(documents, env.REGISTRY_TABLE);
const s3 = createS3Client();
const cache = new ProductionModelCache<Predictor>(
  {
    getAlias: (model, alias) => registry.getAlias(model, alias),
    getVersion: (model, version) => registry.getVersion(model, version),
    getRelease: (model) => releases.get(model),
    // Serving loads TF.js only for a batch that needs it: small requests run on the compiled forward pass.
    load: async (artifact) => Predictor.load(await fetchArtifact(s3, artifact), { lazyTfjs: true }),
  },
  {
    refreshMs: refreshSeconds * 1000,
    // The loaded version keeps answering; the failure is logged and counted (ModelRefreshFailures per model).
    onRefreshFailure: ({ model, servedVersion, targetVersion, reason, failures, retryInMs, error }) => {
      const fields = { model, servedVersion, targetVersion, reason, failures, retryInMs, error: error as Error };
      if (servedVersion === null) logger.error('could not load the production model; the model is unavailable', fields);
      else logger.warn('could not refresh the production model; serving the loaded version', fields);
      countForModel(PREDICT_METRICS.refreshFailures, model);
    },
    onPointerRead: ({ model, served, production }) =>
      countForModel(PREDICT_METRICS.servedVersionMismatch, model, served === production ? 0 : 1),
    onCandidateFailure: ({ model, version, error }) => {
      logger.error('could not load the release candidate; production answers everything', {
        model,
        candidateVersion: version,
        error: error as Error,
      });
      countForModel(PREDICT_METRICS.candidateLoadFailures, model);
    },
  },
);
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
const ROUTES: Record<string, (event: JsonEvent) => Promise<APIGatewayProxyStructuredResultV2>> = {
  'POST /v1/models/{model}/predict': async (event) => {
    const started = performance.now();
    const requestId = randomUUID();
    const routing = { ...routingOf(event), onRoute: (variant: string) => (event.mlopsVariant = variant) };
    const { answer, instances, shadow, summary } = await predict(
      cache,
      event.pathParameters?.model,
      event.body,
      requestId,
      routing,
    );
    event.mlopsSummary = summary;
    const settings = captureSettings(answer.model);
    const time = new Date();
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
        logger.warn('the shadow candidate failed a request production answered', { requestId, reason: shadow.failure });
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
  },
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

export const handler = apiHandler(
  async (event) => {
    const route = ROUTES[event.routeKey];
    if (route === undefined) throw new NotFoundError(`no route ${event.routeKey}`);
    return route(event);
  },
  { measured: true },
);
