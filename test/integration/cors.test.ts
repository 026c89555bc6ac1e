import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCors, type CorsConfiguration } from '../../local/api/cors.js';
import { LocalHttpApi } from '../../local/api/http-api.js';
import type { LocalFunction } from '../../local/lambda/host.js';
import { LocalResources } from '../../local/template.js';
import { synthesizedTemplate } from '../helpers/test-app.js';

const APP = 'https://app.example.com';
let cors: CorsConfiguration | undefined;
let withCors: { api: LocalHttpApi; url: string };
let withoutCors: { api: LocalHttpApi; url: string };

/** An API with one IAM-authorized route whose function answers with a CORS header of its own (which must not pass). */
async function serve(configuration: CorsConfiguration | undefined): Promise<{ api: LocalHttpApi; url: string }> {
  const fn = {
    invoke: async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'access-control-allow-origin': 'https://evil.example' },
      body: '{"ok":true}',
    }),
  } as unknown as LocalFunction;
  const api = new LocalHttpApi(
    [
      {
        method: 'GET',
        path: '/v1/health',
        routeKey: 'GET /v1/health',
        authorization: 'NONE',
        fn,
        payloadFormatVersion: '2.0',
      },
      {
        method: 'POST',
        path: '/v1/models/{model}/predict',
        routeKey: 'POST /v1/models/{model}/predict',
        authorization: 'AWS_IAM',
        fn,
        payloadFormatVersion: '2.0',
      },
    ],
    { accessKeyId: 'a', secretAccessKey: 's' },
    'us-east-1',
  );
  api.setCors(configuration);
  return { api, url: `http://127.0.0.1:${await api.listen(0)}` };
}

beforeAll(async () => {
  // The configuration as the stack declares it with `apiCorsOrigins` (bundling skipped: only the template matters).
  const template = synthesizedTemplate({ stackProps: { apiCorsOrigins: [APP] } }).toJSON() as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  cors = loadCors(
    new LocalResources(template, {
      stackName: 'S',
      region: 'us-east-1',
      account: '000000000000',
      apiUrl: 'http://localhost',
    }),
  );
  withCors = await serve(cors);
  withoutCors = await serve(undefined);
}, 120_000);

afterAll(async () => {
  await withCors.api.close();
  await withoutCors.api.close();
});

const preflight = (url: string, origin: string, requestHeaders = 'content-type,authorization') =>
  fetch(`${url}/v1/models/adult/predict`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });

describe("API Gateway's CORS for HTTP APIs, locally, from the stack's configuration", () => {
  it('reads the configuration the stack declares', () => {
    expect(cors).toMatchObject({
      allowOrigins: [APP],
      allowMethods: ['GET', 'POST'],
      maxAgeSeconds: 3600,
      allowCredentials: false,
    });
    expect(cors?.allowHeaders).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-mlops-routing-key']),
    );
  });

  it('answers a preflight itself, on an IAM route without a signature (browsers send none), when the origin, method and headers are allowed', async () => {
    const response = await preflight(withCors.url, APP);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(response.headers.get('access-control-allow-headers')?.split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type']),
    );
    expect(response.headers.get('access-control-max-age')).toBe('3600');
    expect(response.headers.get('vary')).toBe('origin');
  });

  it('gives no CORS headers to another origin, or to a header the configuration does not allow (the browser then refuses)', async () => {
    for (const response of [
      await preflight(withCors.url, 'https://other.example'),
      await preflight(withCors.url, APP, 'x-secret'),
    ]) {
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-methods')).toBeNull();
    }
  });

  it("puts the configured headers on the integration's answers and drops the ones the function set", async () => {
    const allowed = await fetch(`${withCors.url}/v1/health`, { headers: { origin: APP } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    const other = await fetch(`${withCors.url}/v1/health`, { headers: { origin: 'https://other.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(await other.json()).toEqual({ ok: true });
  });

  it('without a configuration: no preflight answers (OPTIONS has no route) and the responses pass as the function sent them', async () => {
    expect((await preflight(withoutCors.url, APP)).status).toBe(404);
    const response = await fetch(`${withoutCors.url}/v1/health`, { headers: { origin: APP } });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://evil.example');
  });
});
