import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalFunction } from '../lambda/host.js';
import { isPreflight, preflightHeaders, withCorsHeaders, type CorsConfiguration } from './cors.js';
import { LoopbackServer, readBody } from '../loopback-server.js';
import { verifySigV4, type Credentials } from './sigv4.js';
import type { JwtAuthorizerSpec, LocalJwtVerifier } from './jwt.js';
import type { LocalThrottle } from './throttle.js';

/** API Gateway's payload limit for HTTP APIs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface LocalRoute {
  readonly method: string;
  /** Path template, e.g. `/v1/models/{model}/predict`; `{name+}` matches the rest of the path. */
  readonly path: string;
  readonly routeKey: string;
  readonly authorization: 'AWS_IAM' | 'JWT' | 'NONE';
  /** The route's JWT authorizer (authorization JWT). */
  readonly jwt?: JwtAuthorizerSpec;
  readonly fn: LocalFunction;
  readonly payloadFormatVersion: '1.0' | '2.0';
}

interface CompiledRoute extends LocalRoute {
  readonly regex: RegExp;
  readonly params: string[];
}

function compile(route: LocalRoute): CompiledRoute {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const match = /^\{([^}+]+)(\+)?\}$/.exec(segment);
      if (match === null) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(match[1] as string);
      return match[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, regex: new RegExp(`^${source}$`), params };
}

/**
 * Serves the template's HTTP API routes on localhost, building API Gateway's payload format 2.0 events and checking
 * SigV4 signatures on IAM-authorized routes against the local credentials.
 */
export class LocalHttpApi {
  private routes: CompiledRoute[];
  private responseListener: ((status: number, latencyMs: number) => void) | undefined;
  private throttle: LocalThrottle | undefined;
  private jwtVerifier: LocalJwtVerifier | undefined;
  private cors: CorsConfiguration | undefined;
  private readonly server = new LoopbackServer('local HTTP API', (req, res) => this.handle(req, res));

  constructor(
    routes: readonly LocalRoute[],
    private readonly credentials: Credentials,
    private readonly region: string,
  ) {
    this.routes = routes.map(compile);
  }

  /** Routes can be set after listening: the API's URL must be known before the functions' environment is. */
  setRoutes(routes: readonly LocalRoute[]): void {
    this.routes = routes.map(compile);
  }

  /** Verifies bearer tokens of JWT-authorized routes (on the runtime's clock). */
  setJwtVerifier(verifier: LocalJwtVerifier): void {
    this.jwtVerifier = verifier;
  }

  /** The stage's throttling (from the template), enforced per route before anything else. */
  setThrottle(throttle: LocalThrottle): void {
    this.throttle = throttle;
  }

  /** The API's CORS configuration (from the template): preflights answered, CORS headers on integration responses. */
  setCors(cors: CorsConfiguration | undefined): void {
    this.cors = cors;
  }

  /** Called once per answered request, with its status and latency (the AWS/ApiGateway metrics are made from it). */
  onResponse(listener: (status: number, latencyMs: number) => void): void {
    this.responseListener = listener;
  }

  listen(port: number): Promise<number> {
    return this.server.listen(port);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    res.once('finish', () => this.responseListener?.(res.statusCode, performance.now() - started));
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    if (this.cors !== undefined && isPreflight(method, req.headers)) {
      req.resume();
      res.writeHead(204, preflightHeaders(this.cors, req.headers));
      res.end();
      return;
    }
    const route = this.routes.find((r) => (r.method === 'ANY' || r.method === method) && r.regex.test(url.pathname));
    if (route === undefined) {
      send(res, 404, { message: 'Not Found' });
      return;
    }
    const retryAfter = this.throttle?.take(route.routeKey);
    if (retryAfter !== undefined) {
      req.resume();
      res.setHeader('retry-after', String(retryAfter));
      send(res, 429, { message: 'Too Many Requests' });
      return;
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) {
      send(res, 413, { message: 'Request Entity Too Large' });
      return;
    }
    const authorized = await this.authorize(route, req, method, body, res);
    if (authorized === undefined) return;
    const jwtClaims = authorized.jwt;
    const match = route.regex.exec(url.pathname) as RegExpExecArray;
    const pathParameters = decodedParameters(route.params, match);
    if (pathParameters === undefined) {
      // A malformed escape (`%zz`) names nothing a function could look up: refused as a bad request, never invoked.
      send(res, 400, { message: 'Bad Request' });
      return;
    }
    const event = this.eventV2(req, route, url, body, pathParameters, jwtClaims);
    let result: unknown;
    try {
      result = await route.fn.invoke(event);
    } catch (error) {
      console.error(`${route.routeKey}: ${(error as Error).name}: ${(error as Error).message}`);
      send(res, 500, { message: 'Internal Server Error' });
      return;
    }
    writeResult(res, result, (headers) => withCorsHeaders(this.cors, req.headers.origin, headers));
  }

  /** The route's authorization, as API Gateway applies it; undefined when refused (the refusal is sent). */
  private async authorize(
    route: CompiledRoute,
    req: IncomingMessage,
    method: string,
    body: Buffer,
    res: ServerResponse,
  ): Promise<{ jwt?: { claims: Record<string, unknown>; scopes: string[] } } | undefined> {
    if (route.authorization === 'AWS_IAM') {
      const verdict = await verifySigV4({ method, url: req.url ?? '/', headers: req.headers, body }, this.credentials);
      if (!verdict.ok) {
        res.setHeader('x-local-auth-reason', verdict.reason);
        send(res, 403, { message: 'Forbidden' });
        return undefined;
      }
    }
    if (route.authorization === 'JWT') {
      const verdict =
        route.jwt && this.jwtVerifier
          ? await this.jwtVerifier.verify(route.jwt, req.headers.authorization)
          : { ok: false as const, reason: 'no JWT authorizer configured locally' };
      if (!verdict.ok) {
        res.setHeader('x-local-auth-reason', verdict.reason);
        res.setHeader('www-authenticate', 'Bearer');
        send(res, 401, { message: 'Unauthorized' });
        return undefined;
      }
      return { jwt: { claims: verdict.claims, scopes: verdict.scopes } };
    }
    return {};
  }

  private eventV2(
    req: IncomingMessage,
    route: CompiledRoute,
    url: URL,
    body: Buffer,
    pathParameters: Record<string, string>,
    jwt?: { claims: Record<string, unknown>; scopes: string[] },
  ): unknown {
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    );
    const isText = /json|text|xml|x-www-form-urlencoded/.test(headers['content-type'] ?? 'application/json');
    const now = new Date();
    return {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
      pathParameters,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'localhost',
        http: {
          method: route.method === 'ANY' ? (req.method ?? 'GET') : route.method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: route.routeKey,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
        ...(route.authorization === 'AWS_IAM'
          ? {
              authorizer: {
                iam: {
                  accessKey: this.credentials.accessKeyId,
                  accountId: '000000000000',
                  userArn: 'arn:aws:iam::000000000000:user/local',
                },
              },
            }
          : {}),
        ...(jwt !== undefined ? { authorizer: { jwt } } : {}),
      },
      ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: body.length > 0 && !isText,
      region: this.region,
    };
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Maps a handler's result as API Gateway does for payload format 2.0 (`finish` adds the API's own headers). */
function writeResult(
  res: ServerResponse,
  result: unknown,
  finish: (headers: Record<string, string>) => Record<string, string>,
): void {
  if (result !== null && typeof result === 'object' && 'statusCode' in result) {
    const r = result as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
      cookies?: string[];
    };
    res.writeHead(r.statusCode, { ...finish(r.headers ?? {}), ...(r.cookies ? { 'set-cookie': r.cookies } : {}) });
    res.end(r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
    return;
  }
  res.writeHead(200, finish({ 'content-type': 'application/json' }));
  res.end(typeof result === 'string' ? result : JSON.stringify(result));
}

/** HTTP APIs hand path parameters to the function decoded; undefined when an escape is malformed. */
function decodedParameters(names: readonly string[], match: RegExpExecArray): Record<string, string> | undefined {
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]));
  } catch {
    return undefined;
  }
}
