import { SignatureV4 } from '@smithy/signature-v4';
import { MlopsError } from '../../core/errors.js';
import { NodeSha256 } from './node-sha256.js';

/**
 * SNS Publish over its documented Query API (form-encoded POST, SigV4 with service `sns`, an XML answer), signed with
 * the function's own credentials: the SNS client of the AWS SDK is not among the project's dependencies, and one
 * operation does not need it. The endpoint follows the SDK's conventions (`AWS_ENDPOINT_URL_SNS`, then
 * `AWS_ENDPOINT_URL`), which the local runtime sets to its own SNS API.
 */

/** SNS refused or failed a publish; `retryable` for throttling and its own failures. */
export class TopicPublishError extends MlopsError {
  override readonly name = 'TopicPublishError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface TopicMessage {
  readonly topicArn: string;
  /** At most 100 printable ASCII characters (SNS's rule for e-mail subjects); longer or other text is cut and cleaned. */
  readonly subject: string;
  readonly message: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** A subject SNS accepts: printable ASCII without line breaks, at most 100 characters. */
export function snsSubject(text: string): string {
  const clean = text
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '-')
    .trim();
  return clean.length <= 100 ? clean : `${clean.slice(0, 97)}...`;
}

function endpointOf(env: Env, region: string): URL {
  return new URL(env.AWS_ENDPOINT_URL_SNS ?? env.AWS_ENDPOINT_URL ?? `https://sns.${region}.amazonaws.com/`);
}

/** The text of an XML element of SNS's answer (its answers are small and flat: no parser needed). */
const element = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** Publishes a message to a topic; answers SNS's message id. */
export async function publishToTopic(message: TopicMessage, env: Env = process.env): Promise<string> {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN } = env;
  if (accessKeyId === undefined || secretAccessKey === undefined)
    throw new TopicPublishError('no AWS credentials in the environment to sign the publish with', false);
  const url = endpointOf(env, region);
  const body = new URLSearchParams({
    Action: 'Publish',
    Version: '2010-03-31',
    TopicArn: message.topicArn,
    Subject: snsSubject(message.subject),
    Message: message.message,
  }).toString();
  const signer = new SignatureV4({
    service: 'sns',
    region,
    credentials: { accessKeyId, secretAccessKey, ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}) },
    sha256: NodeSha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const response = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
  const text = await response.text();
  if (!response.ok) {
    const code = element(text, 'Code') ?? `HTTP ${response.status}`;
    const retryable = response.status >= 500 || code === 'Throttling' || code === 'ThrottlingException';
    throw new TopicPublishError(
      `SNS refused the publish to ${message.topicArn}: ${code}: ${element(text, 'Message') ?? text}`,
      retryable,
    );
  }
  const id = element(text, 'MessageId');
  if (id === undefined) throw new TopicPublishError(`SNS answered no MessageId: ${text.slice(0, 200)}`, true);
  return id;
}
