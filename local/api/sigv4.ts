import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, timingSafeEqual } from 'node:crypto';
import { NodeSha256 } from '../../lambdas/shared/adapters/node-sha256.js';

/**
 * Checks an AWS Signature Version 4 on an incoming request, as API Gateway and the AWS JSON APIs do: the request is
 * signed again with the AWS SDK's own signer (`@smithy/signature-v4`), from what arrived — the same date, scope and
 * signed headers, the path as it was sent, the body received — and the signatures compared. Locally there is one
 * identity: the local credentials written to .mlops/local.json.
 */

export interface SignedRequest {
  readonly method: string;
  /** Path and query as received, e.g. `/v1/models/adult/predict?x=1`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export type VerifyResult =
  { readonly ok: true; readonly accessKeyId: string } | { readonly ok: false; readonly reason: string };

const MAX_SKEW_MS = 15 * 60 * 1000;
const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/;

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20261207T120000Z` as a date, or undefined. */
function amzDateOf(text: string | undefined): Date | undefined {
  const match = text === undefined ? null : /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s] = match as unknown as string[];
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

/** The query as the signer takes it: decoded names and values, a repeated name as a list. */
function queryOf(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    const known = query[name];
    query[name] = known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value];
  }
  return query;
}

export async function verifySigV4(
  request: SignedRequest,
  credentials: Credentials,
  now: Date = new Date(),
): Promise<VerifyResult> {
  const authorization = header(request.headers, 'authorization');
  if (authorization === undefined) return { ok: false, reason: 'the request is not signed (no Authorization header)' };
  const match = AUTH_PATTERN.exec(authorization.trim());
  if (match === null) return { ok: false, reason: 'the Authorization header is not an AWS4-HMAC-SHA256 signature' };
  const [, accessKeyId, day, region, service, signedHeaderList, signature] = match as unknown as string[];
  if (accessKeyId !== credentials.accessKeyId) return { ok: false, reason: `unknown access key ${accessKeyId}` };
  const amzDate = header(request.headers, 'x-amz-date');
  const signedAt = amzDateOf(amzDate);
  if (signedAt === undefined) return { ok: false, reason: 'missing or malformed X-Amz-Date' };
  if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_SKEW_MS)
    return { ok: false, reason: 'the signature has expired (X-Amz-Date is more than 15 minutes off)' };
  if (amzDate?.slice(0, 8) !== day) return { ok: false, reason: 'the credential scope date does not match X-Amz-Date' };
  const signedHeaders = (signedHeaderList as string).split(';');
  if (!signedHeaders.includes('host')) return { ok: false, reason: 'the host header must be signed' };
  // The payload is always the body received: a claimed hash must be of it.
  const claimedHash = header(request.headers, 'x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== createHash('sha256').update(request.body).digest('hex')) {
    return { ok: false, reason: 'x-amz-content-sha256 does not match the body received' };
  }

  const [path = '/', rawQuery = ''] = request.url.split('?', 2);
  const host = header(request.headers, 'host') ?? '';
  const signer = new SignatureV4({
    service: service as string,
    region: region as string,
    credentials,
    sha256: NodeSha256,
    // Sign exactly the headers the client signed: the signer would otherwise add x-amz-content-sha256 of its own,
    // which botocore (the AWS CLI) neither sends nor signs for JSON services.
    applyChecksum: false,
  });
  const again = await signer.sign(
    {
      method: request.method.toUpperCase(),
      protocol: 'http:',
      hostname: host.replace(/:\d+$/, ''),
      path,
      query: queryOf(rawQuery),
      headers: Object.fromEntries(signedHeaders.map((name) => [name, header(request.headers, name) ?? ''])),
      body: request.body,
    },
    { signingDate: signedAt, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(again.headers.authorization ?? ''))?.[1] ?? '';
  const given = Buffer.from(signature as string, 'hex');
  if (expected.length !== 64 || !timingSafeEqual(given, Buffer.from(expected, 'hex'))) {
    return {
      ok: false,
      reason: 'the request signature does not match (check the secret key, region and service "execute-api")',
    };
  }
  return { ok: true, accessKeyId: accessKeyId as string };
}
