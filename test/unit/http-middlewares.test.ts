import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { NotFoundError, RequestValidationError } from '../../lambdas/core/errors.js';
import { correlateModel, errorResponses, jsonBody, jsonResponse, type JsonEvent } from '../../lambdas/predict/http.js';
import { logger } from '../../lambdas/shared/logger.js';

const context = { functionName: 'predict', awsRequestId: 'req-1' } as Context;

function event(body: string | undefined, extra: Partial<JsonEvent> = {}): JsonEvent {
  return { version: '2.0', routeKey: 'POST /v1/models/{model}/predict', rawPath: '/v1/models/adult/predict', rawQueryString: '', headers: {}, isBase64Encoded: false, pathParameters: { model: 'adult' }, body, ...extra } as JsonEvent;
}

/** The predict function's middleware chain around a handler that answers with what it received or throws. */
function chain(behaviour: (event: JsonEvent) => unknown) {
  return middy<JsonEvent, APIGatewayProxyStructuredResultV2>()
    .use(correlateModel())
    .use(jsonBody())
    .use(errorResponses())
    .handler(async (e) => jsonResponse(200, behaviour(e)));
}

const parsed = (response: APIGatewayProxyStructuredResultV2) => JSON.parse(response.body as string) as Record<string, unknown>;

describe('the HTTP middlewares of the predict function', () => {
  it('parses a JSON body (plain or base64, as API Gateway sends binary) before the handler sees it', async () => {
    const echo = chain((e) => e.body);
    expect(parsed(await echo(event('{"instances":[{"a":1}]}'), context))).toEqual({ instances: [{ a: 1 }] });
    const encoded = Buffer.from('{"instances":[]}').toString('base64');
    expect(parsed(await echo(event(encoded, { isBase64Encoded: true }), context))).toEqual({ instances: [] });
  });

  it.each([
    ['no body', undefined, 'the request has no body'],
    ['a blank body', '  \n', 'the request has no body'],
    ['text that is not JSON', 'instances=1', 'the body is not valid JSON'],
  ])('answers %s with 400 and a message saying what to send', async (_what, body, message) => {
    const handler = chain(() => ({ reached: true }));
    const response = await handler(event(body), context);
    expect(response.statusCode).toBe(400);
    expect(parsed(response)).toMatchObject({ error: 'BadRequest', message: expect.stringContaining(message) });
  });

  it("maps the caller's mistakes to 4xx with their message, and anything else to a logged 500 that leaks nothing", async () => {
    const errorLog = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const invalid = await chain(() => { throw new RequestValidationError('instances[0].age must be a finite number or null'); })(event('{}'), context);
      expect([invalid.statusCode, parsed(invalid)]).toEqual([400, { error: 'BadRequest', message: 'instances[0].age must be a finite number or null' }]);
      const missing = await chain(() => { throw new NotFoundError('model "adult" has no production version yet'); })(event('{}'), context);
      expect([missing.statusCode, parsed(missing).error]).toEqual([404, 'NotFound']);
      expect(errorLog).not.toHaveBeenCalled();
      const broken = await chain(() => { throw new Error('secret internal detail'); })(event('{}'), context);
      expect(broken.statusCode).toBe(500);
      expect(broken.body).not.toContain('secret internal detail');
      expect(errorLog).toHaveBeenCalledWith('predict failed', { error: expect.objectContaining({ message: 'secret internal detail' }) });
    } finally {
      errorLog.mockRestore();
    }
  });

  it('puts the model of the path in every log line of the invocation', async () => {
    const append = vi.spyOn(logger, 'appendKeys');
    try {
      await chain(() => ({}))(event('{}', { pathParameters: { model: 'churn' } }), context);
      expect(append).toHaveBeenCalledWith({ model: 'churn' });
    } finally {
      append.mockRestore();
    }
  });

  it('answers JSON with its content type', () => {
    expect(jsonResponse(201, { a: 1 })).toEqual({ statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
  });
});
