import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifySigV4, type Credentials } from '../api/sigv4.js';
import { LoopbackServer, readBody } from '../loopback-server.js';

/**
 * SNS's Publish as the local runtime serves it, in SNS's Query protocol (a form-encoded POST signed with SigV4 for
 * service `sns`; an XML answer, errors as `<ErrorResponse>` with a sender or receiver type), to the topics the
 * template declares: a message lands in the runtime's notification sink, as an alarm's does. Publish is the one
 * operation served; anything else answers `InvalidAction`, as SNS answers an action it does not have.
 */

/** Publish's documented limit: 256 KB of message. */
const MAX_MESSAGE_BYTES = 256 * 1024;
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

export interface SnsTopics {
  /** The ARNs of the template's topics. */
  readonly arns: () => readonly string[];
  /** Delivers a published message (the notification sink). */
  readonly publish: (topicArn: string, subject: string, message: string) => void;
}

class SnsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const xmlText = (text: string): string =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );

function answer(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
  res.end(`<?xml version="1.0"?>\n${xml}`);
}

function errorXml(error: SnsError): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${error.code}</Code><Message>${xmlText(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

/** Publish's parameters, checked as SNS checks them. */
function publishInput(form: URLSearchParams, topics: SnsTopics) {
  const topicArn = form.get('TopicArn') ?? form.get('TargetArn');
  if (topicArn === null)
    throw new SnsError(
      'InvalidParameter',
      'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter',
    );
  const message = form.get('Message');
  if (message === null || message === '') throw new SnsError('InvalidParameter', 'Invalid parameter: Empty message');
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES)
    throw new SnsError('InvalidParameter', 'Invalid parameter: Message too long');
  const subject = form.get('Subject') ?? '';
  if (subject.length > 100 || /[^\x20-\x7e]/.test(subject))
    throw new SnsError('InvalidParameter', 'Invalid parameter: Subject');
  if (!topics.arns().includes(topicArn)) throw new SnsError('NotFound', 'Topic does not exist', 404);
  return { topicArn, subject, message };
}

export class LocalSnsApi {
  private readonly server: LoopbackServer;

  constructor(
    private readonly topics: SnsTopics,
    private readonly credentials: Credentials,
  ) {
    this.server = new LoopbackServer('local SNS API', (req, res) => this.handle(req, res));
  }

  listen(port: number): Promise<number> {
    return this.server.listen(port);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readBody(req)) ?? Buffer.alloc(0);
    try {
      const verified = await verifySigV4(
        { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
        this.credentials,
      );
      if (!verified.ok) throw new SnsError('InvalidClientTokenId', verified.reason, 403);
      const form = new URLSearchParams(body.toString('utf8'));
      const action = form.get('Action');
      if (action !== 'Publish')
        throw new SnsError(
          'InvalidAction',
          `The action ${action ?? '(none)'} is not valid for this web service (the local SNS API serves Publish)`,
        );
      const { topicArn, subject, message } = publishInput(form, this.topics);
      this.topics.publish(topicArn, subject, message);
      answer(
        res,
        200,
        `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    } catch (error) {
      if (!(error instanceof SnsError)) throw error;
      answer(res, error.status, errorXml(error));
    }
  }
}
