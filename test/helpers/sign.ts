import { signedFetch as sign, signedRequest as request } from '../../cli/sign.js';

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };

export interface TestSignOptions {
  readonly url: string;
  readonly method?: string;
  readonly body?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly date?: Date;
}

const options = (o: TestSignOptions) => ({
  ...LOCAL,
  url: o.url,
  ...(o.method ? { method: o.method } : {}),
  ...(o.body !== undefined ? { body: o.body } : {}),
  ...(o.date ? { date: o.date } : {}),
  credentials: { accessKeyId: o.accessKeyId ?? 'S3RVER', secretAccessKey: o.secretAccessKey ?? 'S3RVER' },
});

/** Requests signed with the AWS SDK's own SigV4 signer (independent of the local verifier) and the local credentials. */
export const signedRequest = (o: TestSignOptions) => request(options(o));
export const signedFetch = (o: TestSignOptions) => sign(options(o));
