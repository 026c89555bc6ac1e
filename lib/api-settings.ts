import * as z from 'zod';
import { API_ROUTE_KEYS } from './inference-api.js';
import type { MlopsStackProps } from './mlops-stack.js';

const limits = z.strictObject({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() });
const routeLimits = z.record(z.string(), limits).superRefine((routes, ctx) => {
  const unknown = Object.keys(routes).filter((key) => !API_ROUTE_KEYS.includes(key));
  if (unknown.length > 0)
    ctx.addIssue({
      code: 'custom',
      message: `unknown route key ${unknown.map((k) => `"${k}"`).join(', ')}; the API's routes are ${API_ROUTE_KEYS.map((k) => `"${k}"`).join(', ')}`,
    });
});

/**
 * How the inference API is exposed, as an environment in cdk.json declares it under `api` (and as `npm start -- --env
 * <name>` runs it locally): who may call it, from which browser origins, how fast.
 */
export const ApiSettingsSchema = z
  .strictObject({
    /** `iam` (SigV4), `jwt` (the issuer's tokens) or `none` (anyone who can reach it). @default iam */
    authorization: z.enum(['iam', 'jwt', 'none']).default('iam'),
    /** With `jwt`: the issuer URL (its OpenID discovery document names the keys) and the accepted audiences. */
    jwt: z
      .strictObject({ issuer: z.url({ protocol: /^https?$/ }), audience: z.array(z.string().min(1)).min(1) })
      .optional(),
    /** Browser origins allowed to call the API (CORS); none turns CORS off. */
    corsOrigins: z
      .array(z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, 'an origin like https://app.example.com, or *'))
      .default([]),
    /** Requests per second and burst for every route, and single routes by route key (e.g. "POST /v1/models/{model}/feedback"). */
    throttling: limits.partial().extend({ routes: routeLimits.optional() }).strict().optional(),
  })
  .refine((api) => (api.authorization === 'jwt') === (api.jwt !== undefined), {
    message: 'give "jwt" (issuer and audience) exactly when authorization is "jwt"',
    path: ['jwt'],
  });

export type ApiSettings = z.input<typeof ApiSettingsSchema>;

/** The stack props of validated API settings. */
export function apiStackProps(
  input: ApiSettings,
): Pick<MlopsStackProps, 'apiAuthorization' | 'apiJwt' | 'apiCorsOrigins' | 'apiThrottling'> {
  const api = ApiSettingsSchema.parse(input);
  return {
    apiAuthorization: api.authorization,
    ...(api.jwt ? { apiJwt: api.jwt } : {}),
    ...(api.corsOrigins.length > 0 ? { apiCorsOrigins: api.corsOrigins } : {}),
    ...(api.throttling ? { apiThrottling: api.throttling } : {}),
  };
}
