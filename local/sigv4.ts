import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks an AWS Signature Version 4 on an incoming request, as API Gateway does for routes with IAM authorization.
 * Locally there is one identity: the local credentials written to .mlops/local.json.
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

export type VerifyResult = { readonly ok: true; readonly accessKeyId: string } | { readonly ok: false; readonly reason: string };

const MAX_SKEW_MS = 15 * 60 * 1000;
const AUTH_PATTERN = /^AWS4-HMAC-SHA256\s+Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/;

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept, everything else %XX upper-case). */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function verifySigV4(request: SignedRequest, credentials: Credentials, now: Date = new Date()): VerifyResult {
  const authorization = header(request.headers, 'authorization');
  if (authorization === undefined) return { ok: false, reason: 'the request is not signed (no Authorization header)' };
  const match = AUTH_PATTERN.exec(authorization.trim());
  if (match === null) return { ok: false, reason: 'the Authorization header is not an AWS4-HMAC-SHA256 signature' };
  const [, accessKeyId, day, region, service, signedHeaderList, signature] = match as unknown as string[];
  if (accessKeyId !== credentials.accessKeyId) return { ok: false, reason: `unknown access key ${accessKeyId}` };
  const amzDate = header(request.headers, 'x-amz-date');
  if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate)) return { ok: false, reason: 'missing or malformed X-Amz-Date' };
  const signedAt = Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  if (Math.abs(now.getTime() - signedAt) > MAX_SKEW_MS) return { ok: false, reason: 'the signature has expired (X-Amz-Date is more than 15 minutes off)' };
  if (amzDate.slice(0, 8) !== day) return { ok: false, reason: 'the credential scope date does not match X-Amz-Date' };

  const signedHeaders = (signedHeaderList as string).split(';');
  if (!signedHeaders.includes('host')) return { ok: false, reason: 'the host header must be signed' };
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(header(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const [rawPath = '/', rawQuery = ''] = request.url.split('?', 2);
  // Non-S3 services sign the path with each segment encoded once more than it appears on the wire — the wire form as
  // it is, so a name sent with `!'()*` unescaped (which URLs allow) signs as the SDK signs it: `a!b` as `a%21b`.
  const canonicalPath = rawPath
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [k = '', v = ''] = pair.split('=', 2);
      return [uriEncode(decodeURIComponentSafe(k)), uriEncode(decodeURIComponentSafe(v))] as const;
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  // The payload hash is always computed from the body received, never taken from the client's header.
  const payloadHash = sha256(request.body);
  const claimedHash = header(request.headers, 'x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== payloadHash) {
    return { ok: false, reason: 'x-amz-content-sha256 does not match the body received' };
  }
  const canonicalRequest = [request.method.toUpperCase(), canonicalPath, canonicalQuery, canonicalHeaders, signedHeaderList, payloadHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day as string), region as string), service as string), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(signature as string, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'the request signature does not match (check the secret key, region and service "execute-api")' };
  }
  return { ok: true, accessKeyId: accessKeyId as string };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
