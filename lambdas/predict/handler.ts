import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { Predictor } from '../core/artifact.js';
import { fetchArtifact } from '../shared/artifacts.js';
import { createDocumentClient, createS3Client } from '../shared/clients.js';
import { logger } from '../shared/logger.js';
import { countForModel } from '../shared/metrics.js';
import { readEnv } from '../shared/env.js';
import { Registry } from '../shared/registry.js';
import { tracer } from '../shared/tracer.js';
import { correlateModel, errorResponses, jsonBody, jsonResponse, requestMetrics, type JsonEvent } from './http.js';
import { ProductionModelCache } from './model-cache.js';
import { captureAnswer, captureSettings } from './capture.js';
import { predict } from './predict.js';

const env = readEnv(['REGISTRY_TABLE', 'MODEL_REFRESH_SECONDS']);
const refreshSeconds = Number(env.MODEL_REFRESH_SECONDS);
if (!Number.isFinite(refreshSeconds) || refreshSeconds < 0) {
  throw new Error(`MODEL_REFRESH_SECONDS must be a number of seconds, got "${env.MODEL_REFRESH_SECONDS}"`);
}
const registry = new Registry(createDocumentClient(), env.REGISTRY_TABLE);
const s3 = createS3Client();
const cache = new ProductionModelCache<Predictor>(
  { getAlias: (model, alias) => registry.getAlias(model, alias), load: async (artifact) => Predictor.load(await fetchArtifact(s3, artifact), { lazyTfjs: true }) },
  {
    refreshMs: refreshSeconds * 1000,
    // The loaded version keeps answering; the failure is logged and counted (ModelRefreshFailures per model).
    onRefreshFailure: ({ model, servedVersion, failures, retryInMs, error }) => {
      logger.warn('could not refresh the production model; serving the loaded version', { model, servedVersion, failures, retryInMs, error: error as Error });
      countForModel('ModelRefreshFailures', model);
    },
  },
);

export const handler = middy<JsonEvent, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(correlateModel())
  .use(requestMetrics())
  .use(jsonBody())
  .use(errorResponses())
  .handler(async (event) => {
    const requestId = randomUUID();
    const { answer, instances } = await predict(cache, event.pathParameters?.model, event.body, requestId);
    const captured = captureAnswer(captureSettings(answer.model), { requestId, instances, time: new Date() }, answer);
    logger.debug('answered', { requestId, captured });
    return jsonResponse(200, answer);
  });
