import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { ConflictError, NotFoundError, RequestValidationError } from '../../lambdas/core/errors.js';
import {
  correlateModel,
  errorResponses,
  jsonBody,
  jsonResponse,
  requestMetrics,
  servedVariant,
  type ApiContext,
  type JsonEvent,
} from '../../lambdas/shared/runtime/http.js';
import { logger } from '../../lambdas/shared/runtime/logger.js';
import { metrics } from '../../lambdas/shared/runtime/metrics.js';

const context = { functionName: 'predict', awsRequestId: 'req-1' } as Context;

function event(body: string | undefined, extra: Partial<JsonEvent> = {}): JsonEvent {
  return {
    version: '2.0',
    routeKey: 'POST /v1/models/{model}/predict',
    rawPath: '/v1/models/adult/predict',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    pathParameters: { model: 'adult' },
    body,
    ...extra,
  } as JsonEvent;
}

/** The predict function's middleware chain around a handler that answers with what it received or throws. */
function chain(behaviour: (event: JsonEvent) => unknown) {
  return middy<JsonEvent, APIGatewayProxyStructuredResultV2>()
    .use(correlateModel())
    .use(jsonBody())
    .use(errorResponses())
    .handler(async (e) => jsonResponse(200, behaviour(e)));
}

const parsed = (response: APIGatewayProxyStructuredResultV2) =>
  JSON.parse(response.body as string) as Record<string, unknown>;

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
      const invalid = await chain(() => {
        throw new RequestValidationError('instances[0].age must be a finite number or null');
      })(event('{}'), context);
      expect([invalid.statusCode, parsed(invalid)]).toEqual([
        400,
        { error: 'BadRequest', message: 'instances[0].age must be a finite number or null' },
      ]);
      const missing = await chain(() => {
        throw new NotFoundError('model "adult" has no production version yet');
      })(event('{}'), context);
      expect([missing.statusCode, parsed(missing).error]).toEqual([404, 'NotFound']);
      expect(errorLog).not.toHaveBeenCalled();
      const broken = await chain(() => {
        throw new Error('secret internal detail');
      })(event('{}'), context);
      expect(broken.statusCode).toBe(500);
      expect(broken.body).not.toContain('secret internal detail');
      expect(errorLog).toHaveBeenCalledWith('request failed', {
        error: expect.objectContaining({ message: 'secret internal detail' }),
      });
      const conflict = await chain(() => {
        throw new ConflictError('already recorded with another truth');
      })(event('{}'), context);
      expect([conflict.statusCode, parsed(conflict).error]).toEqual([409, 'Conflict']);
    } finally {
      errorLog.mockRestore();
    }
  });

  it('answers a body over the limit with 413 before parsing it, and parses no body for GET routes', async () => {
    const echo = middy<JsonEvent, APIGatewayProxyStructuredResultV2>()
      .use(jsonBody(100))
      .use(errorResponses())
      .handler(async (e) => jsonResponse(200, { body: e.body ?? null }));
    const big = await echo(event(JSON.stringify({ instances: [{ a: 'x'.repeat(200) }] })), context);
    expect([big.statusCode, parsed(big).error]).toEqual([413, 'PayloadTooLarge']);
    expect(parsed(big).message).toMatch(/the body has \d+ bytes; the API takes up to 100/);
    const get = await echo(event(undefined, { routeKey: 'GET /v1/health' }), context);
    expect([get.statusCode, parsed(get)]).toEqual([200, { body: null }]);
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
    expect(jsonResponse(201, { a: 1 })).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
  });
});

describe('the per-request metrics of the predict function', () => {
  /** The embedded-format lines the chain writes, parsed. */
  async function emitted(status: number, modelName = 'adult'): Promise<Record<string, unknown>[]> {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const errorLog = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    // As apiHandler chains them: logMetrics first, so it flushes what requestMetrics counted, after an error too.
    const handler = middy<JsonEvent, APIGatewayProxyStructuredResultV2>()
      .use(logMetrics(metrics))
      .use(requestMetrics(() => 1000 + lines.length))
      .use(jsonBody())
      .use(errorResponses())
      .handler(async () => {
        if (status === 404) throw new NotFoundError('no production version');
        if (status === 500) throw new Error('broken');
        return jsonResponse(200, { predictions: [{}, {}, {}] });
      });
    try {
      await handler(event('{"instances":[{},{},{}]}', { pathParameters: { model: modelName } }), context);
    } finally {
      write.mockRestore();
      errorLog.mockRestore();
    }
    return lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  it('writes one line per request with the model: requests, 5xx as 0 or 1, latency and instances scored', async () => {
    const [ok, ...more] = await emitted(200);
    expect(more).toEqual([]);
    expect(ok).toMatchObject({
      model: 'adult',
      PredictRequests: 1,
      PredictServerErrors: 0,
      Predictions: 3,
      _aws: { CloudWatchMetrics: [{ Namespace: expect.any(String), Dimensions: [expect.arrayContaining(['model'])] }] },
    });
    expect(typeof ok?.PredictLatency).toBe('number');
    expect(await emitted(500)).toEqual([
      expect.objectContaining({ model: 'adult', PredictRequests: 1, PredictServerErrors: 1 }),
    ]);
  });

  it("during a release, writes the variant's document too, with its share of the prediction distribution", async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    // A clock that moves 7 ms at each reading: the request is timed once, so both documents carry the same latency.
    let clockMs = 1000;
    const handler = middy<JsonEvent, APIGatewayProxyStructuredResultV2>()
      .use(logMetrics(metrics))
      .use(servedVariant())
      .use(requestMetrics(() => (clockMs += 7)))
      .use(jsonBody())
      .use(errorResponses())
      .handler(async (request, lambdaContext) => {
        const { served } = lambdaContext as ApiContext;
        served.variant = 'candidate';
        served.summary = { scoreSum: 1.375, positives: 2 };
        return jsonResponse(200, { predictions: [{}, {}, {}] });
      });
    try {
      await handler(event('{"instances":[{},{},{}]}', { pathParameters: { model: 'adult' } }), context);
    } finally {
      write.mockRestore();
    }
    const documents = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(documents).toHaveLength(2);
    // The variant's document is written when it is complete; the model's when the invocation's metrics are flushed.
    const [variantDocument, modelDocument] = documents;
    expect(variantDocument).toMatchObject({
      model: 'adult',
      variant: 'candidate',
      PredictRequests: 1,
      Predictions: 3,
      PredictionScoreSum: 1.375,
      PositivePredictions: 2,
    });
    expect(modelDocument).toMatchObject({ model: 'adult', PredictRequests: 1, Predictions: 3 });
    expect(modelDocument).not.toHaveProperty('variant');
    expect(modelDocument).not.toHaveProperty('PredictionScoreSum');
    expect(documents.map((d) => d.PredictLatency)).toEqual([7, 7]);
  });

  it('counts nothing for a 404, so naming random models creates no metrics', async () => {
    expect(await emitted(404, 'random-name')).toEqual([]);
  });
});
