import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifySigV4, type Credentials } from '../api/sigv4.js';
import { LoopbackServer, readBody } from '../loopback-server.js';
import type { LocalFunction } from './host.js';

/**
 * Lambda's Invoke API (REST JSON, `POST /2015-03-31/functions/{FunctionName}/invocations`) over the local functions,
 * so `@aws-sdk/client-lambda` — the CLI's `mlops monitor` — invokes them as it would in AWS. As AWS documents it:
 * the function named by name, ARN or partial ARN (`Qualifier` `$LATEST` only here); `X-Amz-Invocation-Type`
 * `RequestResponse` (200 with the function's result; a function error is still 200, with `X-Amz-Function-Error:
 * Unhandled` and `{errorType, errorMessage, trace}`) or `DryRun` (204). `Event` (asynchronous) is refused: locally,
 * asynchronous invocations come only from the template's event sources. Service errors carry `x-amzn-ErrorType`
 * and `{Type, message}`: ResourceNotFoundException (404), InvalidRequestContentException (400).
 */

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class LocalLambdaApi {
  private readonly server: LoopbackServer;

  constructor(
    private readonly functions: ReadonlyMap<string, LocalFunction>,
    private readonly credentials: Credentials,
  ) {
    this.server = new LoopbackServer('local Lambda API', (req, res) => this.handle(req, res));
  }

  listen(port: number): Promise<number> {
    return this.server.listen(port);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** The function a name, an ARN or a partial ARN (`<account>:function:<name>`) designates. */
  private find(designator: string): LocalFunction {
    const name = designator.includes(':function:')
      ? (designator.split(':function:')[1]?.split(':')[0] ?? '')
      : designator;
    for (const fn of this.functions.values())
      if (fn.spec.functionName === name || fn.spec.arn === designator) return fn;
    throw new ServiceError('ResourceNotFoundException', `Function not found: ${designator}`, 404);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readBody(req)) as Buffer;
    try {
      const verdict = await verifySigV4(
        { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
        this.credentials,
      );
      if (!verdict.ok) throw new ServiceError('UnrecognizedClientException', verdict.reason, 403);
      const url = new URL(req.url ?? '/', 'http://local');
      const match = INVOKE_PATH.exec(url.pathname);
      if (req.method !== 'POST' || match === null)
        throw new ServiceError('UnknownOperationException', `the local Lambda API implements Invoke only`, 400);
      const fn = this.find(decodeURIComponent(match[1] as string));
      const qualifier = url.searchParams.get('Qualifier');
      if (qualifier !== null && qualifier !== '$LATEST')
        throw new ServiceError('ResourceNotFoundException', `Function not found: ${fn.spec.arn}:${qualifier}`, 404);
      await this.invoke(fn, String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse'), body, res);
    } catch (error) {
      const e = error instanceof ServiceError ? error : new ServiceError('ServiceException', String(error), 500);
      res.writeHead(e.status, { 'content-type': 'application/json', 'x-amzn-errortype': e.type });
      res.end(JSON.stringify({ Type: e.status < 500 ? 'User' : 'Service', message: e.message }));
    }
  }

  private async invoke(fn: LocalFunction, type: string, body: Buffer, res: ServerResponse): Promise<void> {
    if (type === 'DryRun') {
      res.writeHead(204).end();
      return;
    }
    if (type !== 'RequestResponse')
      throw new ServiceError(
        'InvalidParameterValueException',
        `invocation type ${type}: the local Lambda API invokes RequestResponse and DryRun (asynchronous invocations come from the template's event sources)`,
        400,
      );
    let event: unknown;
    try {
      event = JSON.parse(body.length === 0 ? 'null' : body.toString('utf8'));
    } catch {
      throw new ServiceError('InvalidRequestContentException', 'Could not parse request body into json', 400);
    }
    const headers = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
    try {
      const result = await fn.invoke(event);
      res.writeHead(200, headers).end(JSON.stringify(result ?? null));
    } catch (error) {
      const e = error as Error;
      res.writeHead(200, { ...headers, 'x-amz-function-error': 'Unhandled' });
      res.end(JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: [] }));
    }
  }
}
