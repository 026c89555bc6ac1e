import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../local/clock.js';
import { LocalHttpApi } from '../../local/http-api.js';
import { LocalJwtVerifier } from '../../local/jwt.js';
import type { LocalFunction } from '../../local/lambda-host.js';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const clock = new VirtualClock({ start: Date.UTC(2026, 10, 26, 12), rate: 0 });
let issuer: Server;
let issuerUrl: string;
let api: LocalHttpApi;
let apiUrl: string;

/** A token signed with RS256 by `key` (the issuer's own unless told otherwise). */
function token(claims: Record<string, unknown>, key: KeyObject = keys.privateKey, header: Record<string, unknown> = { alg: 'RS256', kid: 'k1' }): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unsigned = `${part(header)}.${part(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

const now = () => Math.floor(clock.now() / 1000);
const valid = () => ({ iss: issuerUrl, aud: 'mlops-api', sub: 'user-7', scope: 'predict feedback', exp: now() + 300 });

beforeAll(async () => {
  // A local identity provider: OpenID discovery and a JWKS with the issuer's public key.
  issuer = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: issuerUrl, jwks_uri: `${issuerUrl}/jwks.json` }));
    else res.end(JSON.stringify({ keys: [{ ...keys.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] }));
  });
  await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
  issuerUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
  const echo = { invoke: async (event: { requestContext: { authorizer: unknown } }) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.authorizer) }) } as unknown as LocalFunction;
  api = new LocalHttpApi([{ method: 'GET', path: '/v1/health', routeKey: 'GET /v1/health', authorization: 'JWT', jwt: { issuer: issuerUrl, audience: ['mlops-api'] }, fn: echo, payloadFormatVersion: '2.0' }], { accessKeyId: 'a', secretAccessKey: 's' }, 'us-east-1');
  api.setJwtVerifier(new LocalJwtVerifier(() => clock.now()));
  apiUrl = `http://127.0.0.1:${await api.listen(0)}`;
});

afterAll(async () => {
  await api.close();
  await new Promise((resolve) => issuer.close(resolve));
});

const call = (bearer?: string) => fetch(`${apiUrl}/v1/health`, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });

describe("API Gateway's JWT authorizer, locally", () => {
  it("accepts a token of the issuer for the audience and hands its claims and scopes to the function", async () => {
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
    ['an unsigned token', () => token(valid(), keys.privateKey, { alg: 'none' }), 'algorithm none is not accepted'],
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
    expect(() => LocalJwtVerifier.checkIssuer('https://cognito-idp.us-east-1.amazonaws.com/pool')).toThrow('is not on loopback');
  });
});
