import type { VirtualClock } from './clock.js';
import { loadCors } from './cors.js';
import type { LocalHttpApi } from './http-api.js';
import { LocalJwtVerifier } from './jwt.js';
import type { LocalFunction } from './lambda-host.js';
import type { LocalResources } from './template.js';
import { loadRoutes } from './template-loaders.js';
import { LocalThrottle, loadThrottling } from './throttle.js';

/** The HTTP API as the template declares it: routes to the functions, stage throttling, CORS, JWT verification. */
export function configureApi(api: LocalHttpApi, resources: LocalResources, functionsByArn: ReadonlyMap<string, LocalFunction>, clock: VirtualClock): void {
  api.setRoutes(loadRoutes(resources, functionsByArn));
  api.setThrottle(new LocalThrottle(loadThrottling(resources), () => clock.now()));
  api.setCors(loadCors(resources));
  api.setJwtVerifier(new LocalJwtVerifier(() => clock.now()));
}
