import { describe, expect, it } from 'vitest';
import { LocalResources } from '../../local/template.js';
import { LocalThrottle, loadThrottling } from '../../local/api/throttle.js';

const PREDICT = 'POST /v1/models/{model}/predict';
const FEEDBACK = 'POST /v1/models/{model}/feedback';

describe("API Gateway's throttling, locally (token bucket per route)", () => {
  it('lets a burst through, then answers 429 with the seconds until a token is back, refilling at the rate', () => {
    let now = 0;
    const throttle = new LocalThrottle({ defaults: { rateLimit: 2, burstLimit: 5 }, routes: new Map() }, () => now);
    const results = Array.from({ length: 7 }, () => throttle.take(PREDICT));
    expect(results).toEqual([undefined, undefined, undefined, undefined, undefined, 1, 1]);
    now += 500; // half a second at 2 per second: one token
    expect(throttle.take(PREDICT)).toBeUndefined();
    expect(throttle.take(PREDICT)).toBe(1);
    now += 60_000; // never more than the burst
    expect(Array.from({ length: 6 }, () => throttle.take(PREDICT)).filter((r) => r === undefined)).toHaveLength(5);
  });

  it('keeps a bucket per route; a route setting overrides the defaults; no settings means no limit', () => {
    const throttle = new LocalThrottle(
      {
        defaults: { rateLimit: 100, burstLimit: 200 },
        routes: new Map([[FEEDBACK, { rateLimit: 0.5, burstLimit: 1 }]]),
      },
      () => 0,
    );
    expect(throttle.take(FEEDBACK)).toBeUndefined();
    expect(throttle.take(FEEDBACK)).toBe(2);
    expect(throttle.take(PREDICT)).toBeUndefined();
    const unlimited = new LocalThrottle({ routes: new Map() }, () => 0);
    expect(Array.from({ length: 1000 }, () => unlimited.take(PREDICT)).every((r) => r === undefined)).toBe(true);
  });

  it("reads the stage's default and per-route settings from the template", () => {
    const resources = new LocalResources(
      {
        Resources: {
          Stage: {
            Type: 'AWS::ApiGatewayV2::Stage',
            Properties: {
              DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
              RouteSettings: { [FEEDBACK]: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } },
            },
          },
        },
      },
      { stackName: 'S', region: 'us-east-1', account: '000000000000', apiUrl: 'http://localhost' },
    );
    const throttling = loadThrottling(resources);
    expect(throttling.defaults).toEqual({ rateLimit: 100, burstLimit: 200 });
    expect(throttling.routes.get(FEEDBACK)).toEqual({ rateLimit: 5, burstLimit: 10 });
  });
});
