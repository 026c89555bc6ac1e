import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape the AWS SDK's signer expects, from node:crypto. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export interface SignOptions {
  readonly url: string;
  readonly method?: string;
  readonly body?: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  readonly date?: Date;
}

/** Signs an API Gateway request with SigV4 (service execute-api), as IAM-authorized routes require. */
export async function signedRequest(options: SignOptions): Promise<{ url: string; method: string; headers: Record<string, string>; body?: string }> {
  const url = new URL(options.url);
  const method = options.method ?? 'POST';
  const signer = new SignatureV4({ service: 'execute-api', region: options.region, credentials: options.credentials, sha256: NodeSha256 });
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
  return { url: options.url, method, headers: signed.headers as Record<string, string>, ...(options.body !== undefined ? { body: options.body } : {}) };
}

export async function signedFetch(options: SignOptions): Promise<Response> {
  const request = await signedRequest(options);
  return fetch(request.url, { method: request.method, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) });
}
