import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createDocumentClient, createS3Client } from '../shared/clients.js';
import { readEnv } from '../shared/env.js';
import { Registry } from '../shared/registry.js';
import { errorResponses, jsonBody, jsonResponse, type JsonEvent } from './http.js';
import { ProductionModelCache } from './model-cache.js';
import { predict } from './predict.js';

const env = readEnv(['REGISTRY_TABLE', 'MODEL_REFRESH_SECONDS']);
const refreshSeconds = Number(env.MODEL_REFRESH_SECONDS);
if (!Number.isFinite(refreshSeconds) || refreshSeconds < 0) {
  throw new Error(`MODEL_REFRESH_SECONDS must be a number of seconds, got "${env.MODEL_REFRESH_SECONDS}"`);
}
const cache = new ProductionModelCache(
  new Registry(createDocumentClient(), env.REGISTRY_TABLE),
  createS3Client(),
  refreshSeconds * 1000,
);

export const handler = middy<JsonEvent, APIGatewayProxyStructuredResultV2>()
  .use(jsonBody())
  .use(errorResponses())
  .handler(async (event) => jsonResponse(200, await predict(cache, event.pathParameters?.model, event.body)));
