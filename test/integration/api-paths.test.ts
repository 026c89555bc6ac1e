import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestValidationError } from '../../lambdas/core/errors.js';
import { requestModelName } from '../../lambdas/core/model-name.js';
import { LocalHttpApi } from '../../local/api/http-api.js';
import type { LocalFunction } from '../../local/lambda/host.js';
import { signedFetch } from '../helpers/sign.js';

let api: LocalHttpApi;
let url: string;

/** A function that checks the model name as the serving functions do: 200 with the name, or 400 with the reason. */
const fn = {
  invoke: async (event: { pathParameters: { model?: string } }) => {
    try {
      return { statusCode: 200, body: JSON.stringify({ model: requestModelName(event.pathParameters.model) }) };
    } catch (error) {
      if (!(error instanceof RequestValidationError)) throw error;
      return { statusCode: 400, body: JSON.stringify({ message: error.message }) };
    }
  },
} as unknown as LocalFunction;

beforeAll(async () => {
  api = new LocalHttpApi(
    [
      {
        method: 'POST',
        path: '/v1/models/{model}/predict',
        routeKey: 'POST /v1/models/{model}/predict',
        authorization: 'AWS_IAM',
        fn,
        payloadFormatVersion: '2.0',
      },
    ],
    { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    'us-east-1',
  );
  url = `http://127.0.0.1:${await api.listen(0)}`;
});

afterAll(async () => {
  await api.close();
});

const post = (name: string) => signedFetch({ url: `${url}/v1/models/${name}/predict`, body: '{}' });

describe('model names in paths, through the local HTTP API with SigV4', () => {
  it('hands a signed request the decoded name, whatever characters it has, so the function answers 400 naming the rule (never a 403)', async () => {
    for (const [name, decoded] of [
      ['a!b', 'a!b'],
      ["it's", "it's"],
      ['a(1)', 'a(1)'],
      ['a*', 'a*'],
      ['a%20b', 'a b'],
      ['Adult', 'Adult'],
      ['a%2Fb', 'a/b'],
    ] as const) {
      const response = await post(name);
      expect(response.status, name).toBe(400);
      expect(await response.json()).toEqual({
        message: `${JSON.stringify(decoded)} is not a model name (1 to 63 lower-case letters, digits and dashes, starting with a letter or digit); use the name of the model's file, models/<name>.json`,
      });
    }
    const good = await post('adult-2');
    expect([good.status, await good.json()]).toEqual([200, { model: 'adult-2' }]);
  });

  it('refuses a malformed escape with 400 without invoking the function', async () => {
    const response = await post('%zz');
    expect([response.status, await response.json()]).toEqual([400, { message: 'Bad Request' }]);
  });
});
