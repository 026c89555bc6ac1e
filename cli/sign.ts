import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../lambdas/shared/adapters/node-sha256.js';

export interface SignOptions {
  readonly url: string;
  readonly method?: string;
  readonly body?: string;
  readonly region: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly date?: Date;
}

/** Signs an API Gateway request with SigV4 (service execute-api), as IAM-authorized routes require. */
export async function signedRequest(
  options: SignOptions,
): Promise<{ url: string; method: string; headers: Record<string, string>; body?: string }> {
  const url = new URL(options.url);
  const method = options.method ?? 'POST';
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, 'content-type': 'application/json' },
      ...(options.body !== undefined ? { body: options.body } : {}),
    },
    options.date ? { signingDate: options.date } : {},
  );
  return {
    url: options.url,
    method,
    headers: signed.headers as Record<string, string>,
    ...(options.body !== undefined ? { body: options.body } : {}),
  };
}

export async function signedFetch(options: SignOptions): Promise<Response> {
  const request = await signedRequest(options);
  return fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
}
