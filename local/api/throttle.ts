import * as z from 'zod';
import type { LocalResources } from '../template.js';

/** A route's limits as the stage declares them: steady requests per second and the burst (the bucket's size). */
export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface StageThrottling {
  readonly defaults?: ThrottleLimits;
  /** By route key (`POST /v1/models/{model}/predict`): overrides the defaults. */
  readonly routes: ReadonlyMap<string, ThrottleLimits>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * API Gateway's throttling, per route, as the token bucket its documentation describes: a bucket of `burstLimit`
 * tokens refilled at `rateLimit` per second; a request takes one token or is answered 429. Time is the runtime's clock
 * (a test empties a bucket and advances the clock to refill it). Locally `Retry-After` says when a token is back.
 */
export class LocalThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly throttling: StageThrottling,
    private readonly now: () => number,
  ) {}

  /** Takes a token for the route: undefined when allowed, else the seconds until the next token. */
  take(routeKey: string): number | undefined {
    const limits = this.throttling.routes.get(routeKey) ?? this.throttling.defaults;
    if (limits === undefined) return undefined;
    if (limits.rateLimit <= 0 && limits.burstLimit <= 0) return 1;
    const now = this.now();
    const bucket = this.buckets.get(routeKey) ?? { tokens: limits.burstLimit, at: now };
    bucket.tokens = Math.min(limits.burstLimit, bucket.tokens + ((now - bucket.at) / 1000) * limits.rateLimit);
    bucket.at = now;
    this.buckets.set(routeKey, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return limits.rateLimit > 0 ? Math.max(1, Math.ceil((1 - bucket.tokens) / limits.rateLimit)) : 60;
  }
}

const settingsSchema = z
  .object({ ThrottlingRateLimit: z.number().optional(), ThrottlingBurstLimit: z.number().optional() })
  .loose();
const stageSchema = z
  .object({
    DefaultRouteSettings: settingsSchema.optional(),
    RouteSettings: z.record(z.string(), settingsSchema).optional(),
  })
  .loose();

const limitsOf = (s: z.infer<typeof settingsSchema> | undefined): ThrottleLimits | undefined =>
  s?.ThrottlingRateLimit !== undefined || s?.ThrottlingBurstLimit !== undefined
    ? { rateLimit: s?.ThrottlingRateLimit ?? 10_000, burstLimit: s?.ThrottlingBurstLimit ?? 5_000 }
    : undefined;

/** The template's stage throttling (its default route settings, and per-route settings by route key). */
export function loadThrottling(resources: LocalResources): StageThrottling {
  const [stage] = resources.ofType('AWS::ApiGatewayV2::Stage');
  if (stage === undefined) return { routes: new Map() };
  const props = stageSchema.parse(resources.resolve(stage[1].Properties ?? {}));
  const defaults = limitsOf(props.DefaultRouteSettings);
  const routes = new Map(
    Object.entries(props.RouteSettings ?? {}).flatMap(([key, s]) => {
      const limits = limitsOf(s);
      return limits ? [[key, limits] as const] : [];
    }),
  );
  return { ...(defaults ? { defaults } : {}), routes };
}
