import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, readBody } from './loopback-server.js';
import { verifySigV4, type Credentials } from './api/sigv4.js';

/** An error as an AWS JSON API answers it: its type, message and status (a service may add headers). */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** One AWS service spoken on the endpoint: its `X-Amz-Target` prefix, protocol version and operations. */
export interface AwsJsonService {
  /** e.g. `AWSStepFunctions.`: the operation's name follows it in `X-Amz-Target`. */
  readonly targetPrefix: string;
  /** `application/x-amz-json-1.0` or `-1.1`. */
  readonly contentType: string;
  /** What the service calls itself in "does not implement" answers. */
  readonly name: string;
  /** The operations; an input that fails its schema throws an AwsJsonError naming the field. */
  readonly operations: Readonly<Record<string, (input: unknown) => unknown>>;
  /** The error body (and headers) the service's SDK client expects; AWS's plain `{__type, message}` by default. */
  readonly errorShape?: (error: AwsJsonError) => {
    readonly body: unknown;
    readonly headers?: Readonly<Record<string, string>>;
  };
  /** The type of an unexpected failure (a 500). @default 'InternalFailure' */
  readonly internalErrorType?: string;
}

/**
 * The AWS JSON protocols (1.0 and 1.1) as the local runtime serves them: SigV4 checked with the local credentials,
 * the body read as JSON, the operation found by `X-Amz-Target`, errors in each service's shape. The Step Functions,
 * CloudWatch and CloudWatch Logs APIs are tables of operations over it, so `@aws-sdk` clients talk to them unchanged.
 */
export class AwsJsonServer {
  private readonly server: LoopbackServer;

  constructor(
    name: string,
    private readonly credentials: Credentials,
    private readonly services: readonly AwsJsonService[],
  ) {
    this.server = new LoopbackServer(name, (req, res) => this.handle(req, res));
  }

  listen(port: number): Promise<number> {
    return this.server.listen(port);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readBody(req)) as Buffer;
    const target = String(req.headers['x-amz-target'] ?? '');
    const service = this.services.find((s) => target.startsWith(s.targetPrefix)) ?? this.services[0];
    if (service === undefined) throw new Error('an AWS JSON server needs a service');
    const send = (status: number, value: unknown, headers: Readonly<Record<string, string>> = {}) => {
      res.writeHead(status, { 'content-type': service.contentType, ...headers });
      res.end(JSON.stringify(value));
    };
    try {
      const verdict = await verifySigV4(
        { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
        this.credentials,
      );
      if (!verdict.ok) throw new AwsJsonError('UnrecognizedClientException', verdict.reason, 403);
      const input = parseBody(body);
      const name = target.startsWith(service.targetPrefix) ? target.slice(service.targetPrefix.length) : '';
      const operation = service.operations[name];
      if (operation === undefined)
        throw new AwsJsonError(
          'UnknownOperationException',
          `the local ${service.name} API does not implement ${name || `"${target || '(no X-Amz-Target)'}"`}`,
        );
      send(200, await operation(input));
    } catch (error) {
      const e =
        error instanceof AwsJsonError
          ? error
          : new AwsJsonError(service.internalErrorType ?? 'InternalFailure', (error as Error).message, 500);
      const shaped = service.errorShape?.(e) ?? { body: { __type: e.type, message: e.message } };
      send(e.status, shaped.body, shaped.headers);
    }
  }
}

function parseBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new AwsJsonError('SerializationException', 'the body is not JSON');
  }
}
