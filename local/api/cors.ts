import type { IncomingHttpHeaders } from 'node:http';
import * as z from 'zod';
import type { LocalResources } from '../template.js';

/**
 * API Gateway's CORS for HTTP APIs, emulated from the template's `CorsConfiguration` as documented
 * (docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html): with CORS configured, the API answers
 * preflight `OPTIONS` requests itself, with or without an OPTIONS route (and without authorizing them, since browsers
 * send no credentials with a preflight); on other requests it adds the configured CORS headers to the integration's
 * response and ignores any the integration returned. Without a configuration nothing is added and OPTIONS finds no
 * route (404).
 */
export interface CorsConfiguration {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds?: number;
}

const corsSchema = z.object({
  AllowOrigins: z.array(z.string()).default([]),
  AllowMethods: z.array(z.string()).default([]),
  AllowHeaders: z.array(z.string()).default([]),
  ExposeHeaders: z.array(z.string()).default([]),
  AllowCredentials: z.boolean().default(false),
  MaxAge: z.number().int().min(-1).optional(),
});

/** The template's API CORS configuration, or undefined when it has none. */
export function loadCors(resources: LocalResources): CorsConfiguration | undefined {
  const [api] = resources.ofType('AWS::ApiGatewayV2::Api');
  const raw = (resources.resolve(api?.[1].Properties ?? {}) as { CorsConfiguration?: unknown }).CorsConfiguration;
  if (raw === undefined) return undefined;
  const c = corsSchema.parse(raw);
  return {
    allowOrigins: c.AllowOrigins,
    allowMethods: c.AllowMethods.map((m) => m.toUpperCase()),
    allowHeaders: c.AllowHeaders.map((h) => h.toLowerCase()),
    exposeHeaders: c.ExposeHeaders.map((h) => h.toLowerCase()),
    allowCredentials: c.AllowCredentials,
    ...(c.MaxAge !== undefined ? { maxAgeSeconds: c.MaxAge } : {}),
  };
}

const CORS_HEADER = /^access-control-/i;

/** The allowed origin to answer with (`*` or the request's), or undefined when the origin is not allowed. */
function allowedOrigin(cors: CorsConfiguration, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  // With credentials, browsers refuse `*`: the request's origin is echoed instead.
  if (cors.allowOrigins.includes('*')) return cors.allowCredentials ? origin : '*';
  return cors.allowOrigins.some((allowed) => allowed.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}

/** Whether a request is a CORS preflight: OPTIONS with an Origin and the method the browser wants to send. */
export function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
  return (
    method === 'OPTIONS' &&
    typeof headers.origin === 'string' &&
    typeof headers['access-control-request-method'] === 'string'
  );
}

/**
 * The preflight answer: 204 with the configured methods, headers and max age when the origin, the method and every
 * requested header are allowed; 204 without CORS headers otherwise (the browser then refuses the request).
 */
export function preflightHeaders(cors: CorsConfiguration, headers: IncomingHttpHeaders): Record<string, string> {
  const origin = allowedOrigin(cors, headers.origin);
  const method = String(headers['access-control-request-method']).toUpperCase();
  const requested = String(headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const methodAllowed = cors.allowMethods.includes('*') || cors.allowMethods.includes(method);
  const headersAllowed = cors.allowHeaders.includes('*') || requested.every((h) => cors.allowHeaders.includes(h));
  if (origin === undefined || !methodAllowed || !headersAllowed) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': cors.allowMethods.join(','),
    ...(cors.allowHeaders.length > 0 ? { 'access-control-allow-headers': cors.allowHeaders.join(',') } : {}),
    ...(cors.maxAgeSeconds !== undefined ? { 'access-control-max-age': String(cors.maxAgeSeconds) } : {}),
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    ...(origin !== '*' ? { vary: 'origin' } : {}),
  };
}

/** An integration's response headers as the API sends them: its CORS headers replaced by the configured ones. */
export function withCorsHeaders(
  cors: CorsConfiguration | undefined,
  origin: string | undefined,
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  if (cors === undefined) return { ...headers };
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !CORS_HEADER.test(name)));
  const allowed = allowedOrigin(cors, origin);
  if (allowed === undefined) return kept;
  return {
    ...kept,
    'access-control-allow-origin': allowed,
    ...(cors.exposeHeaders.length > 0 ? { 'access-control-expose-headers': cors.exposeHeaders.join(',') } : {}),
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    ...(allowed !== '*' ? { vary: kept.vary ? `${kept.vary}, origin` : 'origin' } : {}),
  };
}
