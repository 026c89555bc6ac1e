import type { VirtualClock } from '../clock.js';
import { loadCors } from './cors.js';
import type { LocalHttpApi, LocalRoute } from './http-api.js';
import { LocalJwtVerifier, type JwtAuthorizerSpec } from './jwt.js';
import type { LocalFunction } from '../lambda/host.js';
import type { LocalResources } from '../template.js';
import { LocalThrottle, loadThrottling } from './throttle.js';

/** The HTTP API as the template declares it: routes to the functions, stage throttling, CORS, JWT verification. */
export function configureApi(
  api: LocalHttpApi,
  resources: LocalResources,
  functionsByArn: ReadonlyMap<string, LocalFunction>,
  clock: VirtualClock,
): void {
  api.setRoutes(loadRoutes(resources, functionsByArn));
  api.setThrottle(new LocalThrottle(loadThrottling(resources), () => clock.now()));
  api.setCors(loadCors(resources));
  api.setJwtVerifier(new LocalJwtVerifier(() => clock.now()));
}

/** The template's JWT authorizers by id: issuer and audiences. */
function jwtAuthorizers(resources: LocalResources): Map<string, JwtAuthorizerSpec> {
  return new Map(
    resources.ofType('AWS::ApiGatewayV2::Authorizer').flatMap(([id, r]) => {
      const p = resources.resolve(r.Properties ?? {}) as {
        AuthorizerType?: string;
        JwtConfiguration?: { Issuer?: string; Audience?: string[] };
      };
      if (p.AuthorizerType !== 'JWT' || p.JwtConfiguration?.Issuer === undefined) return [];
      return [
        [
          resources.ref(id),
          { issuer: p.JwtConfiguration.Issuer, audience: p.JwtConfiguration.Audience ?? [] },
        ] as const,
      ];
    }),
  );
}

/** The template's routes, each to its Lambda integration, with its authorization (IAM, JWT or none). */
export function loadRoutes(
  resources: LocalResources,
  functionsByArn: ReadonlyMap<string, LocalFunction>,
): LocalRoute[] {
  const authorizers = jwtAuthorizers(resources);
  const integrations = new Map(
    resources
      .ofType('AWS::ApiGatewayV2::Integration')
      .map(([id, r]) => [
        resources.ref(id),
        resources.resolve(r.Properties ?? {}) as { IntegrationUri?: string; PayloadFormatVersion?: string },
      ]),
  );
  return resources.ofType('AWS::ApiGatewayV2::Route').map(([logicalId, resource]) => {
    const props = resources.resolve(resource.Properties ?? {}) as {
      RouteKey: string;
      AuthorizationType?: string;
      AuthorizerId?: string;
      Target?: string;
    };
    const integration = integrations.get((props.Target ?? '').replace(/^integrations\//, ''));
    const fn = integration?.IntegrationUri !== undefined ? functionsByArn.get(integration.IntegrationUri) : undefined;
    if (fn === undefined)
      throw new Error(`route ${logicalId} (${props.RouteKey}) does not integrate a Lambda function of this stack`);
    const [method = 'ANY', path = '/'] = props.RouteKey.split(' ');
    const { authorization, jwt } = routeAuthorization(props, authorizers);
    return {
      method,
      path,
      routeKey: props.RouteKey,
      authorization,
      ...(jwt !== undefined ? { jwt } : {}),
      fn,
      payloadFormatVersion: integration?.PayloadFormatVersion === '1.0' ? '1.0' : '2.0',
    };
  });
}

/** A route's authorization as the local API can apply it; a JWT issuer off loopback stops the start-up. */
function routeAuthorization(
  props: { RouteKey: string; AuthorizationType?: string; AuthorizerId?: string },
  authorizers: ReadonlyMap<string, JwtAuthorizerSpec>,
): { authorization: LocalRoute['authorization']; jwt?: JwtAuthorizerSpec } {
  const authorization = props.AuthorizationType ?? 'NONE';
  if (authorization !== 'AWS_IAM' && authorization !== 'JWT' && authorization !== 'NONE') {
    throw new Error(
      `route ${props.RouteKey}: authorization ${authorization} is not supported locally (AWS_IAM, JWT or NONE)`,
    );
  }
  const jwt = authorization === 'JWT' ? authorizers.get(props.AuthorizerId ?? '') : undefined;
  if (authorization === 'JWT' && jwt === undefined)
    throw new Error(
      `route ${props.RouteKey}: its JWT authorizer ${props.AuthorizerId ?? ''} is not a JWT authorizer of this stack`,
    );
  if (jwt !== undefined) LocalJwtVerifier.checkIssuer(jwt.issuer);
  return { authorization, ...(jwt !== undefined ? { jwt } : {}) };
}
