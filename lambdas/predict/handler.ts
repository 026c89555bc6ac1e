import { NotFoundError } from '../core/errors.js';
import { apiHandler } from '../shared/runtime/api-handler.js';
import { createDocumentClient, createS3Client } from '../shared/runtime/clients.js';
import { readEnv, readEnvNumber } from '../shared/runtime/env.js';
import { Registry } from '../shared/adapters/registry.js';
import { ReleaseStore } from '../shared/adapters/release-store.js';
import { predictRoutes } from './routes.js';
import { servingCache } from './serving-cache.js';

const env = readEnv(['REGISTRY_TABLE']);
const refreshSeconds = readEnvNumber('MODEL_REFRESH_SECONDS', { min: 0 });
const documents = createDocumentClient();
const registry = new Registry(documents, env.REGISTRY_TABLE);
const releases = new ReleaseStore(documents, env.REGISTRY_TABLE);
const cache = servingCache(registry, releases, createS3Client(), refreshSeconds * 1000);
const routes = predictRoutes({ cache, registry, releases });

/** The serving function: predict, describe a model, health and the OpenAPI document (feedback has its own). */
export const handler = apiHandler(
  async (event, context) => {
    const route = routes[event.routeKey];
    if (route === undefined) throw new NotFoundError(`no route ${event.routeKey}`);
    return route(event, context.served);
  },
  { measured: true },
);
