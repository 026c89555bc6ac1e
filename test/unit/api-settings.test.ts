import { describe, expect, it } from 'vitest';
import { apiStackProps } from '../../lib/api-settings.js';
import { environmentApiSettings, resolveEnvironment } from '../../lib/environments.js';

const JWT = { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc', audience: ['client-1'] };

describe("an environment's API settings (cdk.json environments.<name>.api)", () => {
  it('become the stack props of the API: authorization, JWT issuer, CORS origins, throttling', () => {
    const { stackProps } = resolveEnvironment('prod', {
      prod: {
        api: {
          authorization: 'jwt',
          jwt: JWT,
          corsOrigins: ['https://app.example.com'],
          throttling: {
            rateLimit: 50,
            routes: { 'POST /v1/models/{model}/feedback': { rateLimit: 5, burstLimit: 10 } },
          },
        },
      },
    });
    expect(stackProps).toMatchObject({
      apiAuthorization: 'jwt',
      apiJwt: JWT,
      apiCorsOrigins: ['https://app.example.com'],
      apiThrottling: {
        rateLimit: 50,
        routes: { 'POST /v1/models/{model}/feedback': { rateLimit: 5, burstLimit: 10 } },
      },
    });
    // Left out: IAM, no CORS, the stage's default throttling.
    expect(apiStackProps({})).toEqual({ apiAuthorization: 'iam' });
    expect(resolveEnvironment('dev', { dev: {} }).stackProps.apiAuthorization).toBeUndefined();
  });

  it.each([
    [{ authorization: 'jwt' }, 'api.jwt: give "jwt" (issuer and audience) exactly when authorization is "jwt"'],
    [{ jwt: JWT }, 'api.jwt: give "jwt"'],
    [{ authorization: 'jwt', jwt: { issuer: 'not a url', audience: ['a'] } }, 'api.jwt.issuer'],
    [{ corsOrigins: ['app.example.com/path'] }, 'api.corsOrigins.0: an origin like https://app.example.com'],
    [
      { throttling: { routes: { 'DELETE /x': { rateLimit: 1, burstLimit: 1 } } } },
      'api.throttling.routes: unknown route key "DELETE /x"; the API\'s routes are "POST /v1/models/{model}/predict"',
    ],
    [{ authorisation: 'jwt' }, 'api: Unrecognized key: "authorisation"'],
  ])('refuses %j, saying what is wrong', (api, message) => {
    expect(() => resolveEnvironment('prod', { prod: { api } })).toThrow(message);
  });

  it('are what `npm start -- --env <name>` serves locally; an unknown environment is named with the known ones', () => {
    expect(environmentApiSettings('prod', { prod: { api: { authorization: 'jwt', jwt: JWT } } })).toMatchObject({
      authorization: 'jwt',
      jwt: JWT,
      corsOrigins: [],
    });
    expect(environmentApiSettings('dev', { dev: { removalPolicy: 'destroy' } })).toBeUndefined();
    expect(() => environmentApiSettings('qa', { dev: {}, prod: {} })).toThrow(
      'unknown environment "qa": cdk.json context "environments" defines dev, prod',
    );
  });
});
