import { describe, expect, it } from 'vitest';
import { verifySigV4 } from '../../local/api/sigv4.js';
import { signedRequest } from '../helpers/sign.js';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const body = '{"instances":[{"age":30}]}';

async function check(overrides: {
  body?: string;
  secret?: string;
  key?: string;
  at?: Date;
  now?: Date;
  url?: string;
  signedUrl?: string;
}) {
  const request = await signedRequest({
    url: overrides.signedUrl ?? 'http://127.0.0.1:3000/v1/models/adult/predict?verbose=1&a=b',
    body,
    ...(overrides.secret ? { secretAccessKey: overrides.secret } : {}),
    ...(overrides.key ? { accessKeyId: overrides.key } : {}),
    ...(overrides.at ? { date: overrides.at } : {}),
  });
  const url = new URL(overrides.url ?? request.url);
  return verifySigV4(
    {
      method: 'POST',
      url: `${url.pathname}${url.search}`,
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
      body: Buffer.from(overrides.body ?? body),
    },
    credentials,
    overrides.now,
  );
}

describe('verifySigV4 against the AWS SDK signer', () => {
  it('accepts a request signed with the local credentials', async () => {
    expect(await check({})).toEqual({ ok: true, accessKeyId: 'S3RVER' });
  });

  it('rejects a changed body, path, wrong secret, unknown key and an old signature', async () => {
    expect(await check({ body: '{"instances":[]}' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('does not match'),
    });
    expect(await check({ body: `${body} ` })).toMatchObject({ ok: false });
    expect(await check({ url: 'http://127.0.0.1:3000/v1/models/other/predict?verbose=1&a=b' })).toMatchObject({
      ok: false,
    });
    expect(await check({ secret: 'nope' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('does not match'),
    });
    expect(await check({ key: 'AKIDOTHER' })).toMatchObject({ ok: false, reason: 'unknown access key AKIDOTHER' });
    const old = new Date(Date.now() - 20 * 60 * 1000);
    expect(await check({ at: old })).toMatchObject({ ok: false, reason: expect.stringContaining('expired') });
  });

  it("verifies a path with characters URLs leave unescaped (! ' ( ) *) or escapes (%20, %2F, é) as the SDK signed it: each segment as sent, encoded once more", async () => {
    for (const name of ['a!b', "a'b", 'a(b)', 'a*b', 'a%20b', 'a b', 'a%2Fb', 'é', 'a~b', 'a%21b', '%zz']) {
      expect(await check({ signedUrl: `http://127.0.0.1:3000/v1/models/${name}/predict` }), name).toEqual({
        ok: true,
        accessKeyId: 'S3RVER',
      });
    }
    // Not a normalization of the path: the same name escaped otherwise is another request.
    expect(
      await check({
        signedUrl: 'http://127.0.0.1:3000/v1/models/a!b/predict',
        url: 'http://127.0.0.1:3000/v1/models/a%21b/predict',
      }),
    ).toMatchObject({ ok: false });
  });

  it('rejects an unsigned request', async () => {
    expect(await verifySigV4({ method: 'POST', url: '/', headers: {}, body: Buffer.alloc(0) }, credentials)).toEqual({
      ok: false,
      reason: 'the request is not signed (no Authorization header)',
    });
  });
});
