import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityProvider, type LocalIdentityProvider } from '../helpers/identity-provider.js';
import { startTestStack, type TestStack } from '../helpers/local-stack.js';
import { signedFetch } from '../helpers/sign.js';

/**
 * The stack synthesized with a JWT-authorized, CORS-enabled API (as an environment's `api` section declares it, and
 * `npm start -- --env <name>` runs it) against an identity provider on loopback: API Gateway's JWT authorizer and
 * CORS as the local runtime reads them from that template.
 */
const APP = 'https://app.example.com';
let idp: LocalIdentityProvider;
let stack: TestStack;

const url = (path: string) => `${stack.runtime.endpoints.apiUrl}${path}`;
const claims = () => ({
  iss: idp.issuer,
  aud: 'mlops-api',
  sub: 'analyst-1',
  scope: 'predict',
  exp: Math.floor(Date.now() / 1000) + 600,
});
const bearer = (token: string, more: Record<string, string> = {}) => ({
  headers: { authorization: `Bearer ${token}`, ...more },
});

beforeAll(async () => {
  // A stable issuer URL when the port is free: the stack synthesized with it is reused by the next run.
  idp = await startIdentityProvider({ preferredPort: 47_913 });
  stack = await startTestStack({
    api: { authorization: 'jwt', jwt: { issuer: idp.issuer, audience: ['mlops-api'] }, corsOrigins: [APP] },
  });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await idp?.close();
});

describe('a JWT-authorized API through the local runtime', () => {
  it("serves a caller with the issuer's token, and refuses one without it, with another signer's, or with only a SigV4 signature", async () => {
    const ok = await fetch(url('/v1/health'), bearer(idp.token(claims())));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok' });
    const { generateKeyPairSync } = await import('node:crypto');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    for (const refused of [
      await fetch(url('/v1/health')),
      await fetch(url('/v1/health'), bearer(idp.token(claims(), stranger))),
      await fetch(url('/v1/health'), bearer(idp.token({ ...claims(), aud: 'another-api' }))),
      await signedFetch({ url: url('/v1/health'), method: 'GET' }),
    ]) {
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ message: 'Unauthorized' });
    }
  });

  it("hands the token's claims to predict, which answers for the model (none in production here: a 404 naming the fix)", async () => {
    const response = await fetch(url('/v1/models/adult/predict'), {
      method: 'POST',
      body: JSON.stringify({ instances: [{}] }),
      ...bearer(idp.token(claims()), { 'content-type': 'application/json' }),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toContain(
      'upload training data to incoming/adult/',
    );
  });

  it("answers a browser's preflight and marks the answers for the configured origin only", async () => {
    const preflight = await fetch(url('/v1/models/adult/predict'), {
      method: 'OPTIONS',
      headers: {
        origin: APP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
    const answer = await fetch(url('/v1/health'), bearer(idp.token(claims()), { origin: APP }));
    expect(answer.headers.get('access-control-allow-origin')).toBe(APP);
    const elsewhere = await fetch(
      url('/v1/health'),
      bearer(idp.token(claims()), { origin: 'https://elsewhere.example' }),
    );
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });
});
