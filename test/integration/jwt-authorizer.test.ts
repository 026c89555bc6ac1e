import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../local/clock.js';
import { LocalHttpApi } from '../../local/api/http-api.js';
import { LocalJwtVerifier } from '../../local/api/jwt.js';
import type { LocalFunction } from '../../local/lambda/host.js';
import { startIdentityProvider, type LocalIdentityProvider } from '../helpers/identity-provider.js';

const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const clock = new VirtualClock({ start: Date.UTC(2026, 10, 26, 12), rate: 0 });
let idp: LocalIdentityProvider;
let issuerUrl: string;
let api: LocalHttpApi;
let apiUrl: string;

/** A token signed with RS256 by the identity provider (or by `key`). */
const token = (claims: Record<string, unknown>, key?: KeyObject, header?: Record<string, unknown>): string =>
  idp.token(claims, key, header);

const now = () => Math.floor(clock.now() / 1000);
const valid = () => ({ iss: issuerUrl, aud: 'mlops-api', sub: 'user-7', scope: 'predict feedback', exp: now() + 300 });

beforeAll(async () => {
  idp = await startIdentityProvider();
  issuerUrl = idp.issuer;
  const echo = {
    invoke: async (event: { requestContext: { authorizer: unknown } }) => ({
      statusCode: 200,
      body: JSON.stringify(event.requestContext.authorizer),
    }),
  } as unknown as LocalFunction;
  api = new LocalHttpApi(
    [
      {
        method: 'GET',
        path: '/v1/health',
        routeKey: 'GET /v1/health',
        authorization: 'JWT',
        jwt: { issuer: issuerUrl, audience: ['mlops-api'] },
        fn: echo,
        payloadFormatVersion: '2.0',
      },
    ],
    { accessKeyId: 'a', secretAccessKey: 's' },
    'us-east-1',
  );
  api.setJwtVerifier(new LocalJwtVerifier(() => clock.now()));
  apiUrl = `http://127.0.0.1:${await api.listen(0)}`;
});

afterAll(async () => {
  await api.close();
  await idp.close();
});

const call = (bearer?: string) =>
  fetch(`${apiUrl}/v1/health`, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });

describe("API Gateway's JWT authorizer, locally", () => {
  it('accepts a token of the issuer for the audience and hands its claims and scopes to the function', async () => {
    const response = await call(token(valid()));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ jwt: { claims: valid(), scopes: ['predict', 'feedback'] } });
    // client_id stands for aud, as for Cognito access tokens.
    const { aud: _aud, ...withoutAud } = valid();
    expect((await call(token({ ...withoutAud, client_id: 'mlops-api' }))).status).toBe(200);
  });

  it.each([
    ['no token', undefined, 'no bearer token in the Authorization header'],
    ['another key', () => token(valid(), stranger.privateKey), 'the signature does not verify'],
    ['another audience', () => token({ ...valid(), aud: 'other' }), 'audience other is not one of mlops-api'],
    ['another issuer', () => token({ ...valid(), iss: 'http://127.0.0.1:1' }), 'issuer http://127.0.0.1:1 is not'],
    ['an expired token', () => token({ ...valid(), exp: now() - 1 }), 'the token has expired'],
    ['a token not valid yet', () => token({ ...valid(), nbf: now() + 60 }), 'the token is not valid yet (nbf)'],
    ['an unsigned token', () => token(valid(), undefined, { alg: 'none' }), 'algorithm none is not accepted'],
    ['something else', () => 'not-a-jwt', 'the token is not a JWT'],
  ])('refuses %s with 401', async (_what, make, reason) => {
    const response = await call(typeof make === 'function' ? make() : make);
    expect(response.status).toBe(401);
    expect(response.headers.get('x-local-auth-reason')).toContain(reason);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  it("expires tokens on the runtime's clock", async () => {
    const short = token({ ...valid(), exp: now() + 60 });
    expect((await call(short)).status).toBe(200);
    await clock.advance(61_000);
    expect((await call(short)).status).toBe(401);
  });

  it('refuses an issuer off loopback at start-up: the local runtime never reaches the network', () => {
    expect(() => LocalJwtVerifier.checkIssuer('https://cognito-idp.us-east-1.amazonaws.com/pool')).toThrow(
      'is not on loopback',
    );
  });
});
